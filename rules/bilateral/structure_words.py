"""A language's structure words (its lexicon's ``words`` lists: "with", case endings,
conjunctions, honorifics...) in one set, as the entity builder and the name reader ask for
them at every pair of mentions. They depend only on the lexicon, so each lexicon's set is
built once; keyed by the lexicon object, so a test's own lexicon of a code gets its own.
"""

from __future__ import annotations

from rules.bilateral.identity_cache import IdentityCache
from rules.bilateral.lexicon import LangLex


def _every_word(lex: LangLex) -> frozenset[str]:
    return frozenset().union(*lex.words.values())


def _but_honorifics(lex: LangLex) -> frozenset[str]:
    # an honorific after a name ("N මහතා සමඟ", Mr N with) is part of the name's run
    return _every_word(lex) - lex.words.get("honorific", frozenset())


structure_words = IdentityCache(_every_word)
name_stops = IdentityCache(_but_honorifics)
