"""The poll path's plain ``sqlite3`` connection, with the subset of aiosqlite's interface the
transaction code uses (``sqlite_batch.py`` says why): nothing in it ever suspends."""

from __future__ import annotations

import sqlite3
from collections.abc import Generator, Iterable, Sequence
from typing import Any


class SyncCursor:
    """An aiosqlite-like cursor over a ``sqlite3.Cursor`` (nothing suspends)."""

    __slots__ = ("_cur",)

    def __init__(self, cur: sqlite3.Cursor) -> None:
        self._cur = cur

    def __await__(self) -> Generator[Any, None, SyncCursor]:
        return self
        yield  # a generator that returns at once: awaiting it never suspends

    async def __aenter__(self) -> SyncCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cur.close()

    def __aiter__(self) -> SyncCursor:
        return self

    async def __anext__(self) -> Any:
        row = self._cur.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row

    async def fetchone(self) -> Any:
        return self._cur.fetchone()

    async def fetchall(self) -> list[Any]:
        return self._cur.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount


class SyncConnection:
    """The statements of aiosqlite's ``Connection`` that the transaction code uses, run
    directly on a ``sqlite3`` connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> SyncCursor:
        return SyncCursor(self.db.execute(sql, parameters))

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> SyncCursor:
        return SyncCursor(self.db.executemany(sql, parameters))

    @property
    def total_changes(self) -> int:
        return self.db.total_changes


def connect(path: str) -> sqlite3.Connection:
    """The poll path's connection: autocommit mode (transactions are explicit), WAL settings
    as on the store's other connection, no automatic checkpoint."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    for pragma in (
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=0",  # never wait on the loop: GroupCommit waits asynchronously
        "PRAGMA wal_autocheckpoint=0",
        # Each unit is a SAVEPOINT: with temporary files on disk, SQLite opens, writes and
        # unlinks a sub-journal file per unit (and a statement journal per multi-row
        # statement); in memory they cost no system calls. They hold one unit's original
        # pages, and vanish with the process exactly as the deleted file did.
        "PRAGMA temp_store=MEMORY",
    ):
        db.execute(pragma)
    return db
