"""Candidates the grammar did not pair, for the trained model alone to judge.

The grammar's pairing (``rules.bilateral.pairing``) reads a sentence's structure: who is the
subject, who the counterpart, which list is whose. On constructions it does not know it
proposes nothing, although the sentence names both sides next to a full meeting word. Such a
sentence, when it names exactly two parties itself, still proposes that pair here (``how``
"cooccur"). Only the model may keep one: the grammar alone never reports them
(``rules.bilateral.detector._decide``), and a pair the grammar read anywhere in the text keeps
the grammar's reading.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

from rules.bilateral.frames import Entity
from rules.bilateral.pairing import Pairing, Side
from rules.bilateral.status import RANK, Trigger

MAX_PARTIES = 2  # three or more: a list the grammar read as a group meeting, or a summit's
COOCCUR = "cooccur"

Timed = list[tuple[Trigger, str]]  # a sentence's meeting words with their status ("" = dead)
Emit = Callable[[Pairing, str, Trigger], None]


def governing(p: Pairing, ordered: Timed) -> tuple[Trigger, str]:
    """The meeting word nearest the pair's second side decides that pair's status.

    A full meeting word ("received", "talks") outranks a nearer weak one ("visit"), which
    usually describes the occasion rather than the meeting.
    """
    anchor = p.b.entity if p.b.entity is not None else p.a.entity
    if anchor is None:
        return max(ordered, key=lambda ts: RANK.get(ts[1], 0))

    def dist(ts: tuple[Trigger, str]) -> tuple[bool, int, int]:
        t = ts[0]
        d = max(t.start - anchor.end, anchor.start - t.end, 0)
        return not t.strong, d, -RANK.get(ts[1], 0)

    return min(ordered, key=dist)


# Sides the sentence itself names. Not a party the grammar filled in (an unnamed official as
# the publisher's own, a meeting place's host, the visitor named earlier): with no structure
# read, nothing says that party is in the meeting. Not an organisation either: next to a
# country it is mostly membership and relations ("X joins the SCO as a member").
_NAMED = frozenset(("person", "handle", "explicit", "role"))


def _sides(ents: list[Entity]) -> list[Entity]:
    first: dict[str, Entity] = {}
    for e in ents:
        if e.usable and e.party and not e.codes and not e.org and e.source in _NAMED:
            first.setdefault(e.party, e)
    return list(first.values())


def sentence_candidates(ents: list[Entity], timed: Timed, emit: Emit) -> None:
    """A sentence the grammar paired nothing in: its parties pairwise."""
    sides = _sides(ents)
    if not 2 <= len(sides) <= MAX_PARTIES:
        return
    for a, b in combinations(sides, 2):
        p = Pairing(Side(a.party, a, COOCCUR), Side(b.party, b, COOCCUR), timed[0][0])
        t, st = governing(p, timed)
        if st:
            emit(p, st, t)
