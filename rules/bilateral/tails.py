"""The case endings a lexicon writes onto names, as the entity builder (``frames``) reads them.

``frames`` asks for them at each pair of adjacent mentions; they depend only on the lexicon,
so each lexicon's are gathered once: every ending also in the older encoding of Malayalam
chillu letters, which texts still use.
"""

from __future__ import annotations

import unicodedata

from rules.bilateral.identity_cache import IdentityCache
from rules.bilateral.lexicon import LangLex
from rules.bilateral.surfaces import CHILLU_OLD

_CLOSING = ("with_tail", "obj_tail", "subj_tail", "dat_tail")


def locative_tails(lex: LangLex) -> tuple[str, ...]:
    """The locative endings ("loc_tail": -ിൽ, -లో, -யில்)."""
    return _TAILS(lex)[0]


def closing_tails(lex: LangLex) -> tuple[str, ...]:
    """The "with", object, agent and dative endings, but a bare vowel sign (Gujarati -ે),
    too often the end of a name itself."""
    return _TAILS(lex)[1]


def _tails(lex: LangLex) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(locative, closing) endings of ``lex``."""
    closing = [
        tail
        for key in _CLOSING
        for tail in lex.words.get(key, ())
        if len(tail) > 1 or unicodedata.category(tail) not in ("Mn", "Mc")
    ]
    loc, closed = (
        tuple({t for tail in tails for t in (tail, tail.translate(CHILLU_OLD))})
        for tails in (lex.words.get("loc_tail", ()), closing)
    )
    return loc, closed


_TAILS = IdentityCache(_tails)
