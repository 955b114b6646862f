"""A meeting named as the purpose of a journey is still to come.

"लावरोव से मुलाकात के लिए मॉस्को रवाना", "روبیو سے ملاقات کیلئے واشنگٹن روانہ": a meeting word,
the purpose postposition ("के लिए", "کے لیے") and then, in the same clause, a verb of
leaving, arriving or going (the language's ``motion`` words; "~" ends a stem) report the
journey; the meeting is a plan. Read only where a language lists ``purpose`` words (its
[words]); "thank you for the meeting" has no verb of motion and stays as it was.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from rules.bilateral.glue import word_listed, words_of


class _Worded(Protocol):
    """A meeting word: where it ends (``rules.bilateral.status.Trigger``, which imports this)."""

    @property
    def end(self) -> int: ...


Trigger = TypeVar("Trigger", bound=_Worded)

_REACH = 6  # words between the purpose word and the verb: the destination and a time


def purpose_tense(
    statuses: list[tuple[Trigger, str]], folded: str, words: dict[str, frozenset[str]]
) -> list[tuple[Trigger, str]]:
    """Held readings of meeting words that a journey is made for, read as scheduled."""
    purpose = words.get("purpose", frozenset())
    motion = words.get("motion", frozenset())
    if not purpose or not motion:
        return statuses
    genitive = words.get("genitive", frozenset())
    return [
        (
            t,
            "scheduled"
            if st == "held" and _journey(folded[t.end :], purpose, motion, genitive)
            else st,
        )
        for t, st in statuses
    ]


def _journey(
    after: str, purpose: frozenset[str], motion: frozenset[str], genitive: frozenset[str]
) -> bool:
    ws = words_of(after[:120])
    if ws and ws[0] in genitive:
        ws = ws[1:]  # "के लिए", "کے لیے": the postposition is written after the genitive
    for p in purpose:
        n = len(p.split())
        if " ".join(ws[:n]) != p:
            continue
        for w in ws[n : n + _REACH]:
            if w in ",;:()":
                return False
            if word_listed(w, motion):
                return True
    return False
