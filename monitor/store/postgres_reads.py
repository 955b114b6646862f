"""Read-only queries of the PostgreSQL store for the desk's web page (``monitor/web``); the
same reads as ``sqlite_reads.py`` (see there), as a part of ``PostgresStore``. Plain
statements on the pool: every node serves its page from the shared database, so a desk sees
what all nodes have committed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

from monitor.events.record import EventRecord
from monitor.store.base import OutboxRow
from monitor.store.postgres_events import load_events
from monitor.store.postgres_schema import outbox_from_row
from monitor.store.webreads import EventStamp, SourceActivity

_ACTIVITY = """
SELECT source_id,
       count(*) FILTER (WHERE first_seen >= $1) AS items,
       min(first_seen) FILTER (WHERE first_seen >= $1) AS first_item_at,
       max(first_seen) AS last_item_at
FROM seen GROUP BY source_id
"""


class PostgresReads:
    """The web page's reads of ``PostgresStore``."""

    _pool: asyncpg.Pool

    async def events_between(
        self, *, since: date | None = None, until: date | None = None, limit: int = 1000
    ) -> list[EventRecord]:
        keys = (
            "SELECT event_key FROM events WHERE ($1::date IS NULL OR date >= $1)"
            " AND ($2::date IS NULL OR date <= $2)"
            " ORDER BY date DESC, first_seen DESC, event_key LIMIT $3"
        )
        events = await load_events(self._pool, keys, (since, until, limit))
        return sorted(events, key=lambda e: (-e.date.toordinal(), -e.first_seen.timestamp(), e.key))

    async def event_versions_between(
        self, *, since: date | None = None, until: date | None = None, limit: int = 1000
    ) -> list[EventStamp]:
        rows = await self._pool.fetch(
            "SELECT event_key, updated_at, report_count, status FROM events"
            " WHERE ($1::date IS NULL OR date >= $1) AND ($2::date IS NULL OR date <= $2)"
            " ORDER BY date DESC, first_seen DESC, event_key LIMIT $3",
            since,
            until,
            limit,
        )
        return [EventStamp(r[0], r[1], int(r[2]), r[3]) for r in rows]

    async def events_by_keys(self, keys: Sequence[str]) -> list[EventRecord]:
        if not keys:
            return []
        sql = "SELECT event_key FROM events WHERE event_key = ANY($1::text[])"
        found = await load_events(self._pool, sql, (list(dict.fromkeys(keys)),))
        return sorted(found, key=lambda e: e.key)

    async def event_record(self, event_key: str) -> EventRecord | None:
        found = await load_events(
            self._pool, "SELECT event_key FROM events WHERE event_key = $1", (event_key,)
        )
        return found[0] if found else None

    async def event_outbox(self, event_key: str) -> list[OutboxRow]:
        rows = await self._pool.fetch(
            "SELECT o.*, a.alert_json FROM alerts a JOIN outbox o ON o.alert_id = a.alert_id"
            " WHERE a.event_key = $1 ORDER BY o.seq",
            event_key,
        )
        return [outbox_from_row(row) for row in rows]

    async def source_activity(self, *, since: datetime) -> dict[str, SourceActivity]:
        return {
            row["source_id"]: SourceActivity(
                source_id=row["source_id"],
                items=int(row["items"]),
                first_item_at=row["first_item_at"],
                last_item_at=row["last_item_at"],
            )
            for row in await self._pool.fetch(_ACTIVITY, since)
        }

    async def event_stamps(self, *, since: datetime) -> list[EventStamp]:
        rows = await self._pool.fetch(
            "SELECT event_key, updated_at, report_count, status FROM events"
            " WHERE updated_at >= $1 ORDER BY event_key",
            since,
        )
        return [EventStamp(r[0], r[1], int(r[2]), r[3]) for r in rows]
