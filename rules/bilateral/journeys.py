"""A journey's purpose: "arrives in Washington for talks with ...", "heads to Moscow for
border talks". A meeting noun that a journey is for is still to come (``tense.inherit``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rules.bilateral.status import Trigger


def purpose_of(u: Trigger, t: Trigger, folded: str, purpose: frozenset[str]) -> bool:
    """``t`` is the purpose of the journey ``u`` names: "for (a) ..." right before it, or
    before at most two words that qualify a meeting noun ("for border talks")."""
    if not purpose or not 0 <= t.start - u.end <= 60:
        return False
    words = folded[u.end : t.start].split()
    for cut in range(3 if t.noun else 1):
        qualifiers = words[len(words) - cut :] if cut else []
        if not all(w.isalpha() for w in qualifiers):
            break
        head = f" {' '.join(words[: len(words) - cut])}"
        if any(head.endswith(f" {w}") for w in purpose):
            return True
    return False
