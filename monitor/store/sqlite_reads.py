"""Read-only queries of the SQLite store for the desk's web page (``monitor/web``): the rows of
the events in a window of meeting dates (``monitor/store/summaries.py``), one event with its
reports and its alerts' delivery state, per-source activity, and cheap event versions for
live updates. A part of ``SqliteStore``; the
PostgreSQL store has the same part in ``postgres_reads.py``.

Reads go through the aiosqlite connection under the store's lock (it is shared with the
outbox's writes); they see what the poll path's group commit has committed.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import aiosqlite

from monitor.events.record import EventRecord
from monitor.store.base import OutboxRow
from monitor.store.sqlite_events import load_events
from monitor.store.sqlite_schema import CHUNK, dt, outbox_from_row, ts
from monitor.store.summaries import backfilled, fold, summary_from_row
from monitor.store.webreads import EventStamp, EventSummary, SourceActivity

_ACTIVITY = """
SELECT source_id,
       SUM(first_seen >= ?1) AS items,
       MIN(CASE WHEN first_seen >= ?1 THEN first_seen END) AS first_item_at,
       MAX(first_seen) AS last_item_at
FROM seen GROUP BY source_id
"""


# ?4: folded text to find in the place, officials or any report's title or evidence.
_SUMMARIES = """
SELECT record_json, report_count, languages, rule_ids, lead_json FROM events
WHERE (?1 IS NULL OR date >= ?1) AND (?2 IS NULL OR date <= ?2)
AND (?4 IS NULL OR instr(facts_folded, ?4) > 0 OR instr(reports_folded, ?4) > 0)
ORDER BY date DESC, first_seen DESC, event_key LIMIT ?3
"""


async def backfill_summaries(conn: aiosqlite.Connection) -> int:
    """Fill the summary columns of rows written before migration 0006 (from their
    records, a chunk at a time); returns how many rows were filled."""
    filled = 0
    while True:
        async with conn.execute(
            "SELECT event_key FROM events WHERE lead_json IS NULL LIMIT ?", (CHUNK,)
        ) as cur:
            keys = [row[0] async for row in cur]
        if not keys:
            return filled
        marks = ",".join("?" * len(keys))
        found = await load_events(
            conn, f"SELECT event_key FROM events WHERE event_key IN ({marks})", keys
        )
        by_key = {e.key: e for e in found}
        await conn.executemany(
            "UPDATE events SET languages = :languages, rule_ids = :rule_ids,"
            " lead_json = :lead_json, facts_folded = :facts_folded,"
            " reports_folded = :reports_folded WHERE event_key = :event_key",
            [backfilled(k, by_key.get(k)) for k in keys],
        )
        filled += len(keys)


class SqliteReads:
    """The web page's reads of ``SqliteStore``."""

    _conn: aiosqlite.Connection
    _lock: asyncio.Lock

    async def event_summaries_between(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        limit: int = 1000,
        text: str | None = None,
    ) -> list[EventSummary]:
        # The events rows only: no report is read or parsed.
        folded = fold(text) if text else None
        params = (since.isoformat() if since else None, until.isoformat() if until else None)
        async with self._lock, self._conn.execute(_SUMMARIES, (*params, limit, folded)) as cur:
            # fetchall: one hop to aiosqlite's thread for the window, not one per row.
            rows = await cur.fetchall()
        return [
            summary_from_row(
                row[0], report_count=row[1], languages=row[2], rule_ids=row[3], lead_json=row[4]
            )
            for row in rows
        ]

    async def event_record(self, event_key: str) -> EventRecord | None:
        async with self._lock:
            found = await load_events(
                self._conn, "SELECT event_key FROM events WHERE event_key = ?", (event_key,)
            )
        return found[0] if found else None

    async def event_outbox(self, event_key: str) -> list[OutboxRow]:
        async with (
            self._lock,
            self._conn.execute(
                "SELECT o.*, a.alert_json FROM alerts a JOIN outbox o ON o.alert_id = a.alert_id"
                " WHERE a.event_key = ? ORDER BY o.seq",
                (event_key,),
            ) as cur,
        ):
            return [outbox_from_row(row) async for row in cur]

    async def source_activity(self, *, since: datetime) -> dict[str, SourceActivity]:
        async with self._lock, self._conn.execute(_ACTIVITY, (ts(since),)) as cur:
            return {
                row["source_id"]: SourceActivity(
                    source_id=row["source_id"],
                    items=int(row["items"] or 0),
                    first_item_at=dt(row["first_item_at"]),
                    last_item_at=dt(row["last_item_at"]),
                )
                async for row in cur
            }

    async def event_stamps(self, *, since: datetime) -> list[EventStamp]:
        async with (
            self._lock,
            self._conn.execute(
                "SELECT event_key, updated_at, report_count, status FROM events"
                " WHERE updated_at >= ? ORDER BY event_key",
                (ts(since),),
            ) as cur,
        ):
            return [
                EventStamp(row[0], dt(row[1]) or since, int(row[2]), row[3]) async for row in cur
            ]
