"""Events and alert threads in PostgreSQL: the event layer's part of ``PostgresTransaction`` (a
mix-in) and of ``PostgresStore`` (listing for ``bilat events``, pruning). Same tables and
queries as ``sqlite_events.py``, with native ``date``/``timestamptz`` columns.

Several nodes cluster at once, and clustering is read-then-write: two nodes filing reports of
one meeting (from two sources) must not both find no event and both create one (two "new"
alerts). SQLite runs one transaction at a time; here the first event-layer call of a
transaction takes a transaction-scoped advisory lock, so event decisions commit one at a time
across all nodes. Under READ COMMITTED each statement after the lock sees what the previous
holder committed. One lock rather than one per meeting pair: a poll may cluster several
pairs, and per-pair locks taken in different orders would deadlock. The lock is only taken by
transactions that have matches (or flush a thread), and held for milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import asyncpg

from monitor.events.cluster import CandidateQuery
from monitor.events.record import EventDecision, EventRecord
from monitor.events.threads import Thread
from monitor.store.postgres_schema import clean, dumps, lock_key
from monitor.store.summaries import SUMMARY_COLUMNS, report_folded, summary_columns

EVENTS_LOCK = f"SELECT pg_advisory_xact_lock({lock_key('events')})"

# Pruned: no activity since the cutoff, no folded update waiting, no alert still pending.
PRUNE_EVENTS = """
DELETE FROM events e WHERE e.updated_at < $1
AND NOT EXISTS (SELECT 1 FROM alert_threads t
                WHERE t.event_key = e.event_key AND t.flush_at IS NOT NULL)
AND NOT EXISTS (SELECT 1 FROM alerts a JOIN outbox o ON o.alert_id = a.alert_id
                WHERE a.event_key = e.event_key AND o.state = 'pending')
"""

# Events with their reports in one round trip: ``{keys}`` is a query yielding event keys.
_WITH_REPORTS = """
WITH chosen(event_key) AS ({keys})
SELECT e.event_key, e.record_json, r.report_json
FROM chosen c JOIN events e ON e.event_key = c.event_key
JOIN event_reports r ON r.event_key = e.event_key
"""

# Columns written when an event is created, and those a join moves on (kind, pair, family and
# anchor never change).
_EVENT_COLUMNS = (
    "event_key", "kind", "pair", "family", "date", "anchor", "status", "place", "confirmed",
    "report_count", "first_seen", "updated_at", "record_json", *SUMMARY_COLUMNS,
    "reports_folded",
)  # fmt: skip
_JOIN_COLUMNS = (
    "date", "status", "place", "confirmed", "report_count", "updated_at", "record_json",
    *SUMMARY_COLUMNS,
)  # fmt: skip
_INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)})"
    f" VALUES ({', '.join(f'${i}' for i in range(1, len(_EVENT_COLUMNS) + 1))})"
)
# A join rewrites the row's derived state and appends the new report's search text.
_UPDATE_EVENT = (
    "UPDATE events SET "
    + ", ".join(f"{c} = ${i}" for i, c in enumerate(_JOIN_COLUMNS, start=2))
    + f", reports_folded = COALESCE(reports_folded, '') || ${len(_JOIN_COLUMNS) + 2}"
    + " WHERE event_key = $1"
)

_SAVE_THREAD = """
INSERT INTO alert_threads (event_key, notifier, rule_id, parent_id, seq, flush_at, thread_json)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (event_key, notifier) DO UPDATE SET
    rule_id = EXCLUDED.rule_id, parent_id = EXCLUDED.parent_id, seq = EXCLUDED.seq,
    flush_at = EXCLUDED.flush_at, thread_json = EXCLUDED.thread_json
