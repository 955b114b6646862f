"""The case endings a lexicon writes onto names, as the entity builder (``frames``) reads them.

``frames`` asks for them at each pair of adjacent mentions; they depend only on the lexicon,
so each lexicon's are gathered once: every ending also in the older encoding of Malayalam
chillu letters, which texts still use.
"""

from __future__ import annotations

import unicodedata

from rules.bilateral.gazetteer import Mention
from rules.bilateral.identity_cache import IdentityCache
from rules.bilateral.lexicon import LangLex
from rules.bilateral.records import PERSON, ROLE
from rules.bilateral.surfaces import CHILLU_OLD

_CLOSING = ("with_tail", "obj_tail", "subj_tail", "dat_tail")


def locative_tails(lex: LangLex) -> tuple[str, ...]:
    """The locative endings ("loc_tail": -ിൽ, -లో, -யில்)."""
    return _TAILS(lex)[0]


def closing_tails(lex: LangLex) -> tuple[str, ...]:
    """The "with", object, agent and dative endings, but a bare vowel sign (Gujarati -ે),
    too often the end of a name itself."""
    return _TAILS(lex)[1]


def in_place(surface: str, lex: LangLex) -> bool:
    """A name written with the language's locative ending ("loc_tail": -ിൽ, -లో, -யில்;
    Malayalam chillu letters also in their older encoding)."""
    return any(surface.endswith(t) and len(surface) > len(t) + 1 for t in locative_tails(lex))


def case_closed(surface: str, last: Mention | None, lex: LangLex) -> bool:
    """The entity so far (``surface``, ``last`` its last mention) ends in a word with the
    language's "with", object, agent or dative ending ("with_tail", "obj_tail", "subj_tail",
    "dat_tail": -తో, -ுடன், -ുമായി, -ை, -એ, -ക്ക്); a bare vowel sign (Gujarati -ે) is too
    often the end of a name itself to count, but not of a title."""
    if any(surface.endswith(t) and len(surface) > len(t) + 1 for t in closing_tails(lex)):
        return True
    titled = last is not None and last.first(ROLE) is not None and last.first(PERSON) is None
    return titled and _closes_title(surface, lex)


def genitive_end(surface: str, lex: LangLex) -> bool:
    """The entity so far (``surface``) ends in the language's attached genitive ("gen_tail":
    Nepali -को, Sinhala -ගේ), the possessor of what follows."""
    return any(
        surface.endswith(t) and len(surface) > len(t) + 1 for t in lex.words.get("gen_tail", ())
    )


def _closes_title(surface: str, lex: LangLex) -> bool:
    """Whether a phrase ending in a title ends in one of the further endings that close it:
    the bare vowel signs among the closing ones (no title ends in the Gujarati agent -ે:
    "વિદേശ મંત્રાલયે") and a title's own case endings ("role_tail": the Malayalam accusative
    -റെ of "ഹൈക്കമ്മീഷണറെ"), never right after a virama (not the genitive -ന്റെ)."""
    return any(
        surface.endswith(t) and len(surface) > len(t) + 1 and surface[-len(t) - 1] != "\u0d4d"
        for t in _TAILS(lex)[2]
    )


def _tails(lex: LangLex) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(locative, closing, title-closing) endings of ``lex``."""
    every = [tail for key in _CLOSING for tail in lex.words.get(key, ())]
    closing = [
        tail for tail in every if len(tail) > 1 or unicodedata.category(tail) not in ("Mn", "Mc")
    ]
    loc, closed, titled = (
        tuple({t for tail in tails for t in (tail, tail.translate(CHILLU_OLD))})
        for tails in (
            lex.words.get("loc_tail", ()),
            closing,
            [t for t in every if t not in closing] + list(lex.words.get("role_tail", ())),
        )
    )
    return loc, closed, titled


_TAILS = IdentityCache(_tails)
