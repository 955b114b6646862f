"""When a weak meeting word (a visit, a welcome, "talks" that may be a topic) reports a
meeting, and which two sides an "X-Y talks" compound names.

A weak word counts between two named officials, or right after a hyphenated pair of sides:
the headline shape "भारत-पाकिस्तान चर्चा पुढे ढकलली" (India-Pakistan talks postponed) names
both sides of the talks whatever the noun's other uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import TYPE_CHECKING

from rules.bilateral.lists import JOINERS

if TYPE_CHECKING:
    from rules.bilateral.frames import Entity
    from rules.bilateral.status import Trigger


def compound_sides(
    t: Trigger, ents: list[Entity], folded: str, nouns_only: bool = True, words: int = 2
) -> set[str] | None:
    """The two sides a "X-Y (nuclear) talks" compound names for a meeting noun, if any, with
    at most ``words`` words between (``nouns_only=False``: any meeting word, as a verbless
    headline writes one)."""
    if nouns_only and not t.noun:
        return None
    near = [e for e in ents if e.end <= t.start and t.start - e.end <= 30]
    for a, b in pairwise(near):
        if folded[a.end : b.start] in JOINERS and a.party and b.party:
            gap = folded[b.end : t.start]
            if len(gap.split()) <= words and not any(ch in gap for ch in ",;:()"):
                return {a.party, b.party}
    return None


def two_sided(
    t: Trigger, ents: list[Entity], folded: str, words: Mapping[str, frozenset[str]], forum: bool
) -> bool:
    """A meeting word whose two sides name it as theirs, as a summit's must to be bilateral:
    right after a hyphenated pair ("भारत-रूस समिट"), or in the same clause after two sides
    and a "between" postposition ("A और B के बीच होने वाला शिखर सम्मेलन")."""
    if compound_sides(t, ents, folded, nouns_only=False, words=0):
        return True
    if forum:
        return False  # "A और B के बीच तनाव के बीच ब्रिक्स शिखर सम्मेलन": the forum's summit
    between = words.get("between_post", frozenset())
    genitive = words.get("genitive", frozenset())
    sides = [e for e in ents if e.end <= t.start and e.party]
    for i, e in enumerate(sides):
        gap = folded[e.end : t.start].strip()
        for w in between:
            rest = gap[len(w) :]
            if (
                gap.startswith(w)
                and rest[:1] in ("", " ")
                and len(rest.split()) <= _BETWEEN_GAP
                and not any(ch in rest for ch in ",;:।|()")
                # ... nor a phrase of its own: "के बीच युद्धविराम के बाद" (after), not between
                and not genitive.intersection(rest.split())
                and any(o.party != e.party for o in sides[:i])
                # only a place may stand in the frame: another side there opens a clause of
                # its own ("A और B के बीच तनाव के बीच C ... शिखर सम्मेलन": amid, not between)
                and all(o.slot == "loc" or o.place_only for o in ents if e.end < o.start < t.start)
            ):
                return True
    return False


# the words a "between" frame may put before its meeting noun: article, date, place, kind
# ("के बीच इस वर्ष अक्टूबर में भारत में दूसरा शिखर सम्मेलन")
_BETWEEN_GAP = 8


def weak_ok(
    ents: list[Entity],
    cues: set[str],
    live: list[tuple[Trigger, str]],
    folded: str,
    words: Mapping[str, frozenset[str]] | None = None,
) -> bool:
    """A weak word (visit, welcome, signed) counts only between two named officials, or
    right after a hyphenated pair of sides ("भारत-पाकिस्तान चर्चा")."""
    forum = "forum" in cues

    def named_by_its_sides() -> bool:
        # looked at last: most sentences are settled by the cheaper tests below
        if words is None:
            return any(compound_sides(t, ents, folded, nouns_only=False, words=0) for t, _ in live)
        return any(two_sided(t, ents, folded, words, forum) for t, _ in live)

    if ("multilateral" in cues or forum) and "bilateral" not in cues:
        return words is not None and named_by_its_sides()
    strong = [
        e for e in ents if e.usable and (e.person >= 0 or e.official or e.visit or e.slot == "dest")
    ]
    if {"pronoun", "first_person"} & cues and any(
        e.usable and e.slot == "dest" and e.place_only for e in ents
    ):
        return True  # "उन्होंने अपने दिल्ली दौरे को स्थगित कर दिया": the visitor is the one spoken of
    if len({e.party for e in strong}) >= 2 or any(e.visit for e in ents):
        return True
    # the weak word right after the pair: "भारत-पाकिस्तान चर्चा", not "... सामन्याची चर्चा"
    return named_by_its_sides()