"""


def _event_values(decision: EventDecision) -> dict[str, Any]:
    event = decision.event
    head = replace(event, reports=()).to_json()
    del head["reports"]
    summary = {k: clean(v) for k, v in summary_columns(event).items()}
    return {
        **summary,
        "reports_folded": clean(report_folded(decision.report)),
        "event_key": clean(event.key),
        "kind": event.kind,
        "pair": event.pair,
        "family": event.family,
        "date": event.date,
        "anchor": event.anchor,
        "status": event.status,
        "place": clean(event.place),
        "confirmed": bool(event.confirmed_by),
        "report_count": event.report_count,
        "first_seen": event.first_seen,
        "updated_at": event.updated_at,
        "record_json": dumps(head),
    }


async def load_events(
    conn: asyncpg.Connection | asyncpg.Pool, keys_sql: str, params: Sequence[Any]
) -> list[EventRecord]:
    """Whole records of the events ``keys_sql`` selects, by key; reports in report order."""
    heads: dict[str, str] = {}
    reports: dict[str, list[dict[str, Any]]] = {}
    for key, head, report in await conn.fetch(_WITH_REPORTS.format(keys=keys_sql), *params):
        heads[key] = head
        reports.setdefault(key, []).append(json.loads(report))
    out = []
    for key in sorted(heads):
        record = EventRecord.from_json({**json.loads(heads[key]), "reports": reports[key]})
        ordered = tuple(sorted(record.reports, key=lambda r: r.order))
        out.append(replace(record, reports=ordered))
    return out


class PostgresEventsTx:
    """Event and thread reads and writes inside a ``PostgresStore`` transaction."""

    conn: asyncpg.Connection
    _events_locked: bool = False

    async def _lock_events(self) -> None:
        if not self._events_locked:
            await self.conn.execute(EVENTS_LOCK)
            self._events_locked = True

    async def event_candidates(self, query: CandidateQuery) -> list[EventRecord]:
        await self._lock_events()
        by_item = "SELECT event_key FROM event_reports WHERE item_key = $1"
        if query.key is not None:
            sql = f"{by_item} UNION SELECT event_key FROM events WHERE event_key = $2"
            params: tuple[Any, ...] = (clean(query.item_key), clean(query.key))
        else:
            window = (
                "SELECT event_key FROM events"
                " WHERE kind = $2 AND pair = $3 AND {} BETWEEN $4 AND $5"
            )
            sql = f"{by_item} UNION {window.format('date')} UNION {window.format('anchor')}"
            params = (clean(query.item_key), query.kind, query.pair, query.date_from, query.date_to)
        return await load_events(self.conn, sql, params)

    async def events_by_key(self, keys: Sequence[str]) -> list[EventRecord]:
        await self._lock_events()
        wanted = sorted({cleaned for k in keys if (cleaned := clean(k)) is not None})
        if not wanted:
            return []
        sql = "SELECT event_key FROM events WHERE event_key = ANY($1::text[])"
        return await load_events(self.conn, sql, (wanted,))

    async def event(self, event_key: str) -> EventRecord | None:
        await self._lock_events()
        found = await load_events(
            self.conn, "SELECT event_key FROM events WHERE event_key = $1", (clean(event_key),)
        )
        return found[0] if found else None

    async def save_event(self, decision: EventDecision, now: datetime) -> None:
        if decision.action == "duplicate":
            return
        await self._lock_events()
        event = decision.event
        values = _event_values(decision)
        if decision.action == "new":
            await self.conn.execute(_INSERT_EVENT, *(values[c] for c in _EVENT_COLUMNS))
        else:
            joined = (values[c] for c in _JOIN_COLUMNS)
            await self.conn.execute(
                _UPDATE_EVENT, values["event_key"], *joined, values["reports_folded"]
            )
        await self.conn.execute(
            "INSERT INTO event_reports (event_key, item_key, added_at, report_json)"
            " VALUES ($1, $2, $3, $4)",
            clean(event.key),
            clean(decision.report.ref.item_key),
            now,
            dumps(decision.report.to_json()),
        )

    async def save_events(self, decisions: Sequence[EventDecision], now: datetime) -> None:
        for decision in decisions:
            await self.save_event(decision, now)

    async def event_threads(self, event_key: str) -> dict[str, Thread]:
        await self._lock_events()
        rows = await self.conn.fetch(
            "SELECT thread_json FROM alert_threads WHERE event_key = $1", clean(event_key)
        )
        threads = [Thread.from_json(json.loads(row[0])) for row in rows]
        return {t.notifier: t for t in threads}

    async def save_thread(self, thread: Thread) -> None:
        await self._lock_events()
        await self.conn.execute(
            _SAVE_THREAD,
            clean(thread.event_key),
            thread.notifier,
            thread.rule_id,
            thread.parent_id,
            thread.seq,
            thread.flush_at,
            dumps(thread.to_json()),
        )

    async def save_threads(self, threads: Sequence[Thread]) -> None:
        for thread in threads:
            await self.save_thread(thread)

    async def due_threads(self, now: datetime, limit: int) -> list[Thread]:
        # Every node's tick asks this every second: take the lock only when something is due.
        if not self._events_locked and not await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM alert_threads WHERE flush_at <= $1)", now
        ):
            return []
        await self._lock_events()
        rows = await self.conn.fetch(
            "SELECT thread_json FROM alert_threads WHERE flush_at IS NOT NULL AND flush_at <= $1"
            " ORDER BY flush_at, event_key, notifier LIMIT $2",
            now,
            limit,
        )
        return [Thread.from_json(json.loads(row[0])) for row in rows]


async def list_events(
    pool: asyncpg.Pool,
    *,
    since: datetime | None,
    pair: str | None,
    kind: str | None,
    limit: int,
) -> list[EventRecord]:
    keys = (
        "SELECT event_key FROM events WHERE ($1::timestamptz IS NULL OR updated_at >= $1)"
        " AND ($2::text IS NULL OR pair = $2) AND ($3::text IS NULL OR kind = $3)"
        " ORDER BY date DESC, first_seen DESC, event_key LIMIT $4"
    )
    events = await load_events(pool, keys, (since, pair, kind, limit))
    return sorted(events, key=lambda e: (-e.date.toordinal(), -e.first_seen.timestamp(), e.key))
