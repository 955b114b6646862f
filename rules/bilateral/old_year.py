"""A sentence that dates its event years before the text was published reports history, not
news ("In July 1972 ..."): no meeting of it is current."""

from __future__ import annotations

import re
import unicodedata

_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # a decimal digit of another script
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_WORDS_BEFORE = 3  # "since the early 1990s": the word of "since" within three words


def old_year(
    sentence: str, published_year: int | None, since: frozenset[str] = frozenset()
) -> bool:
    """Does the sentence date its event years before publication ("In July 1972 ...")?

    A year after one of the language's ``since`` words ("the first visit since 1979",
    "relations established since 1957") dates where a span starts, not the event told."""
    if not sentence.isascii():  # Persian ۱۹۹۹, Devanagari १९९९: years all the same
        sentence = _OTHER_DIGIT.sub(lambda m: str(unicodedata.digit(m.group())), sentence)
    years = [
        int(m.group(1))
        for m in _YEAR.finditer(sentence)
        if not since or not _after_since(sentence[max(0, m.start() - 30) : m.start()], since)
    ]
    if not years:
        return False
    ref = published_year if published_year is not None else 2000
    margin = 1 if published_year is not None else 0
    return max(years) < ref - margin


def _after_since(before: str, since: frozenset[str]) -> bool:
    return any(w in since for w in before.lower().split()[-_WORDS_BEFORE:])
