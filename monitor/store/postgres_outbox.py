"""The outbox, event listing and housekeeping queries of the PostgreSQL store (a part of
``PostgresStore``).

Only the node holding a notifier's lane lease delivers its rows (``monitor.delivery``), so
these are plain statements; ``state = 'pending'`` guards make a late mark from a node that
lost the lane a no-op on a row the new holder already finished.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import asyncpg

from monitor.events.record import EventRecord
from monitor.model import Alert
from monitor.store.base import OutboxRow, OutboxState, PruneReport
from monitor.store.postgres_claims import PRUNE_NODES
from monitor.store.postgres_events import EVENTS_LOCK, PRUNE_EVENTS, list_events
from monitor.store.postgres_schema import clean, lock_key, outbox_from_row
from monitor.store.postgres_tx import count


class PostgresOutbox:
    """Outbox and housekeeping methods of ``PostgresStore``."""

    _pool: asyncpg.Pool

    _OUTBOX = "SELECT o.*, a.alert_json FROM outbox o JOIN alerts a ON a.alert_id = o.alert_id"

    async def next_outbox(self, notifier: str) -> OutboxRow | None:
        row = await self._pool.fetchrow(
            f"{self._OUTBOX} WHERE o.notifier = $1 AND o.state = 'pending' ORDER BY o.seq LIMIT 1",
            notifier,
        )
        return outbox_from_row(row) if row else None

    async def outbox(
        self, *, notifier: str | None = None, state: OutboxState | None = None, limit: int = 100
    ) -> list[OutboxRow]:
        rows = await self._pool.fetch(
            f"{self._OUTBOX} WHERE ($1::text IS NULL OR o.notifier = $1)"
            " AND ($2::text IS NULL OR o.state = $2) ORDER BY o.seq LIMIT $3",
            notifier,
            state,
            limit,
        )
        return [outbox_from_row(row) for row in rows]

    async def requeue_dead(
        self,
        *,
        now: datetime,
        notifier: str | None = None,
        alert_ids: Sequence[str] | None = None,
    ) -> int:
        status = await self._pool.execute(
            "UPDATE outbox SET state = 'pending', attempts = 0, first_failed_at = NULL,"
            " next_attempt_at = $1 WHERE state = 'dead' AND ($2::text IS NULL OR notifier = $2)"
            " AND ($3::text[] IS NULL OR alert_id = ANY($3::text[]))",
            now,
            notifier,
            None if alert_ids is None else list(alert_ids),
        )
        return count(status)

    async def due_outbox(self, notifier: str, *, now: datetime, limit: int) -> list[OutboxRow]:
        rows = await self._pool.fetch(
            f"{self._OUTBOX} WHERE o.notifier = $1 AND o.state = 'pending'"
            " AND o.next_attempt_at <= $2 AND (o.not_before IS NULL OR o.not_before <= $2)"
            " ORDER BY o.seq LIMIT $3",
            notifier,
            now,
            limit,
        )
        return [outbox_from_row(row) for row in rows]

    async def outbox_row(self, alert_id: str) -> OutboxRow | None:
        row = await self._pool.fetchrow(f"{self._OUTBOX} WHERE o.alert_id = $1", alert_id)
        return outbox_from_row(row) if row else None

    async def mark_sent(self, alert_id: str, *, at: datetime, remote_id: str | None) -> None:
        await self.mark_sent_many([alert_id], at=at, remote_id=remote_id)

    async def mark_retry(
        self, alert_id: str, *, at: datetime, next_attempt_at: datetime, error: str
    ) -> None:
        await self.mark_retry_many([alert_id], at=at, next_attempt_at=next_attempt_at, error=error)

    async def mark_dead(self, alert_id: str, *, at: datetime, error: str) -> None:
        await self.mark_dead_many([alert_id], at=at, error=error)

    # One statement each: a digest's rows are settled together or not at all.

    async def mark_sent_many(
        self, alert_ids: Sequence[str], *, at: datetime, remote_id: str | None
    ) -> None:
        await self._pool.execute(
            "UPDATE outbox SET state = 'sent', sent_at = $2, remote_id = $3,"
            " attempts = attempts + 1, last_error = NULL"
            " WHERE alert_id = ANY($1::text[]) AND state = 'pending'",
            list(alert_ids),
            at,
            clean(remote_id),
        )

    async def mark_retry_many(
        self, alert_ids: Sequence[str], *, at: datetime, next_attempt_at: datetime, error: str
    ) -> None:
        await self._pool.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3,"
            " last_error = $4, first_failed_at = COALESCE(first_failed_at, $2)"
            " WHERE alert_id = ANY($1::text[]) AND state = 'pending'",
            list(alert_ids),
            at,
            next_attempt_at,
            clean(error),
        )

    async def mark_dead_many(self, alert_ids: Sequence[str], *, at: datetime, error: str) -> None:
        await self._pool.execute(
            "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = $3,"
            " first_failed_at = COALESCE(first_failed_at, $2)"
            " WHERE alert_id = ANY($1::text[]) AND state = 'pending'",
            list(alert_ids),
            at,
            clean(error),
        )

    async def get_alert(self, alert_id: str) -> Alert | None:
        value = await self._pool.fetchval(
            "SELECT alert_json FROM alerts WHERE alert_id = $1", alert_id
        )
        return Alert.from_json(json.loads(value)) if value is not None else None

    async def alert_remote_id(self, alert_id: str) -> str | None:
        value = await self._pool.fetchval(
            "SELECT remote_id FROM outbox WHERE alert_id = $1", alert_id
        )
        return value if isinstance(value, str) else None

    # -- housekeeping --------------------------------------------------------------------

    async def prune(self, *, before: datetime) -> PruneReport:
        async with self._pool.acquire() as conn, conn.transaction():
            # Every node runs the hourly cleanup; one at a time is enough, the others skip.
            if not await conn.fetchval(f"SELECT pg_try_advisory_xact_lock({lock_key('prune')})"):
                return PruneReport()
            seen = await conn.execute("DELETE FROM seen WHERE last_seen < $1", before)
            await conn.execute(
                "DELETE FROM outbox WHERE state IN ('sent', 'dead') AND created_at < $1", before
            )
            alerts = await conn.execute(
                "DELETE FROM alerts a WHERE a.created_at < $1"
                " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.alert_id)",
                before,
            )
            matches = await conn.execute("DELETE FROM matches WHERE created_at < $1", before)
            await conn.execute(EVENTS_LOCK)  # not while a node is clustering
            events = await conn.execute(PRUNE_EVENTS, before)
            await conn.execute(PRUNE_NODES, before)  # nodes killed long ago
        return PruneReport(
            seen=count(seen), matches=count(matches), alerts=count(alerts), events=count(events)
        )

    # -- events --------------------------------------------------------------------------

    async def events(
        self,
        *,
        since: datetime | None = None,
        pair: str | None = None,
        kind: str | None = None,
        limit: int = 1000,
    ) -> list[EventRecord]:
        return await list_events(self._pool, since=since, pair=pair, kind=kind, limit=limit)
