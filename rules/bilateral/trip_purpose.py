"""Talks a trip is made for: "sarà a Parigi lunedì per un colloquio con Macron", "arrives in
Paris for talks with Macron". The meeting noun after the language's word of purpose ("per",
"for", "zu", "voor") has the status of the visit before it: a planned trip's talks are
planned too, whatever tense the noun alone would be read in."""

from __future__ import annotations

import re
from typing import Protocol, TypeVar


class _Word(Protocol):
    """A meeting word as ``rules.bilateral.status.Trigger`` has it."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def group(self) -> str: ...


Trigger = TypeVar("Trigger", bound=_Word)

_WORD = re.compile(r"\w+")
_REACH = 80  # from the visit word to the talks it is for, in one clause


def trip_purpose_tense(
    statuses: list[tuple[Trigger, str]], folded: str, purpose: frozenset[str] | None
) -> list[tuple[Trigger, str]]:
    if not purpose:
        return statuses
    out: list[tuple[Trigger, str]] = []
    for t, st in statuses:
        if st == "held" and t.group == "held" and _after_purpose(t, folded, purpose):
            trip = any(
                u is not t
                and u.group == "visit"
                and su == "scheduled"
                and 0 <= t.start - u.end <= _REACH
                and not any(c in folded[u.end : t.start] for c in ";:")
                for u, su in statuses
            )
            st = "scheduled" if trip else st
        out.append((t, st))
    return out


def _after_purpose(t: _Word, folded: str, purpose: frozenset[str]) -> bool:
    """The word or two right before the meeting noun are a word of purpose ("per un")."""
    before = _WORD.findall(folded[max(0, t.start - 20) : t.start])
    return bool(before) and (before[-1] in purpose or " ".join(before[-2:]) in purpose)
