"""The visitor an earlier sentence named: "... held talks with the visiting president".

Wire stories name the visitor in the first sentence ("Argentina's president arrived in New
Delhi on Thursday") and then call them by role alone ("Modi held talks with the visiting
president"). An official named only by role right after the language's "visiting" cue, with
no country of its own (or only the meeting place's), is the other side of the latest earlier
pair that this sentence names one side of.
"""

from __future__ import annotations

from rules.bilateral.frames import NATIONAL_OFFICES, Entity
from rules.bilateral.status import Cue


def the_visitor(ents: list[Entity], cues: list[Cue], earlier: list[tuple[str, str]]) -> None:
    """Give "the visiting <role>" the country of the visitor of ``earlier`` (pairs of the
    sentences read before, in order)."""
    marks = [c for c in cues if c.name == "visiting"]
    if not marks or not earlier:
        return
    named = {e.party for e in ents if e.party and e.usable and e.source != "host"}
    for ent in ents:
        # the meeting place gives an unnamed official its country, but a visitor is not
        # the host's ("received the visiting president at the Great Hall of the People")
        if ent.party and ent.source != "host":
            continue
        if ent.codes or ent.nonofficial or ent.former or ent.counterpart:
            continue
        if ent.role not in NATIONAL_OFFICES or ent.slot in ("loc", "topic"):
            continue
        if not any(0 <= ent.start - c.end <= 2 for c in marks):
            continue
        for pair in reversed(earlier):
            rest = [p for p in pair if p not in named]
            if len(rest) == 1:
                ent.party, ent.source = rest[0], "main"
                break
