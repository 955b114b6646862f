"""Compound verbs that a language writes joined as often as apart.

A lexicon phrase is written once; the loader (``rules.bilateral.lexicon._phrases``) also
stores the other spelling:

- Malayalam compound verbs with the auxiliary വയ്ക്കുക (മാറ്റിവച്ചു, നീട്ടിവെച്ചു) are also written
  apart (മാറ്റി വച്ചു);
- Urdu writes the light verb کر ("do") and the auxiliary after it apart or joined: "طلب کر
  کے" / "طلب کرکے", "منسوخ کر دیا" / "منسوخ کردیا", "طلب کر لیا" / "طلب کرلیا";
- Korean and Japanese verbs written in the plain style also stand for their formal (polite)
  style, Korean ones for their connective endings too (``rules.bilateral.inflect_levels``).
"""

from __future__ import annotations

import re

from rules.bilateral.inflect_levels import ja_levels, ko_levels

_ML_AUX = re.compile("ിവ(?=[െച്ചയ])")
_UR_AUX = "کے|لیا|لی|لیے|دیا|دی|دیے"
_UR_APART = re.compile(f"کر ({_UR_AUX})(?![\\w])")
_UR_JOINED = re.compile(f"کر({_UR_AUX})(?![\\w])")


def other_spellings(item: str, lang: str) -> list[str]:
    """``item`` in the language's other way of writing its compound verbs (or nothing)."""
    if lang == "ml" and _ML_AUX.search(item):
        return [_ML_AUX.sub("ി വ", item)]
    if lang == "ur":
        out = {_UR_APART.sub(r"کر\1", item), _UR_JOINED.sub(r"کر \1", item)} - {item}
        return sorted(out)
    if lang == "ko":
        return ko_levels(item)
    if lang == "ja":
        return ja_levels(item)
    return []
