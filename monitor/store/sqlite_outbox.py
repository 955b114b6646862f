"""The outbox, event listing and housekeeping queries of the SQLite store (a part of
``SqliteStore``; the PostgreSQL store has the same part in ``postgres_outbox.py``).

One connection, one writer: every statement takes the store's lock, and writes go through
``_write`` (a transaction of their own). The delivery worker's own reads and settlements
(``next_outbox``, ``mark_*_many``) run on the poll path's connection instead, without a hop
to aiosqlite's thread: the next row is read under the lock (so never from a batch that has
not committed yet), and a settlement is a unit (or, for one message, a row, or a statement
of its own when nothing else writes) of the group commit (``sqlite_batch.py``) that returns
once committed, so a row is marked sent on disk before the next one is sent.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime

import aiosqlite

from monitor.events.record import EventRecord
from monitor.model import Alert
from monitor.store.base import OutboxRow, OutboxState, PruneReport
from monitor.store.sqlite_batch import GroupCommit
from monitor.store.sqlite_events import PRUNE_EVENTS, list_events
from monitor.store.sqlite_schema import chunks, outbox_from_row, ts
from monitor.store.sqlite_tx import SqliteTransaction


class SqliteOutbox:
    """Outbox, event listing and housekeeping methods of ``SqliteStore``."""

    _conn: aiosqlite.Connection
    _db: sqlite3.Connection
    _batch: GroupCommit
    _lock: asyncio.Lock
    _tx: SqliteTransaction

    def _write(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        raise NotImplementedError

    # -- outbox --------------------------------------------------------------------------

    _OUTBOX = "SELECT o.*, a.alert_json FROM outbox o JOIN alerts a ON a.alert_id = o.alert_id"

    async def next_outbox(self, notifier: str) -> OutboxRow | None:
        async with self._lock:
            row = self._db.execute(
                f"{self._OUTBOX} WHERE o.notifier = ? AND o.state = 'pending'"
                " ORDER BY o.seq LIMIT 1",
                (notifier,),
            ).fetchone()
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
        transaction (a digest's rows are settled together or not at all), committed when this
        returns. One message's settlement (one statement) commits alone at once when nothing
        else writes, else is a row of the open batch (``GroupCommit.settle_row``)."""
        ids = list(alert_ids)
        if len(ids) == 1:
            await self._batch.settle_row(
                f"{sql} WHERE state = 'pending' AND alert_id = ?", (*params, ids[0])
            )
            return
        async with self._batch.unit():
            for chunk in chunks(ids):
                marks = ",".join("?" * len(chunk))
                self._db.execute(
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
