"""The SQLite store's side connection: reads that need no lock, and the passive checkpoints.

The store's lock keeps its two writing connections (aiosqlite's, the poll path's) from
writing at once; a poll's commit waits for whoever holds it. Some holders only read: the
silent-source watch's scan of ``seen`` (``new_item_times``: up to 60 ms with thousands of
sources, every 30 s), the episodes, the outbox depth for ``/metrics``. And a passive
checkpoint, run on aiosqlite's thread, held the lock (10-40 ms) only so that no write on
that thread would queue behind it.

None of them needs the lock. In WAL mode a reader sees the last committed snapshot and
neither waits for the writer nor makes it wait, and a PASSIVE checkpoint takes no writer's
lock either (it copies what no reader still needs, then returns). Under the lock these reads
saw exactly that snapshot too: the lock only excluded the poll path's open batch, which no
other connection sees before its COMMIT. So they run here, on a third connection with a
thread of its own (their rows are also turned into values there, off the event loop), and
the lock is left to writers. No automatic checkpoint runs on the writing connections
(``wal_autocheckpoint=0`` on both): a commit never stops to copy the WAL while holding the
lock; the store asks for a passive one here every ``CHECKPOINT_EVERY`` commits.

An in-memory store (tests) has no WAL: its side is None and these reads take the lock.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import structlog

from monitor.store.sqlite_batch import CHECKPOINT_EVERY, CHECKPOINT_UNITS

log = structlog.get_logger(__name__)

T = TypeVar("T")


class SideConnection:
    """A read-only use of the store's file on one thread of its own (module docstring)."""

    def __init__(self, pool: ThreadPoolExecutor, db: sqlite3.Connection) -> None:
        self._pool = pool
        self._db = db
        self._closed = False

    @classmethod
    async def open(cls, path: str) -> SideConnection:
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-side")
        loop = asyncio.get_running_loop()
        try:
            db = await loop.run_in_executor(pool, _connect, path)
        except BaseException:
            pool.shutdown(wait=False)
            raise
        return cls(pool, db)

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn(connection)`` on the side's thread: statements there, one at a time."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, self._db)

    async def checkpoint(self) -> tuple[int, int, int]:
        """A PASSIVE checkpoint: (busy, frames in the WAL, frames checkpointed)."""
        return await self.run(_checkpoint)

    async def close(self) -> None:
        """Close the connection and its thread; a second call does nothing (as a store's)."""
        if self._closed:
            return
        self._closed = True
        try:
            await self.run(lambda db: db.close())
        finally:
            self._pool.shutdown(wait=True)


def _connect(path: str) -> sqlite3.Connection:
    # Autocommit: each read is its own short read transaction (a fresh snapshot). query_only
    # makes a write here an error: this connection never takes SQLite's write lock.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA busy_timeout=10000")  # its own thread: waiting blocks nobody
    db.execute("PRAGMA query_only=ON")
    db.execute("PRAGMA wal_autocheckpoint=0")
    return db


def _checkpoint(db: sqlite3.Connection) -> tuple[int, int, int]:
    row = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return (int(row[0]), int(row[1]), int(row[2]))


class Checkpoints:
    """When the store checkpoints: after ``CHECKPOINT_EVERY`` commits (the poll path's
    batches and aiosqlite's own transactions) or ``CHECKPOINT_UNITS`` units with savepoints
    since the last one, one at a time, never once the store is closing (the last
    connection's close checkpoints)."""

    def __init__(self, run: Callable[[], Awaitable[object]]) -> None:
        self._run = run  # one passive checkpoint
        self._task: asyncio.Task[None] | None = None
        self._at = (0, 0)  # commits and units at the last checkpoint
        self._batched = (0, 0)  # the poll path's commits and units so far
        self._others = 0  # aiosqlite's write transactions committed so far
        self._closing = False

    def batch_committed(self, commits: int, units: int) -> None:
        """After each of the poll path's commits (``GroupCommit``'s counts so far)."""
        self._batched = (commits, units)
        self._when_due()

    def other_committed(self) -> None:
        """After each write transaction on aiosqlite's connection."""
        self._others += 1
        self._when_due()

    def _when_due(self) -> None:
        commits, units = self._batched[0] + self._others, self._batched[1]
        if self._closing or (self._task is not None and not self._task.done()):
            return
        if commits >= self._at[0] + CHECKPOINT_EVERY or units >= self._at[1] + CHECKPOINT_UNITS:
            self._at = (commits, units)
            self._task = asyncio.create_task(self._checkpoint(), name="sqlite-checkpoint")

    async def _checkpoint(self) -> None:
        try:
            await self._run()
        except sqlite3.Error:
            log.warning("store.checkpoint_failed", exc_info=True)

    async def close(self) -> None:
        self._closing = True
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
