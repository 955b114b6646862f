"""A sentence's meeting words and cue words as the status rules read them (kept apart from
``rules.bilateral.status`` so that the modules it asks, ``rules.bilateral.plans``, can name
them without importing it)."""

from __future__ import annotations

from typing import NamedTuple


class Trigger(NamedTuple):
    start: int
    end: int
    group: str  # held | weak | visit | scheduled | call | present | talk
    text: str  # folded surface, for tests and debugging
    noun: bool = False  # "meeting", "talks" (English): a modal after it still governs it

    @property
    def strong(self) -> bool:
        return self.group not in ("weak", "visit", "talk")


class Cue(NamedTuple):
    start: int
    end: int
    name: str
