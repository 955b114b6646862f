"""A sentence that dates its event years before the text was published reports history, not
news ("In July 1972 ..."): no meeting of it is current."""

from __future__ import annotations

import re

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def old_year(sentence: str, published_year: int | None) -> bool:
    """Does the sentence date its event years before publication ("In July 1972 ...")?"""
    years = [int(y) for y in _YEAR.findall(sentence)]
    if not years:
        return False
    ref = published_year if published_year is not None else 2000
    margin = 1 if published_year is not None else 0
    return max(years) < ref - margin
