"""Source states of the SQLite store: read from memory, saved by group commit.

A poll that brings no items (a 304, an empty feed) changes one row: the source's validators,
due time and status (items already seen still go through the poll's transaction, which
refreshes their retention). Done one statement at a time, each save costs
several hops to aiosqlite's thread and a commit of its own, which was most of the CPU of a
conditional pass (5.7x a bare aiohttp loop per poll). Two changes remove that cost without
weakening anything:

- reads come from a write-through cache. One process owns the SQLite file (see
  ``sqlite.py``), so every write to ``sources`` passes through the store, which keeps the
  cache right: a committed save updates it, a claim moves the cached due time, a sync of the
  configured sources (which may reset rows) reloads it;
- ``save`` is a row of the poll path's group commit (``sqlite_batch.py``): the saves of one
  turn of the loop are one executemany, sharing the commit with the other polls; it returns
  only once its state is committed, so a Retry-After or a backoff is as durable as before;
  a failed commit raises in every unit of that batch and leaves the cache as the file is.

The cache is loaded whole after the startup sync of the configured sources (``warm``), so
no poll reads its state from the file, and the listing of every state (the silence check
at the end of ``bilat once`` and on the daemon's ticker, ``/metrics``) is a copy of it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from monitor.store.base import SourceState
from monitor.store.sqlite_batch import GroupCommit
from monitor.store.sqlite_schema import (
    SAVE_STATE,
    state_from_row,
    state_from_values,
    state_params,
)


class SourceStates:
    """The cache, and saves through the group commit."""

    def __init__(self, db: sqlite3.Connection, batch: GroupCommit) -> None:
        self._db = db
        self._batch = batch
        self._cache: dict[str, SourceState] = {}
        self._whole = False  # every row of ``sources`` is cached (since ``warm``)

    async def get(self, source_id: str) -> SourceState:
        """The committed state of ``source_id``."""
        cached = self._cache.get(source_id)
        if cached is not None:
            return cached
        # Between units (they never suspend): this may see the open batch's rows, which
        # commit or fail with their polls; only this source's own poll writes its row.
        row = self._db.execute("SELECT * FROM sources WHERE source_id = ?", (source_id,)).fetchone()
        if row is None:
            return SourceState(source_id)  # not cached: a sync may insert the row
        return self._cache.setdefault(source_id, state_from_row(row))

    def all(self) -> dict[str, SourceState] | None:
        """Every committed state, when the cache holds them all (else None: read the file)."""
        return dict(self._cache) if self._whole else None

    async def save(self, state: SourceState) -> None:
        """Commit ``state``, sharing the commit with the other polls of this turn."""
        await self._batch.row(SAVE_STATE, state_params(state), lambda: self.committed([state]))

    def committed(self, states: Iterable[SourceState]) -> None:
        """States a commit has just made durable."""
        for state in states:
            self._cache[state.source_id] = state

    def claimed(self, source_ids: Iterable[str], until: datetime) -> None:
        for source_id in source_ids:
            cached = self._cache.get(source_id)
            if cached is not None:
                self._cache[source_id] = cached.evolve(next_due_at=until)

    def warm(self, rows: Iterable[Sequence[Any]]) -> None:
        """Replace the cache with these rows (all of ``sources``, after a sync), each
        starting with ``STATE_COLUMNS``."""
        self._cache = {row[0]: state_from_values(row) for row in rows}
        self._whole = True
