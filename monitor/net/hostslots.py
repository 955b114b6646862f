"""Per-host concurrency: at most ``limit`` requests in flight per host:port."""

from __future__ import annotations

import asyncio
from typing import Any


class HostSlots:
    """One semaphore per host:port, created on demand and dropped when idle.

    ``enter`` / ``leave`` are synchronous and callers await the semaphore themselves: a
    request waiting for its host keeps one coroutine frame less alive (it shows in GC time
    when thousands of polls wait at once). Long-lived streams take no slot.
    """

    __slots__ = ("_entries", "_limit")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._entries: dict[str, list[Any]] = {}  # key -> [Semaphore, users]

    def enter(self, key: str) -> asyncio.Semaphore:
        """Register a user of ``key``; returns the semaphore to acquire (and release)."""
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = [asyncio.Semaphore(self._limit), 0]
        entry[1] += 1
        semaphore: asyncio.Semaphore = entry[0]
        return semaphore

    def leave(self, key: str) -> None:
        """Unregister a user of ``key`` (after releasing the semaphore, or on failure)."""
        entry = self._entries[key]
        entry[1] -= 1
        if entry[1] == 0:
            del self._entries[key]

    def in_use(self) -> int:
        """Hosts with a request in flight or waiting (for tests and metrics)."""
        return len(self._entries)
