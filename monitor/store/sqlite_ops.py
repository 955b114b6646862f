"""Operations queries of the SQLite store (a part of ``SqliteStore``): the readiness write
probe, outbox depth per notifier, leases (none: one process owns the file). The reads run on
the side connection, without the store's lock (``sqlite_side.py``)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TypeVar

import aiosqlite

from monitor.store.ops_types import LeaseHolder, SilenceEpisode
from monitor.store.sqlite_schema import dt
from monitor.store.sqlite_side import SideConnection

T = TypeVar("T")

# Per source its newest ``?2`` distinct first-seen times, those since ``?1`` (and always the
# newest, however old): one per poll that brought something new (monitor/watch/silence.py).
NEW_ITEM_TIMES = """
SELECT source_id, first_seen FROM (
    SELECT source_id, first_seen,
           ROW_NUMBER() OVER (PARTITION BY source_id ORDER BY first_seen DESC) AS n
    FROM (SELECT DISTINCT source_id, first_seen FROM seen)
) WHERE n <= ?2 AND (n = 1 OR first_seen >= ?1)
ORDER BY source_id, first_seen DESC
"""

PROBE_ROW = "~probe"  # never a migration's name (they start with digits)
PROBE_BYTES = 65536


class SqliteOps:
    """Readiness and metrics methods of ``SqliteStore``."""

    _conn: aiosqlite.Connection
    _db: sqlite3.Connection
    _lock: asyncio.Lock
    _side: SideConnection | None

    def _write(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn(connection)``, reading the last committed state: on the side connection's
        thread without the lock; in memory (no side) on the poll path's connection between
        batches (the lock held: no batch open)."""
        if self._side is not None:
            return await self._side.run(fn)
        async with self._lock:
            return fn(self._db)

    async def probe_write(self) -> None:
        # A row big enough to need fresh pages (a full file or ``max_page_count`` refuses
        # it), deleted again in the same transaction, and rewriting user_version with its own
        # value: a real write (the header page goes through the WAL) that changes nothing; a
        # full disk or a file size limit fails it.
        async with self._write() as conn:
            await conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, zeroblob(?))",
                (PROBE_ROW, PROBE_BYTES),
            )
            await conn.execute("DELETE FROM schema_migrations WHERE name = ?", (PROBE_ROW,))
            async with conn.execute("PRAGMA user_version") as cur:
                row = await cur.fetchone()
            version = int(row[0]) if row else 0
            await conn.execute(f"PRAGMA user_version = {version}")

    async def outbox_counts(self) -> dict[tuple[str, str], int]:
        return await self._read(_outbox_counts)

    async def item_counts(self, since: datetime) -> dict[str, tuple[int, int]]:
        return await self._read(lambda db: _item_counts(db, since.timestamp()))

    async def lease_holders(self, now: datetime) -> list[LeaseHolder]:
        return []

    async def new_item_times(
        self, *, since: datetime, per_source: int
    ) -> dict[str, list[datetime]]:
        return await self._read(lambda db: _new_item_times(db, since.timestamp(), per_source))

    async def silence_episodes(self) -> dict[str, SilenceEpisode]:
        return await self._read(_silence_episodes)


# Each of these runs whole on the connection's thread: the rows become values there too.


def _outbox_counts(db: sqlite3.Connection) -> dict[tuple[str, str], int]:
    return {
        (row[0], row[1]): int(row[2])
        for row in db.execute(
            "SELECT notifier, state, COUNT(*) FROM outbox WHERE state != 'sent'"
            " GROUP BY notifier, state"
        )
    }


def _item_counts(db: sqlite3.Connection, since: float) -> dict[str, tuple[int, int]]:
    return {
        row[0]: (int(row[1]), int(row[2] or 0))
        for row in db.execute(
            "SELECT source_id, COUNT(*), SUM(first_seen >= ?) FROM seen GROUP BY source_id",
            (since,),
        )
    }


def _new_item_times(
    db: sqlite3.Connection, since: float, per_source: int
) -> dict[str, list[datetime]]:
    out: dict[str, list[datetime]] = {}
    for row in db.execute(NEW_ITEM_TIMES, (since, per_source)):
        out.setdefault(row[0], []).append(dt(row[1]))  # type: ignore[arg-type]
    return out


def _silence_episodes(db: sqlite3.Connection) -> dict[str, SilenceEpisode]:
    return {
        row["source_id"]: SilenceEpisode(
            row["source_id"],
            row["episode_id"],
            dt(row["since"]),  # type: ignore[arg-type]
            dt(row["opened_at"]),  # type: ignore[arg-type]
            row["reason"],
        )
        for row in db.execute("SELECT * FROM source_silences")
    }
