"""What the status model is told about one pair in one sentence.

The grammar proposes the pair; the model decides its status. It reads the sentence with the
two sides masked (``⟨a⟩``, ``⟨b⟩``, other parties ``⟨x⟩``), so it learns how a language says
"met", "will meet" or "spoke by phone" around any two parties rather than which countries
tend to meet; and it reads the grammar's own view (the meeting word's group, the cues around
it, how each side was found) as evidence, not as a verdict.
"""

from __future__ import annotations

from rules.bilateral.frames import Entity
from rules.bilateral.pairing import Pairing
from rules.bilateral.status import Trigger

MASKED = "m:"  # prefix of the one feature that carries the masked sentence


def _flags(tag: str, e: Entity | None, how: str) -> list[str]:
    out = [f"{tag}how:{how}"]
    if e is None:
        return out
    for name in ("official", "nonofficial", "former", "subnational", "place_only", "org"):
        if getattr(e, name):
            out.append(f"{tag}{name}")
    if e.slot:
        out.append(f"{tag}slot:{e.slot}")
    return out


def masked_sentence(p: Pairing, ents: list[Entity], folded: str) -> str:
    a, b = p.a.party, p.b.party
    parts: list[str] = []
    pos = 0
    for e in sorted(ents, key=lambda e: e.start):
        if e.start < pos:
            continue
        mark = "⟨a⟩" if e.party == a else "⟨b⟩" if e.party == b else "⟨x⟩" if e.party else ""
        if not mark:
            continue
        parts.append(folded[pos : e.start])
        parts.append(mark)
        pos = e.end
    parts.append(folded[pos:])
    return " ".join("".join(parts).split())


# cues that only bound another cue's reach (status.py), no evidence of a meeting themselves
_SCOPE_ONLY = frozenset(("clause_open",))


def pair_features(
    p: Pairing, status: str, t: Trigger, cues: set[str], ents: list[Entity], folded: str
) -> tuple[str, ...]:
    feats = [f"g:{status}", f"t:{t.group}", f"tw:{t.text}"]
    if t.noun:
        feats.append("t:noun")
    feats.extend(f"c:{c}" for c in sorted(cues - _SCOPE_ONLY))
    feats.extend(_flags("a:", p.a.entity, p.a.how))
    feats.extend(_flags("b:", p.b.entity, p.b.how))
    parties = {e.party for e in ents if e.party}
    feats.append(f"np:{min(len(parties), 4)}")
    if folded:
        feats.append(MASKED + masked_sentence(p, ents, folded))
    return tuple(feats)
