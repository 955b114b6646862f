"""An infinitive of meeting that tells what was done, not what is planned.

English writes a plan as "to meet" ("Modi to meet Xi"), so the lexicon lists "to meet", "to
visit" as planned meeting words. Two constructions put the same infinitive in a past or
tense-neutral frame, where the meeting took place:

- after a superlative or ordinal head, a relative infinitive: "the first foreign leader to
  meet the new president", "the second minister to visit Colombo" (the language's
  ``ordinal`` words, right after its ``article``);
- after a past verb of going, the purpose of a journey made: "flew to Beijing to meet Wang
  Yi", "went to Manila to meet the president" (the language's ``went`` words).

Such a word reads as a held meeting word instead: the cues of its sentence still govern it
("will be the first to meet ...", "flew in to meet X, but the talks were called off"). Read
only where a language lists the words (its [words]: ``infinitive``, the planned meeting
words this applies to, not "to attend" a summit; ``ordinal``, ``article``, ``went``).
"""

from __future__ import annotations

from rules.bilateral.glue import word_listed, words_of
from rules.bilateral.status import Trigger

_REACH = 6  # words between the frame and the infinitive: a head noun, a place, a day
_BREAKS = frozenset(",;:()")


def done_infinitives(
    trigs: list[Trigger], folded: str, words: dict[str, frozenset[str]]
) -> list[Trigger]:
    """``trigs`` with the planned infinitives of a past or ordinal frame read as held."""
    marks = words.get("infinitive")
    ordinal = words.get("ordinal", frozenset())
    went = words.get("went", frozenset())
    if not marks or not (ordinal or went):
        return trigs
    article = words.get("article", frozenset())
    out: list[Trigger] = []
    for t in trigs:
        if t.group == "scheduled" and t.text in marks:
            # the verb of going may itself be a meeting word ("travelled to")
            before = words_of(folded[max(0, t.start - 100) : t.start])[-(_REACH + 1) :]
            if _framed(before, ordinal, went, article):
                t = t._replace(group="held")
        out.append(t)
    return out


def _framed(
    before: list[str], ordinal: frozenset[str], went: frozenset[str], article: frozenset[str]
) -> bool:
    """Is there an ordinal head ("the first ...") or a past verb of going before the
    infinitive, in its own clause (no comma or bracket between)?"""
    for i in range(len(before) - 1, -1, -1):
        w = before[i]
        if w in _BREAKS:
            return False
        if word_listed(w, went):
            return True
        if w in ordinal and i > 0 and before[i - 1] in article:
            return True
    return False
