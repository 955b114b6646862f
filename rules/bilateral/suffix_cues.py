"""Cues carried by an inflectional ending rather than a word (a language's future_suffix
list: Hindi "करेंगे", Marathi "भेटणार"): the paradigm of every verb, where a cue list can
only hold the common forms."""

from __future__ import annotations

import re

from rules.bilateral.lexicon import LangLex
from rules.bilateral.status import Cue

_TOKEN = re.compile(r"[^\s,;:()\[\]\"'«»“”‘’.!?،、।]+")
# inflectional endings that carry a cue ("करेंगे", "जाएगी", "भेटणार"): the paradigm of every
# verb, where the cue list can only hold the common ones; and Malayalam's "there is no"
# written onto the noun it negates ("പദ്ധതിയില്ലെന്ന്": no plan), any noun
_SUFFIX_CUES = (("future_suffix", "future"), ("negation_suffix", "negation"))


def suffix_cues(folded: str, lex: LangLex) -> list[Cue]:
    """Cues of the words that end in one of the language's cue endings (after a stem)."""
    out: list[Cue] = []
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
