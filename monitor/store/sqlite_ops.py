"""Operations queries of the SQLite store (a part of ``SqliteStore``): the readiness write
probe, outbox depth per notifier, leases (none: one process owns the file)."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from datetime import datetime

import aiosqlite

from monitor.store.ops_types import LeaseHolder

PROBE_ROW = "~probe"  # never a migration's name (they start with digits)
PROBE_BYTES = 65536


class SqliteOps:
    """Readiness and metrics methods of ``SqliteStore``."""

    _conn: aiosqlite.Connection
    _lock: asyncio.Lock

    def _write(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError

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
        async with (
            self._lock,
            self._conn.execute(
                "SELECT notifier, state, COUNT(*) FROM outbox WHERE state != 'sent'"
                " GROUP BY notifier, state"
            ) as cur,
        ):
            return {(row[0], row[1]): int(row[2]) async for row in cur}

    async def item_counts(self, since: datetime) -> dict[str, tuple[int, int]]:
        async with (
            self._lock,
            self._conn.execute(
                "SELECT source_id, COUNT(*), SUM(first_seen >= ?) FROM seen GROUP BY source_id",
                (since.timestamp(),),
            ) as cur,
        ):
            return {row[0]: (int(row[1]), int(row[2] or 0)) async for row in cur}

    async def lease_holders(self, now: datetime) -> list[LeaseHolder]:
        return []
