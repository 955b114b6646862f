"""Values derived once per object, for objects that can be neither hashed by value nor weakly
referenced (frozen, slotted: the roster, a language's lexicon).

Keyed by ``id()`` and checked by identity, so a later object that reuses a freed one's id is
never given its value; each entry holds its object, so the cache is bounded: a process reads
one roster and one gazetteer's lexicons, tests build a few more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class IdentityCache(Generic[K, V]):
    def __init__(self, derive: Callable[[K], V], limit: int = 64) -> None:
        self._derive = derive
        self._limit = limit
        self._known: dict[int, tuple[K, V]] = {}

    def __call__(self, obj: K) -> V:
        known = self._known.get(id(obj))
        if known is not None and known[0] is obj:
            return known[1]
        if len(self._known) >= self._limit:
            self._known.clear()
        value = self._derive(obj)
        self._known[id(obj)] = (obj, value)
        return value
