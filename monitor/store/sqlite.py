"""The embedded SQLite store (aiosqlite): one file, WAL, one writer at a time.

Durability: WAL with ``synchronous=NORMAL``. A committed transaction survives the process
being killed (``kill -9``: the WAL is in the OS page cache and is replayed on open); only a
power loss or kernel crash can lose the last few commits, never corrupt the file, and losing
them means the poll is processed again (idempotent keys) and at worst the one delivery marked
sent in that window repeats. ``FULL`` would fsync every poll's commit (thousands per pass on a
big source list) for that narrower case.

The poll path (``transaction()`` and source-state saves) runs on a plain ``sqlite3``
connection without a thread hop, several polls sharing one commit (``sqlite_batch.py``);
everything else goes through aiosqlite. The store's lock keeps the two connections from ever
writing at the same time. Reads that need no lock (the silent-source watch's, the outbox
depth) and the passive checkpoints run on a third, read-only connection beside them
(``sqlite_side.py``).

The schema and the row mapping live in ``sqlite_schema.py``; the poll's transaction in
``sqlite_tx.py``; events and alert threads in ``sqlite_events.py``; the outbox and housekeeping
in ``sqlite_outbox.py``; source states (write-through cache, group commit) in
``sqlite_states.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import aiosqlite
import structlog

from monitor.model import utcnow
from monitor.store import claim_owner
from monitor.store.base import (
    SourcePlan,
    SourceState,
)
from monitor.store.sqlite_batch import GroupCommit
from monitor.store.sqlite_ops import SqliteOps
from monitor.store.sqlite_outbox import SqliteOutbox
from monitor.store.sqlite_reads import SqliteReads, backfill_summaries
from monitor.store.sqlite_schema import (
    MIGRATIONS,
    STATE_COLUMNS,
    AddColumn,
    state_from_values,
    ts,
)
from monitor.store.sqlite_side import Checkpoints, SideConnection
from monitor.store.sqlite_states import SourceStates
from monitor.store.sqlite_sync import SyncConnection, connect
from monitor.store.sqlite_tx import SqliteTransaction
from monitor.store.summaries import SUMMARIES_MIGRATION

log = structlog.get_logger(__name__)


# One statement for all sources: new ones start at their first due time; known ones keep
# theirs unless it has passed (then the plan's, spread out); push sources are never due.
SYNC_UPSERT = (
    "INSERT INTO sources (source_id, fingerprint, active, next_due_at)"
    " VALUES (?1, ?2, 1, ?3)"
    " ON CONFLICT(source_id) DO UPDATE SET active = 1,"
    " fingerprint = excluded.fingerprint,"
    " next_due_at = CASE"
    "  WHEN excluded.next_due_at IS NULL THEN NULL"
    "  WHEN sources.next_due_at IS NULL OR sources.next_due_at < ?4"
    "  THEN excluded.next_due_at ELSE sources.next_due_at END"
    " WHERE sources.active = 0"
    "  OR sources.fingerprint IS NOT excluded.fingerprint"
    "  OR (excluded.next_due_at IS NULL AND sources.next_due_at IS NOT NULL)"
    "  OR (excluded.next_due_at IS NOT NULL"
    "   AND (sources.next_due_at IS NULL OR sources.next_due_at < ?4))"
)


class SqliteStore(SqliteOutbox, SqliteOps, SqliteReads):
    """``Store`` on one SQLite file. Open with ``await SqliteStore.open(path)``."""

    def __init__(
        self,
        url: str,
        conn: aiosqlite.Connection,
        db: sqlite3.Connection,
        side: SideConnection | None = None,
    ) -> None:
        self.url = url
        self._conn = conn
        self._db = db
        self._side = side  # None: an in-memory store (no WAL), its reads take the lock
        self._tx = SqliteTransaction(SyncConnection(db))
        # One writer at a time, whichever connection it uses.
        self._lock = asyncio.Lock()
        self._checkpoints = Checkpoints(self._run_checkpoint)
        self._batch = GroupCommit(db, self._lock, on_commits=self._checkpoints.batch_committed)
        self._states = SourceStates(db, self._batch)

    @classmethod
    async def open(cls, path: str | Path, *, url: str | None = None) -> SqliteStore:
        target = str(path)
        memory = target == ":memory:"
        if memory:
            # Two connections must see one database: a named in-memory one, shared.
            target = (
                f"file:bilat-{id(cls)}-{asyncio.get_running_loop().time()}?mode=memory&cache=shared"
            )
        else:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(target, isolation_level=None, uri=target.startswith("file:"))
        conn.row_factory = aiosqlite.Row
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=10000")
            if not memory:  # the side connection checkpoints (sqlite_side.py)
                await conn.execute("PRAGMA wal_autocheckpoint=0")
            await cls._migrate_on(conn)
            db = connect(target)
        except BaseException:
            await conn.close()
            raise
        try:
            side = None if memory else await SideConnection.open(target)
        except BaseException:
            db.close()
            await conn.close()
            raise
        store = cls(url or f"sqlite:///{target}", conn, db, side)
        log.debug("store.opened", path=target)
        return store

    async def close(self) -> None:
        await self._batch.drain()
        await self._checkpoints.close()
        try:
            if self._side is not None:
                await self._side.close()
        finally:
            async with self._lock:
                self._db.close()
                await self._conn.close()

    async def _run_checkpoint(self) -> None:
        """A passive checkpoint beside the writers (the writing connections never run one,
        so no commit waits for it): on the side connection, without the lock."""
        if self._side is not None:
            await self._side.checkpoint()
            return
        async with self._lock:
            await self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @classmethod
    async def _migrate_on(cls, conn: aiosqlite.Connection) -> None:
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
                            if await cls._has_column(conn, statement.table, statement.column):
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
        async with conn.execute(
            "SELECT 1 FROM schema_migrations WHERE name = ?", (SUMMARIES_MIGRATION,)
        ) as cur:
            if await cur.fetchone() is None:
                return  # a test holding an older schema back
        await conn.execute("BEGIN IMMEDIATE")
        try:
            filled = await backfill_summaries(conn)
            await conn.commit()
        except BaseException:
            await conn.rollback()
            raise
        if filled:
            log.info("store.backfilled", what="event summaries", rows=filled)

    @staticmethod
    async def _has_column(conn: aiosqlite.Connection, table: str, column: str) -> bool:
        async with conn.execute(f"PRAGMA table_info({table})") as cur:
            return column in [row["name"] async for row in cur]

    async def applied_migrations(self) -> list[str]:
        async with self._conn.execute(
            "SELECT name FROM schema_migrations ORDER BY applied_at, name"
        ) as cur:
            return [row[0] async for row in cur]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTransaction]:
        """A unit of the poll path's group commit (see ``sqlite_batch.py``): all or nothing,
        committed when this returns."""
        async with self._batch.unit() as after_commit:
            tx = self._tx
            tx.saved = []
            tx.urgent = False
            yield tx
            if tx.urgent:
                self._batch.hurry()  # alerts queued: committed at once, not after the turn
            saved = tx.saved
            after_commit(lambda: self._states.committed(saved))

    def gather_commits(self, expected: Callable[[], int] | None, target: int = 0) -> None:
        """A one-shot pass's polls share larger commits (``GroupCommit.gather``)."""
        self._batch.gather(expected, target)

    async def _rollback(self) -> None:
        # OperationalError: no transaction was open (BEGIN failed or never ran).
        with contextlib.suppress(sqlite3.OperationalError):
            await self._conn.execute("ROLLBACK")

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction of its own on the aiosqlite connection (outbox, claims)."""
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
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
        self._checkpoints.other_committed()

    # -- sources -------------------------------------------------------------------------

    async def sync_sources(self, plans: Mapping[str, SourcePlan], now: datetime) -> None:
        async with self._write() as conn:
            # Whole rows, fetched in one hop to aiosqlite's thread (iterating a cursor takes
            # one per 64 rows): they warm the state cache when the sync changes nothing.
            async with conn.execute(f"SELECT {STATE_COLUMNS}, active FROM sources") as cur:
                rows = list(await cur.fetchall())
            known = {row["source_id"]: row for row in rows}
            # A row without a fingerprint (saved before any sync) adopts the plan's; one whose
            # fingerprint changed starts fresh.
            reset = [
                sid
                for sid, plan in plans.items()
                if (row := known.get(sid)) is not None
                and row["fingerprint"] is not None
                and row["fingerprint"] != plan.fingerprint
            ]
            for sid in reset:
                log.info("source.reset", source_id=sid, reason="config changed")
            # Sources no longer configured are never claimed again. Only the rows that change
            # are written (here and below): a restart of an unchanged configuration rewrote
            # every row twice, and the indexes with them.
            gone = [(sid,) for sid, row in known.items() if row["active"] and sid not in plans]
            cutoff = now.timestamp()
            # The rows the statement below would change (its WHERE, read here from the rows
            # in hand), so an unchanged restart sends none of 5,000 sources through it.
            changed = [
                (sid, plan.fingerprint, ts(plan.first_due_at), cutoff)
                for sid, plan in plans.items()
                if _synced_row_changes(known.get(sid), plan, cutoff)
            ]
            await conn.executemany("UPDATE sources SET active = 0 WHERE source_id = ?", gone)
            await conn.executemany("DELETE FROM sources WHERE source_id = ?", [(s,) for s in reset])
            await conn.executemany(SYNC_UPSERT, changed)
            if gone or reset or changed:
                # The cache is loaded whole: no poll then reads its state from the file.
                async with conn.execute(f"SELECT {STATE_COLUMNS}, active FROM sources") as cur:
                    rows = list(await cur.fetchall())
        self._states.warm(rows)

    async def claim_due_sources(
        self, now: datetime, limit: int, lease_s: float, *, heartbeat: bool = True
    ) -> list[str]:
        if limit <= 0:
            return []
        t = ts(now)
        assert t is not None
        # A unit of the poll path's group commit, on its connection: through aiosqlite's
        # thread (BEGIN, SELECT, UPDATE, COMMIT, each a hop) a claim held the store's lock
        # 10 to 100 ms on 2 busy cores, 80 times a second, and a fresh alert's commit waited
        # behind it (most of its tail, BENCHMARKS.md). Committed before this returns, as
        # before; the sources are polled only then.
        async with self._batch.unit():
            ids = [
                row[0]
                for row in self._db.execute(
                    "SELECT source_id FROM sources WHERE active = 1 AND next_due_at IS NOT NULL"
                    " AND next_due_at <= ? ORDER BY next_due_at LIMIT ?",
                    (t, limit),
                )
            ]
            if ids:
                marks = ",".join("?" * len(ids))
                self._db.execute(
                    f"UPDATE sources SET next_due_at = ?, claimed_by = ?"
                    f" WHERE source_id IN ({marks})",
                    (t + lease_s, claim_owner.this_process(), *ids),
                )
        self._states.claimed(ids, now + timedelta(seconds=lease_s))
        return ids

    async def release_dead_claims(self, now: datetime) -> list[str]:
        async with self._write() as conn:
            async with conn.execute(
                "SELECT source_id, claimed_by FROM sources WHERE claimed_by IS NOT NULL"
            ) as cur:
                rows = [(row[0], row[1]) async for row in cur]
            dead = [sid for sid, owner in rows if not claim_owner.alive(owner)]
            if dead:
                marks = ",".join("?" * len(dead))
                await conn.execute(
                    f"UPDATE sources SET next_due_at = ?, claimed_by = NULL"
                    f" WHERE source_id IN ({marks})",
                    (ts(now), *dead),
                )
        async with self._lock, self._conn.execute(f"SELECT {STATE_COLUMNS} FROM sources") as cur:
            self._states.warm(await cur.fetchall())
        return dead

    async def source_state(self, source_id: str) -> SourceState:
        return await self._states.get(source_id)

    async def unseen(self, item_keys: Sequence[str]) -> set[str]:
        # On the poll path's connection, between units (nothing here suspends): not a unit
        # of the group commit, so it waits neither for the store's lock nor for a COMMIT.
        return await self._tx.unseen(item_keys)

    async def source_states(self) -> dict[str, SourceState]:
        cached = self._states.all()
        if cached is not None:
            return cached
        return await self._read(_all_states)

    async def save_source_state(self, state: SourceState) -> None:
        await self._states.save(state)

    # -- leases --------------------------------------------------------------------------

    async def acquire_lease(self, name: str, now: datetime, ttl_s: float) -> bool:
        # One process owns the file: there is nobody to share with.
        return True

    async def release_lease(self, name: str) -> None:
        return None


def _all_states(db: sqlite3.Connection) -> dict[str, SourceState]:
    rows = db.execute(f"SELECT {STATE_COLUMNS} FROM sources")
    return {row[0]: state_from_values(row) for row in rows}


def _synced_row_changes(row: sqlite3.Row | None, plan: SourcePlan, cutoff: float) -> bool:
    """Whether ``sync_sources``'s upsert writes this source's row: the statement's WHERE."""
    if row is None or not row["active"] or row["fingerprint"] != plan.fingerprint:
        return True
    due = row["next_due_at"]
    if plan.first_due_at is None:
        return due is not None
    return due is None or due < cutoff
