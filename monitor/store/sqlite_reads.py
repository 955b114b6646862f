"""Read-only queries of the SQLite store for the desk's web page (``monitor/web``): events in
a window of meeting dates, one event with its alerts and their delivery state, per-source
activity, and cheap event versions for live updates. A part of ``SqliteStore``; the
PostgreSQL store has the same part in ``postgres_reads.py``.

Reads go through the aiosqlite connection under the store's lock (it is shared with the
outbox's writes); they see what the poll path's group commit has committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime

import aiosqlite

from monitor.events.record import EventRecord
from monitor.store.base import OutboxRow
from monitor.store.sqlite_events import load_events
from monitor.store.sqlite_schema import chunks, dt, outbox_from_row, ts
from monitor.store.webreads import EventStamp, SourceActivity

_ACTIVITY = """
SELECT source_id,
       SUM(first_seen >= ?1) AS items,
       MIN(CASE WHEN first_seen >= ?1 THEN first_seen END) AS first_item_at,
       MAX(first_seen) AS last_item_at
FROM seen GROUP BY source_id
"""


class SqliteReads:
    """The web page's reads of ``SqliteStore``."""

    _conn: aiosqlite.Connection
    _lock: asyncio.Lock

    async def events_between(
        self, *, since: date | None = None, until: date | None = None, limit: int = 1000
    ) -> list[EventRecord]:
        keys = (
            "SELECT event_key FROM events WHERE (?1 IS NULL OR date >= ?1)"
            " AND (?2 IS NULL OR date <= ?2)"
            " ORDER BY date DESC, first_seen DESC, event_key LIMIT ?3"
        )
        params = (since.isoformat() if since else None, until.isoformat() if until else None, limit)
        async with self._lock:
            events = await load_events(self._conn, keys, params)
        return sorted(events, key=lambda e: (-e.date.toordinal(), -e.first_seen.timestamp(), e.key))

    async def event_versions_between(
        self, *, since: date | None = None, until: date | None = None, limit: int = 1000
    ) -> list[EventStamp]:
        # The columns of the events row only: no report is read or parsed.
        sql = (
            "SELECT event_key, updated_at, report_count, status FROM events"
            " WHERE (?1 IS NULL OR date >= ?1) AND (?2 IS NULL OR date <= ?2)"
            " ORDER BY date DESC, first_seen DESC, event_key LIMIT ?3"
        )
        params = (since.isoformat() if since else None, until.isoformat() if until else None, limit)
        async with self._lock, self._conn.execute(sql, params) as cur:
            return [
                EventStamp(row[0], dt(row[1]) or datetime.min, int(row[2]), row[3])
                async for row in cur
            ]

    async def events_by_keys(self, keys: Sequence[str]) -> list[EventRecord]:
        found: list[EventRecord] = []
        async with self._lock:
            for chunk in chunks(list(dict.fromkeys(keys))):
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT event_key FROM events WHERE event_key IN ({marks})"
                found += await load_events(self._conn, sql, chunk)
        return sorted(found, key=lambda e: e.key)

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
