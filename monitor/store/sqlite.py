"""The embedded SQLite store (aiosqlite): one file, WAL, one writer at a time.

Durability: WAL with ``synchronous=NORMAL``. A committed transaction survives the process
being killed (``kill -9``: the WAL is in the OS page cache and is replayed on open); only a
power loss or kernel crash can lose the last few commits, never corrupt the file, and losing
them means the poll is processed again (idempotent keys) and at worst the one delivery marked
sent in that window repeats. ``FULL`` would fsync every poll's commit (thousands per pass on a
big source list) for that narrower case.

The schema and the row mapping live in ``sqlite_schema.py``; the poll's transaction in
``sqlite_tx.py``; events and alert threads in ``sqlite_events.py``; the outbox and housekeeping
in ``sqlite_outbox.py``; source states (write-through cache, group commit) in
``sqlite_states.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import aiosqlite
import structlog

from monitor.model import utcnow
from monitor.store.base import (
    SourcePlan,
    SourceState,
)
from monitor.store.sqlite_outbox import SqliteOutbox
from monitor.store.sqlite_schema import (
    MIGRATIONS,
    AddColumn,
    state_from_row,
    ts,
)
from monitor.store.sqlite_states import SourceStates
from monitor.store.sqlite_tx import SqliteTransaction

log = structlog.get_logger(__name__)


class SqliteStore(SqliteOutbox):
    """``Store`` on one SQLite file. Open with ``await SqliteStore.open(path)``."""

    def __init__(self, url: str, conn: aiosqlite.Connection) -> None:
        self.url = url
        self._conn = conn
        self._tx = SqliteTransaction(conn)
        # One connection, one writer: transactions and single writes take turns.
        self._lock = asyncio.Lock()
        self._states = SourceStates(conn, self._lock, self._write)

    @classmethod
    async def open(cls, path: str | Path, *, url: str | None = None) -> SqliteStore:
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(target, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=10000")
            store = cls(url or f"sqlite:///{target}", conn)
            await store._migrate()
        except BaseException:
            await conn.close()
            raise
        log.debug("store.opened", path=target)
        return store

    async def close(self) -> None:
        await self._states.drain()
        async with self._lock:
            await self._conn.close()

    async def _migrate(self) -> None:
        conn = self._conn
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
        )
        for name, statements in MIGRATIONS:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                async with conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
                ) as cur:
                    done = await cur.fetchone()
                if not done:
                    for statement in statements:
                        if isinstance(statement, AddColumn):
                            if await self._has_column(statement.table, statement.column):
                                continue
                            statement = statement.sql
                        await conn.execute(statement)
                    await conn.execute(
                        "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                        (name, ts(utcnow())),
                    )
                    log.info("store.migrated", migration=name)
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise

    async def _has_column(self, table: str, column: str) -> bool:
        async with self._conn.execute(f"PRAGMA table_info({table})") as cur:
            return column in [row["name"] async for row in cur]

    async def applied_migrations(self) -> list[str]:
        async with self._conn.execute(
            "SELECT name FROM schema_migrations ORDER BY applied_at, name"
        ) as cur:
            return [row[0] async for row in cur]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTransaction]:
        async with self._lock:
            self._tx.saved = []
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._tx
            except BaseException:
                # Also on cancellation: shielded, and queued behind any statement the
                # worker thread is still running (BEGIN included), so nothing of this unit
                # survives and the connection is never left inside a transaction.
                await asyncio.shield(self._rollback())
                raise
            try:
                # Shielded: a cancellation arriving now must not leave "did it commit?" open.
                await asyncio.shield(self._conn.commit())
            except sqlite3.Error:
                await asyncio.shield(self._rollback())
                raise
            self._states.committed(self._tx.saved)

    async def _rollback(self) -> None:
        # OperationalError: no transaction was open (BEGIN failed or never ran).
        with contextlib.suppress(sqlite3.OperationalError):
            await self._conn.execute("ROLLBACK")

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self.transaction():
            yield self._conn

    # -- sources -------------------------------------------------------------------------

    async def sync_sources(self, plans: Mapping[str, SourcePlan], now: datetime) -> None:
        try:
            await self._sync_sources(plans, now)
        finally:
            # Rows may have been reset: the cache reads them again.
            self._states.forget()

    async def _sync_sources(self, plans: Mapping[str, SourcePlan], now: datetime) -> None:
        async with self._write() as conn:
            await conn.execute("UPDATE sources SET active = 0")
            for source_id, plan in plans.items():
                async with conn.execute(
                    "SELECT fingerprint, next_due_at FROM sources WHERE source_id = ?",
                    (source_id,),
                ) as cur:
                    row = await cur.fetchone()
                first = ts(plan.first_due_at)
                known = row["fingerprint"] if row is not None else None
                # A row without a fingerprint (saved before any sync) adopts the plan's.
                if row is None or (known is not None and known != plan.fingerprint):
                    if row is not None:
                        log.info("source.reset", source_id=source_id, reason="config changed")
                    await conn.execute("DELETE FROM sources WHERE source_id = ?", (source_id,))
                    await conn.execute(
                        "INSERT INTO sources (source_id, fingerprint, active, next_due_at)"
                        " VALUES (?, ?, 1, ?)",
                        (source_id, plan.fingerprint, first),
                    )
                    continue
                due = row["next_due_at"]
                if first is None:
                    due = None
                elif due is None or due < now.timestamp():
                    due = first
                await conn.execute(
                    "UPDATE sources SET active = 1, next_due_at = ?, fingerprint = ?"
                    " WHERE source_id = ?",
                    (due, plan.fingerprint, source_id),
                )

    async def claim_due_sources(self, now: datetime, limit: int, lease_s: float) -> list[str]:
        if limit <= 0:
            return []
        t = ts(now)
        assert t is not None
        async with self._write() as conn:
            async with conn.execute(
                "SELECT source_id FROM sources WHERE active = 1 AND next_due_at IS NOT NULL"
                " AND next_due_at <= ? ORDER BY next_due_at LIMIT ?",
                (t, limit),
            ) as cur:
                ids = [row[0] async for row in cur]
            if ids:
                marks = ",".join("?" * len(ids))
                await conn.execute(
                    f"UPDATE sources SET next_due_at = ? WHERE source_id IN ({marks})",
                    (t + lease_s, *ids),
                )
        self._states.claimed(ids, now + timedelta(seconds=lease_s))
        return ids

    async def source_state(self, source_id: str) -> SourceState:
        return await self._states.get(source_id)

    async def source_states(self) -> dict[str, SourceState]:
        async with self._lock, self._conn.execute("SELECT * FROM sources") as cur:
            return {row["source_id"]: state_from_row(row) async for row in cur}

    async def save_source_state(self, state: SourceState) -> None:
        await self._states.save(state)

    # -- leases --------------------------------------------------------------------------

    async def acquire_lease(self, name: str, now: datetime, ttl_s: float) -> bool:
        # One process owns the file: there is nobody to share with.
        return True

    async def release_lease(self, name: str) -> None:
        return None
