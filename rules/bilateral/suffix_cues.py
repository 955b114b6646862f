"""Cues carried by an inflectional ending rather than a word (a language's future_suffix
list: Hindi "करेंगे", Marathi "भेटणार"): the paradigm of every verb, where a cue list can
only hold the common forms; and the history cue of a time "ago" written around its number
("hace veinte años", "há 20 anos", "il y a trente ans"), which no fixed phrase can hold."""

from __future__ import annotations

import re
from functools import lru_cache

from rules.bilateral.lexicon import LangLex
from rules.bilateral.status import Cue

_TOKEN = re.compile(r"[^\s,;:()\[\]\"'«»“”‘’.!?،、।]+")
# inflectional endings that carry a cue ("करेंगे", "जाएगी", "भेटणार"): the paradigm of every
# verb, where the cue list can only hold the common ones; and Malayalam's "there is no"
# written onto the noun it negates ("പദ്ധതിയില്ലെന്ന്": no plan), any noun
_SUFFIX_CUES = (("future_suffix", "future"), ("negation_suffix", "negation"))


def _ago(folded: str, lex: LangLex) -> list[Cue]:
    """ "Hace veinte años, ...", "... il y a trente ans.": an event dated years back, at the
    sentence's start or end (mid-sentence "desde hace 20 años" is a duration)."""
    before, units = lex.words.get("ago_before"), lex.words.get("ago_unit")
    if not before or not units:
        return []
    out: list[Cue] = []
    for m in _ago_re(tuple(sorted(before)), tuple(sorted(units))).finditer(folded):
        head = folded[: m.start()].rstrip()
        tail = folded[m.end() :].lstrip()
        if head in ("", "«", '"') or tail[:1] in ("", ".", "!", "?"):
            out.append(Cue(m.start(), m.end(), "history"))
    return out


@lru_cache(maxsize=64)
def _ago_re(before: tuple[str, ...], units: tuple[str, ...]) -> re.Pattern[str]:
    alt = "|".join(re.escape(w) for w in sorted(before, key=len, reverse=True))
    unit = "|".join(re.escape(w) for w in sorted(units, key=len, reverse=True))
    return re.compile(rf"\b(?:{alt})\s+(?:[^\s,.;:]+\s+){{1,3}}(?:{unit})\b")


def suffix_cues(folded: str, lex: LangLex) -> list[Cue]:
    """Cues of the words that end in one of the language's cue endings (after a stem)."""
    out: list[Cue] = _ago(folded, lex)
    for key, name in _SUFFIX_CUES:
        ends = lex.words.get(key)
        if not ends:
            continue
        lookalikes = lex.words.get(key + "_not", frozenset())  # words that only end so
        for m in _TOKEN.finditer(folded):
            w = m.group()
            if w not in lookalikes and any(w.endswith(e) and len(w) > len(e) for e in ends):
                out.append(Cue(m.start(), m.end(), name))
    return out
