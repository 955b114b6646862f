"""The case endings a lexicon writes onto names, as the entity builder (``frames``) reads them.

``frames`` asks for them at each pair of adjacent mentions; they depend only on the lexicon,
so each lexicon's are gathered once: every ending also in the older encoding of Malayalam
chillu letters, which texts still use.
"""

from __future__ import annotations

import unicodedata

from rules.bilateral.lexicon import LangLex
from rules.bilateral.surfaces import CHILLU_OLD

_CLOSING = ("with_tail", "obj_tail", "subj_tail", "dat_tail")
# id of a lexicon -> (the lexicon, held so that the id stays its own; locative; closing)
_KNOWN: dict[int, tuple[LangLex, tuple[str, ...], tuple[str, ...]]] = {}


def locative_tails(lex: LangLex) -> tuple[str, ...]:
    """The locative endings ("loc_tail": -ിൽ, -లో, -யில்)."""
    return _tails(lex)[1]


def closing_tails(lex: LangLex) -> tuple[str, ...]:
    """The "with", object, agent and dative endings, but a bare vowel sign (Gujarati -ે),
    too often the end of a name itself."""
    return _tails(lex)[2]


def _tails(lex: LangLex) -> tuple[LangLex, tuple[str, ...], tuple[str, ...]]:
    known = _KNOWN.get(id(lex))
    if known is not None and known[0] is lex:
        return known
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
    known = _KNOWN[id(lex)] = (lex, loc, closed)
    return known
