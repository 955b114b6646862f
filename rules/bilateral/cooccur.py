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

import re
from collections.abc import Callable
from itertools import combinations

from rules.bilateral.frames import Entity
from rules.bilateral.pairing import Pairing, Side
from rules.bilateral.status import RANK, Trigger

MAX_PARTIES = 2  # three or more: a list the grammar read as a group meeting, or a summit's
COOCCUR = "cooccur"

Timed = list[tuple[Trigger, str]]  # a sentence's meeting words with their status ("" = dead)
Emit = Callable[[Pairing, str, Trigger], None]


def governing(
    p: Pairing,
    ordered: Timed,
    objects_follow: bool = False,
    folded: str = "",
    conj: frozenset[str] = frozenset(),
) -> tuple[Trigger, str]:
    """The meeting word nearest the pair's second side decides that pair's status.

    A full meeting word ("received", "talks") outranks a nearer weak one ("visit"), which
    usually describes the occasion rather than the meeting. Where objects follow their verb
    (``objects_follow``), a counterpart belongs to a full meeting word before it rather than
    to the next predicate: "se reunió el lunes con X y se reunirá el martes con Y" (X was
    met, Y is to be). A side with no "with" word does so only when that word stands right
    before it and "and" (``conj``) then the next meeting word right after it ("ha
    incontrato ieri il presidente X e incontrerà ..."): a subject may follow a fronted
    phrase, a genitive a noun ("переговоры Макрона и Мерца пока не намечены"), and "and"
    may join the two sides ("il vertice tra X e Y si terrà"). A call word after the side is
    the medium, not a second predicate ("talked with X by phone").
    """
    anchor = p.b.entity if p.b.entity is not None else p.a.entity
    if anchor is None:
        return max(ordered, key=lambda ts: RANK.get(ts[1], 0))

    def unmarked(t: Trigger) -> bool:
        gap = folded[t.end : anchor.start]
        if len(gap) > 16 or _PUNCT.search(gap):
            return False
        for u, _ in ordered:  # "and" alone between the side and a later meeting word
            if u.start >= anchor.end:
                between = folded[anchor.end : u.start].split()
                if len(between) == 1 and between[0] in conj:
                    return True
        return False

    other = p.a.entity if anchor is p.b.entity else p.b.entity
    # "the summit between X and Y will be held": both sides complement the noun before them
    between = anchor.slot == "with" and other is not None and other.slot == "with"
    verb_before = (
        objects_follow
        and not between
        and any(
            ts[0].strong
            and ts[0].end <= anchor.start
            and (anchor.slot == "with" or (anchor.slot in ("obj", "") and unmarked(ts[0])))
            for ts in ordered
        )
    )

    def dist(ts: tuple[Trigger, str]) -> tuple[bool, bool, int, int]:
        t = ts[0]
        d = max(t.start - anchor.end, anchor.start - t.end, 0)
        late = verb_before and t.start >= anchor.end and t.group != "call"
        return not t.strong, late, d, -RANK.get(ts[1], 0)

    return min(ordered, key=dist)


_PUNCT = re.compile(r"[,;:.!?，、。；：]")


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
