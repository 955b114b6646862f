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
  configured sources (which may reset rows) clears it;
- ``save`` is a group commit. Saves that arrive while a commit is running wait for the next
  one, which writes all of them in one transaction. ``save`` returns only once its state is
  committed, so a Retry-After or a backoff is as durable as before; a failed commit raises in
  every saver of that batch and leaves the cache as the file is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

import aiosqlite

from monitor.store.base import SourceState
from monitor.store.sqlite_schema import SAVE_STATE, state_from_row, state_params

Writer = Callable[[], AbstractAsyncContextManager[Any]]


def _consume(future: asyncio.Future[None]) -> None:
    # Every saver may have been cancelled: fetch the outcome so asyncio does not report an
    # exception "never retrieved".
    if not future.cancelled():
        future.exception()


class SourceStates:
    """The cache and the group commit; ``write`` opens the store's write transaction."""

    def __init__(self, conn: aiosqlite.Connection, lock: asyncio.Lock, write: Writer) -> None:
        self._conn = conn
        self._lock = lock  # the store's: a read must not see another task's open transaction
        self._write = write
        self._cache: dict[str, SourceState] = {}
        self._pending: dict[str, SourceState] = {}
        self._waiter: asyncio.Future[None] | None = None
        self._flusher: asyncio.Task[None] | None = None

    async def get(self, source_id: str) -> SourceState:
        """The committed state of ``source_id``."""
        cached = self._cache.get(source_id)
        if cached is not None:
            return cached
        async with self._lock:
            rows = list(
                await self._conn.execute_fetchall(
                    "SELECT * FROM sources WHERE source_id = ?", (source_id,)
                )
            )
        if not rows:
            return SourceState(source_id)  # not cached: a sync may insert the row
        state = state_from_row(rows[0])
        # setdefault: a save committed while we read is newer than what we read.
        return self._cache.setdefault(source_id, state)

    async def save(self, state: SourceState) -> None:
        """Commit ``state``, sharing the commit with the saves that arrive meanwhile."""
        self._pending[state.source_id] = state
        if self._waiter is None:
            self._waiter = asyncio.get_running_loop().create_future()
            self._waiter.add_done_callback(_consume)
        waiter = self._waiter
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush(), name="bilat-state-commit")
        # Shielded: a saver cancelled at shutdown does not cancel the commit the others share.
        await asyncio.shield(waiter)

    async def drain(self) -> None:
        """Wait until every save so far is committed (before the connection closes)."""
        while self._flusher is not None:
            await asyncio.shield(self._flusher)

    def committed(self, states: Iterable[SourceState]) -> None:
        """States a poll's transaction has just committed."""
        for state in states:
            self._cache[state.source_id] = state

    def claimed(self, source_ids: Iterable[str], until: datetime) -> None:
        for source_id in source_ids:
            cached = self._cache.get(source_id)
            if cached is not None:
                self._cache[source_id] = cached.evolve(next_due_at=until)

    def forget(self) -> None:
        """The ``sources`` rows changed wholesale (a sync): read them again."""
        self._cache.clear()

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, waiter = self._pending, self._waiter
                self._pending, self._waiter = {}, None
                assert waiter is not None
                try:
                    async with self._write() as conn:
                        params = [state_params(state) for state in batch.values()]
                        await conn.executemany(SAVE_STATE, params)
                except asyncio.CancelledError:
                    waiter.cancel()
                    raise
                except BaseException as exc:
                    waiter.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                else:
                    self.committed(batch.values())
                    waiter.set_result(None)
        finally:
            self._flusher = None
            if self._pending and self._waiter is not None and not self._waiter.done():
                # Cancelled with saves still queued: they fail rather than hang.
                self._waiter.set_exception(RuntimeError("the store closed before this save"))
                self._pending = {}
                self._waiter = None
