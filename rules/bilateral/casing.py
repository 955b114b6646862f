"""Case checks for gazetteer matches: a pattern's case rule against the text as written, and
whether a match follows a capitalised word (then it is part of a name)."""

from __future__ import annotations

import unicodedata

from rules.bilateral.records import CAP_INITIAL, CASE_EXACT, SAME_CASE
from rules.text import Normalized


def after_capitalised(norm: Normalized, s: int) -> bool:
    """Is the word before folded offset ``s`` capitalised ("Minh Đức": part of a name)?"""
    os, _ = norm.span(s, s + 1)
    text = norm.original
    i = os
    while i > 0 and text[i - 1] == " ":
        i -= 1
    if i == os or i == 0 or not text[i - 1].isalpha():
        return False  # no word right before it (start, punctuation, a dash)
    j = i
    while j > 0 and (text[j - 1].isalpha() or unicodedata.category(text[j - 1])[0] == "M"):
        j -= 1  # combining marks belong to the word (decomposed Vietnamese)
    if not text[j].isupper():
        return False
    # a sentence's or headline's first word is capitalised whatever it is ("Prezydent Chin
    # spotkał się ...": Polish "Chin", China's genitive, after a title)
    k = j
    while k > 0 and text[k - 1] in " \t\"'“‘«(":
        k -= 1
    return not (k == 0 or text[k - 1] in ".!?:;\n—–|")


def _first_upper(found: str) -> bool:
    first = next((c for c in found if c.isalpha()), "")
    return first.isupper()


def case_ok(found: str, surface: str, flags: int) -> bool:
    if not found.isascii():
        found = unicodedata.normalize("NFKC", found)  # "ＵＳＡ" is "USA"
    if flags & SAME_CASE:
        return found == surface
    if flags & CAP_INITIAL:
        return found[:1].isupper() or (not found[:1].isalpha() and _first_upper(found))
    if flags & CASE_EXACT:
        return found.replace(" ", "") == surface.replace(" ", "") or (
            found.isupper() and found.replace(" ", "").upper() == surface.replace(" ", "").upper()
        )
    first = next((c for c in found if c.isalpha()), "")
    return first.isupper()
