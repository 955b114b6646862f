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
from monitor.store.postgres_schema import clean, outbox_from_row
from monitor.store.postgres_tx import unseen_keys
from monitor.store.summaries import SUMMARY_COLUMNS, backfilled, fold, summary_from_row
from monitor.store.webreads import EventStamp, EventSummary, SourceActivity

_ACTIVITY = """
SELECT source_id,
       count(*) FILTER (WHERE first_seen >= $1) AS items,
       min(first_seen) FILTER (WHERE first_seen >= $1) AS first_item_at,
       max(first_seen) AS last_item_at
FROM seen GROUP BY source_id
"""


# $4: folded text to find in the place, officials or any report's title or evidence.
_SUMMARIES = """
SELECT record_json, report_count, languages, rule_ids, lead_json FROM events
WHERE ($1::date IS NULL OR date >= $1) AND ($2::date IS NULL OR date <= $2)
AND ($4::text IS NULL OR strpos(facts_folded, $4) > 0 OR strpos(reports_folded, $4) > 0)
ORDER BY date DESC, first_seen DESC, event_key LIMIT $3
"""
_BACKFILL_CHUNK = 500


async def backfill_summaries(conn: asyncpg.Connection) -> int:
    """Fill the summary columns of rows written before migration 0006 (from their
    records, a chunk at a time); returns how many rows were filled."""
    filled = 0
    columns = ("event_key", *SUMMARY_COLUMNS, "reports_folded")
    while True:
        keys = [
            row[0]
            for row in await conn.fetch(
                "SELECT event_key FROM events WHERE lead_json IS NULL LIMIT $1", _BACKFILL_CHUNK
            )
        ]
        if not keys:
            return filled
        found = await load_events(
            conn, "SELECT event_key FROM events WHERE event_key = ANY($1::text[])", (keys,)
        )
        by_key = {e.key: e for e in found}
        rows = [backfilled(k, by_key.get(k)) for k in keys]
        await conn.executemany(
            "UPDATE events SET languages = $2, rule_ids = $3, lead_json = $4,"
            " facts_folded = $5, reports_folded = $6 WHERE event_key = $1",
            [tuple(clean(row[c]) for c in columns) for row in rows],
        )
        filled += len(keys)


class PostgresReads:
    """The web page's reads of ``PostgresStore``, and the pipeline's read of unseen items."""

    _pool: asyncpg.Pool

    async def unseen(self, item_keys: Sequence[str]) -> set[str]:
        return await unseen_keys(self._pool, item_keys)

    async def event_summaries_between(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        limit: int = 1000,
        text: str | None = None,
    ) -> list[EventSummary]:
        # The events rows only: no report is read or parsed.
        folded = clean(fold(text)) if text else None
        rows = await self._pool.fetch(_SUMMARIES, since, until, limit, folded)
        return [
            summary_from_row(r[0], report_count=r[1], languages=r[2], rule_ids=r[3], lead_json=r[4])
            for r in rows
        ]

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
