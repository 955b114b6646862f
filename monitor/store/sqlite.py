"""The embedded SQLite store (aiosqlite): one file, WAL, one writer at a time.

Durability: WAL with ``synchronous=NORMAL``. A committed transaction survives the process
being killed (``kill -9``: the WAL is in the OS page cache and is replayed on open); only a
power loss or kernel crash can lose the last few commits, never corrupt the file, and losing
them means the poll is processed again (idempotent keys) and at worst the one delivery marked
sent in that window repeats. ``FULL`` would fsync every poll's commit (thousands per pass on a
big source list) for that narrower case.

The schema and the row mapping live in ``sqlite_schema.py``; events and alert threads in
``sqlite_events.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import aiosqlite
import structlog

from monitor.events.record import EventRecord
from monitor.model import Alert, Item, Match, utcnow
from monitor.store.base import (
    OutboxRow,
    OutboxState,
    PruneReport,
    SourcePlan,
    SourceState,
)
from monitor.store.sqlite_events import PRUNE_EVENTS, SqliteEventsTx, list_events
from monitor.store.sqlite_schema import (
    MIGRATIONS,
    SAVE_STATE,
    AddColumn,
    chunks,
    outbox_from_row,
    state_from_row,
    state_params,
    ts,
)
from monitor.store.sqlite_states import SourceStates

log = structlog.get_logger(__name__)


class SqliteTransaction(SqliteEventsTx):
    """The ``Transaction`` of ``SqliteStore``; valid only inside ``transaction()``."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.saved: list[SourceState] = []  # for the store's cache, once committed

    async def unseen(self, item_keys: Sequence[str]) -> set[str]:
        keys = list(dict.fromkeys(item_keys))
        known: set[str] = set()
        for chunk in chunks(keys):
            marks = ",".join("?" * len(chunk))
            async with self.conn.execute(
                f"SELECT item_key FROM seen WHERE item_key IN ({marks})", chunk
            ) as cur:
                known.update([row[0] async for row in cur])
        return set(keys) - known

    async def mark_seen(self, items: Sequence[Item], now: datetime) -> None:
        t = ts(now)
        await self.conn.executemany(
            "INSERT INTO seen (item_key, source_id, first_seen, last_seen, published_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(item_key) DO UPDATE SET last_seen = excluded.last_seen",
            [(i.key, i.source_id, t, t, ts(i.published_at)) for i in items],
        )

    async def add_matches(self, matches: Sequence[tuple[Match, Item]], now: datetime) -> int:
        before = self.conn.total_changes
        await self.conn.executemany(
            "INSERT OR IGNORE INTO matches (match_key, rule_id, item_key, source_id, kind,"
            " created_at, match_json, item_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    m.key,
                    m.rule_id,
                    m.item_key,
                    item.source_id,
                    m.kind,
                    ts(now),
                    json.dumps(m.to_json(), ensure_ascii=False),
                    json.dumps(item.to_json(), ensure_ascii=False),
                )
                for m, item in matches
            ],
        )
        return self.conn.total_changes - before

    async def add_alerts(
        self, alerts: Sequence[Alert], *, not_before: Mapping[str, datetime] | None = None
    ) -> list[str]:
        new: list[str] = []
        holds = not_before or {}
        for alert in alerts:
            cur = await self.conn.execute(
                "INSERT OR IGNORE INTO alerts (alert_id, notifier, rule_id, kind, event_key,"
                " parent_id, created_at, alert_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    alert.id,
                    alert.notifier,
                    alert.rule_id,
                    alert.kind,
                    alert.event_key,
                    alert.parent_id,
                    ts(alert.created_at),
                    json.dumps(alert.to_json(), ensure_ascii=False),
                ),
            )
            if cur.rowcount == 1:
                hold = ts(holds.get(alert.id))
                # A held alert's first attempt is its release time.
                first = max(hold or 0.0, ts(alert.created_at) or 0.0)
                await self.conn.execute(
                    "INSERT INTO outbox (alert_id, notifier, state, next_attempt_at, created_at,"
                    " not_before) VALUES (?, ?, 'pending', ?, ?, ?)",
                    (alert.id, alert.notifier, first, ts(alert.created_at), hold),
                )
                new.append(alert.id)
        return new

    async def source_state(self, source_id: str) -> SourceState:
        async with self.conn.execute(
            "SELECT * FROM sources WHERE source_id = ?", (source_id,)
        ) as cur:
            row = await cur.fetchone()
        return state_from_row(row) if row else SourceState(source_id)

    async def save_source_state(self, state: SourceState) -> None:
        await self.conn.execute(SAVE_STATE, state_params(state))
        self.saved.append(state)

    async def alert_remote_id(self, alert_id: str) -> str | None:
        async with self.conn.execute(
            "SELECT remote_id FROM outbox WHERE alert_id = ?", (alert_id,)
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None


class SqliteStore:
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

    # -- outbox --------------------------------------------------------------------------

    _OUTBOX = "SELECT o.*, a.alert_json FROM outbox o JOIN alerts a ON a.alert_id = o.alert_id"

    async def next_outbox(self, notifier: str) -> OutboxRow | None:
        async with (
            self._lock,
            self._conn.execute(
                f"{self._OUTBOX} WHERE o.notifier = ? AND o.state = 'pending'"
                " ORDER BY o.seq LIMIT 1",
                (notifier,),
            ) as cur,
        ):
            row = await cur.fetchone()
        return outbox_from_row(row) if row else None

    async def outbox(
        self, *, notifier: str | None = None, state: OutboxState | None = None, limit: int = 100
    ) -> list[OutboxRow]:
        where, params = [], []
        if notifier is not None:
            where.append("o.notifier = ?")
            params.append(notifier)
        if state is not None:
            where.append("o.state = ?")
            params.append(state)
        sql = self._OUTBOX
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY o.seq LIMIT ?"
        async with self._lock, self._conn.execute(sql, (*params, limit)) as cur:
            return [outbox_from_row(row) async for row in cur]

    async def due_outbox(self, notifier: str, *, now: datetime, limit: int) -> list[OutboxRow]:
        t = ts(now)
        async with (
            self._lock,
            self._conn.execute(
                f"{self._OUTBOX} WHERE o.notifier = ? AND o.state = 'pending'"
                " AND o.next_attempt_at <= ? AND COALESCE(o.not_before, 0) <= ?"
                " ORDER BY o.seq LIMIT ?",
                (notifier, t, t, limit),
            ) as cur,
        ):
            return [outbox_from_row(row) async for row in cur]

    async def outbox_row(self, alert_id: str) -> OutboxRow | None:
        async with (
            self._lock,
            self._conn.execute(f"{self._OUTBOX} WHERE o.alert_id = ?", (alert_id,)) as cur,
        ):
            row = await cur.fetchone()
        return outbox_from_row(row) if row else None

    async def mark_sent(self, alert_id: str, *, at: datetime, remote_id: str | None) -> None:
        await self.mark_sent_many([alert_id], at=at, remote_id=remote_id)

    async def mark_retry(
        self, alert_id: str, *, at: datetime, next_attempt_at: datetime, error: str
    ) -> None:
        await self.mark_retry_many([alert_id], at=at, next_attempt_at=next_attempt_at, error=error)

    async def mark_dead(self, alert_id: str, *, at: datetime, error: str) -> None:
        await self.mark_dead_many([alert_id], at=at, error=error)

    async def requeue_dead(
        self,
        *,
        now: datetime,
        notifier: str | None = None,
        alert_ids: Sequence[str] | None = None,
    ) -> int:
        sql = (
            "UPDATE outbox SET state = 'pending', attempts = 0, first_failed_at = NULL,"
            " next_attempt_at = ? WHERE state = 'dead' AND (? IS NULL OR notifier = ?)"
        )
        params: tuple[object, ...] = (ts(now), notifier, notifier)
        # None: every dead letter, one statement; ids: in chunks under SQLite's variable limit.
        batches = [None] if alert_ids is None else chunks(list(alert_ids))
        requeued = 0
        async with self._write() as conn:
            for ids in batches:
                where = "" if ids is None else f" AND alert_id IN ({','.join('?' * len(ids))})"
                cur = await conn.execute(sql + where, (*params, *(ids or ())))
                requeued += cur.rowcount
        return requeued

    async def _settle(self, sql: str, params: Sequence[object], alert_ids: Sequence[str]) -> None:
        """Run ``sql ... WHERE state = 'pending' AND alert_id IN (…)`` over every id, in one
        transaction (a digest's rows are settled together or not at all)."""
        async with self._write() as conn:
            for chunk in chunks(list(alert_ids)):
                marks = ",".join("?" * len(chunk))
                await conn.execute(
                    f"{sql} WHERE state = 'pending' AND alert_id IN ({marks})",
                    (*params, *chunk),
                )

    async def mark_sent_many(
        self, alert_ids: Sequence[str], *, at: datetime, remote_id: str | None
    ) -> None:
        await self._settle(
            "UPDATE outbox SET state = 'sent', sent_at = ?, remote_id = ?,"
            " attempts = attempts + 1, last_error = NULL",
            (ts(at), remote_id),
            alert_ids,
        )

    async def mark_retry_many(
        self, alert_ids: Sequence[str], *, at: datetime, next_attempt_at: datetime, error: str
    ) -> None:
        await self._settle(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?,"
            " last_error = ?, first_failed_at = COALESCE(first_failed_at, ?)",
            (ts(next_attempt_at), error, ts(at)),
            alert_ids,
        )

    async def mark_dead_many(self, alert_ids: Sequence[str], *, at: datetime, error: str) -> None:
        await self._settle(
            "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?,"
            " first_failed_at = COALESCE(first_failed_at, ?)",
            (error, ts(at)),
            alert_ids,
        )

    async def get_alert(self, alert_id: str) -> Alert | None:
        async with (
            self._lock,
            self._conn.execute(
                "SELECT alert_json FROM alerts WHERE alert_id = ?", (alert_id,)
            ) as cur,
        ):
            row = await cur.fetchone()
        return Alert.from_json(json.loads(row[0])) if row else None

    async def alert_remote_id(self, alert_id: str) -> str | None:
        async with self._lock:
            return await self._tx.alert_remote_id(alert_id)

    # -- events --------------------------------------------------------------------------

    async def events(
        self,
        *,
        since: datetime | None = None,
        pair: str | None = None,
        kind: str | None = None,
        limit: int = 1000,
    ) -> list[EventRecord]:
        async with self._lock:
            return await list_events(self._conn, since=since, pair=pair, kind=kind, limit=limit)

    # -- housekeeping --------------------------------------------------------------------

    async def prune(self, *, before: datetime) -> PruneReport:
        t = ts(before)
        async with self._write() as conn:
            seen = await conn.execute("DELETE FROM seen WHERE last_seen < ?", (t,))
            await conn.execute(
                "DELETE FROM outbox WHERE state IN ('sent', 'dead') AND created_at < ?", (t,)
            )
            alerts = await conn.execute(
                "DELETE FROM alerts WHERE created_at < ?"
                " AND alert_id NOT IN (SELECT alert_id FROM outbox)",
                (t,),
            )
            matches = await conn.execute("DELETE FROM matches WHERE created_at < ?", (t,))
            events = await conn.execute(PRUNE_EVENTS, (t,))
            return PruneReport(
                seen=seen.rowcount,
                matches=matches.rowcount,
                alerts=alerts.rowcount,
                events=events.rowcount,
            )
