"""Whose plan a plan word is: a meeting word reads "future" or "will" near it as its own plan
unless the word belongs to another predicate of the sentence (split from ``status`` so that
module stays readable; ``status.trigger_status`` asks these two questions)."""

from __future__ import annotations

import re

from rules.bilateral.triggers import Cue, Trigger

# what opens a coordinated clause: a comma, "and" (fa tr id sw vi, Arabic joined), Korean -고
COORD = re.compile(r"[,،，、]|\s(?:و|ve|dan|na|và)\s|\sو|^고\s")


def past_then_plan(
    t: Trigger, cues: dict[str, list[Cue]], folded: str, reach: tuple[int, int, int]
) -> bool:
    """ "دیروز با X دیدار کرد و فردا با Y ...", "昨天会见了X，明天将同Y会谈": a meeting word
    dated past before it takes no plan from a clause coordinated after it."""
    before, fut_after, k40 = reach
    if not any(0 <= t.start - c.end <= k40 for c in cues.get("past_time", ())):
        return False
    near = [
        c
        for c in cues.get("future", []) + cues.get("future_time", [])
        if (c.end <= t.start and t.start - c.end <= before) or 0 <= c.start - t.end <= fut_after
    ]
    return bool(near) and all(
        c.start >= t.end and COORD.search(folded[t.end : c.start]) for c in near
    )


def own_plan_words(
    t: Trigger, cues: dict[str, list[Cue]], folded: str, others: list[Trigger], conj: frozenset[str]
) -> dict[str, list[Cue]]:
    """Plan words after a meeting verb that belong to a second predicate, not to it: past
    another meeting word ("ha incontrato X e incontrerà domani Y") or right after "and"
    ("traf am Montag X und wird ... treffen"). ``conj`` are the language's "and" words."""

    def later(c: Cue) -> bool:
        if c.start < t.end:
            return False
        if any(u is not t and t.end <= u.start and u.end <= c.start for u in others):
            return True
        words = folded[t.end : c.start].split()
        return bool(words) and (words[-1] in conj or " ".join(words[-2:]) in conj)

    names = ("future", "future_time")
    return {n: [c for c in cs if not later(c)] if n in names else cs for n, cs in cues.items()}
