"""Events and alert threads in SQLite: the event layer's part of ``SqliteTransaction`` (a
mix-in) and of ``SqliteStore`` (listing for ``bilat events``, pruning).

An event is one ``events`` row (the derived state, queried by kind, pair and date) plus one
``event_reports`` row per report, so a report joining a big event appends one row instead of
rewriting a growing document. Candidates for a match are read with two indexed range scans
(date and anchor within the window, for the pair) and one lookup by item key; a keyword
match's event is read by its key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import aiosqlite

from monitor.events.cluster import CandidateQuery
from monitor.events.record import EventDecision, EventRecord
from monitor.events.threads import Thread
from monitor.store.sqlite_schema import chunks, ts
from monitor.store.sqlite_sync import SyncConnection
from monitor.store.summaries import report_folded, summary_columns

# json.dumps with any option builds a JSONEncoder per call; the same encoder, built once,
# writes the same text (several per match on the poll path).
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _event_params(decision: EventDecision) -> dict[str, Any]:
    event = decision.event
    head = replace(event, reports=()).to_json()
    del head["reports"]
    return {
        **summary_columns(event),
        "report_folded": report_folded(decision.report),
        "event_key": event.key,
        "kind": event.kind,
        "pair": event.pair,
        "family": event.family,
        "date": event.date.isoformat(),
        "anchor": event.anchor.isoformat(),
        "status": event.status,
        "place": event.place,
        "confirmed": 1 if event.confirmed_by else 0,
        "report_count": event.report_count,
        "first_seen": ts(event.first_seen),
        "updated_at": ts(event.updated_at),
        "record_json": _dumps(head),
    }


def _thread_params(thread: Thread) -> tuple[Any, ...]:
    return (
        thread.event_key,
        thread.notifier,
        thread.rule_id,
        thread.parent_id,
        thread.seq,
        ts(thread.flush_at),
        _dumps(thread.to_json()),
    )


_INSERT_EVENT = """
INSERT INTO events (event_key, kind, pair, family, date, anchor, status, place, confirmed,
    report_count, first_seen, updated_at, record_json, languages, rule_ids, lead_json,
    facts_folded, reports_folded)
VALUES (:event_key, :kind, :pair, :family, :date, :anchor, :status, :place, :confirmed,
    :report_count, :first_seen, :updated_at, :record_json, :languages, :rule_ids, :lead_json,
    :facts_folded, :report_folded)
"""

_UPDATE_EVENT = """
UPDATE events SET date = :date, status = :status, place = :place, confirmed = :confirmed,
    report_count = :report_count, updated_at = :updated_at, record_json = :record_json,
    languages = :languages, rule_ids = :rule_ids, lead_json = :lead_json,
    facts_folded = :facts_folded, reports_folded = COALESCE(reports_folded, '') || :report_folded
WHERE event_key = :event_key
"""

_SAVE_THREAD = """
INSERT INTO alert_threads (event_key, notifier, rule_id, parent_id, seq, flush_at, thread_json)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(event_key, notifier) DO UPDATE SET
    rule_id = excluded.rule_id, parent_id = excluded.parent_id, seq = excluded.seq,
    flush_at = excluded.flush_at, thread_json = excluded.thread_json
"""

# Pruned: no activity since the cutoff, no folded update waiting, no alert still pending.
PRUNE_EVENTS = """
DELETE FROM events WHERE updated_at < ?
AND NOT EXISTS (SELECT 1 FROM alert_threads t
                WHERE t.event_key = events.event_key AND t.flush_at IS NOT NULL)
AND NOT EXISTS (SELECT 1 FROM alerts a JOIN outbox o ON o.alert_id = a.alert_id
                WHERE a.event_key = events.event_key AND o.state = 'pending')
"""


# Events with their reports in one round trip: ``{keys}`` is a query yielding event keys.
_WITH_REPORTS = """
WITH chosen(event_key) AS ({keys})
SELECT e.event_key, e.record_json, r.report_json
FROM chosen c JOIN events e ON e.event_key = c.event_key
JOIN event_reports r ON r.event_key = e.event_key
"""


async def load_events(
    conn: aiosqlite.Connection | SyncConnection, keys_sql: str, params: Sequence[Any]
) -> list[EventRecord]:
    """Whole records of the events ``keys_sql`` selects, by key; reports in report order."""
    heads: dict[str, str] = {}
    reports: dict[str, list[dict[str, Any]]] = {}
    async with conn.execute(_WITH_REPORTS.format(keys=keys_sql), params) as cur:
        async for key, head, report in cur:
            heads[key] = head
            reports.setdefault(key, []).append(json.loads(report))
    out = []
    for key in sorted(heads):
        record = EventRecord.from_json({**json.loads(heads[key]), "reports": reports[key]})
        ordered = tuple(sorted(record.reports, key=lambda r: r.order))
        out.append(replace(record, reports=ordered))
    return out


class SqliteEventsTx:
    """Event and thread reads and writes inside a ``SqliteStore`` transaction."""

    conn: SyncConnection

    async def event_candidates(self, query: CandidateQuery) -> list[EventRecord]:
        by_item = "SELECT event_key FROM event_reports WHERE item_key = ?"
        if query.key is not None:
            sql = f"SELECT event_key FROM events WHERE event_key = ? UNION {by_item}"
            params: tuple[Any, ...] = (query.key, query.item_key)
        else:
            window = (
                "SELECT event_key FROM events WHERE kind = ? AND pair = ? AND {} BETWEEN ? AND ?"
            )
            span = (query.kind, query.pair, query.date_from.isoformat(), query.date_to.isoformat())
            sql = f"{window.format('date')} UNION {window.format('anchor')} UNION {by_item}"
            params = (*span, *span, query.item_key)
        return await load_events(self.conn, sql, params)

    async def events_by_key(self, keys: Sequence[str]) -> list[EventRecord]:
        found: list[EventRecord] = []
        for chunk in chunks(list(dict.fromkeys(keys))):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT event_key FROM events WHERE event_key IN ({marks})"
            found += await load_events(self.conn, sql, chunk)
        return sorted(found, key=lambda e: e.key)

    async def event(self, event_key: str) -> EventRecord | None:
        found = await load_events(
            self.conn, "SELECT event_key FROM events WHERE event_key = ?", (event_key,)
        )
        return found[0] if found else None

    async def save_event(self, decision: EventDecision, now: datetime) -> None:
        await self.save_events([decision], now)

    async def save_events(self, decisions: Sequence[EventDecision], now: datetime) -> None:
        # Two statements for the batch: new events inserted, joined ones updated, reports
        # added, each with executemany (a statement per event was most of a cold pass).
        applied = [d for d in decisions if d.action != "duplicate"]
        new = [_event_params(d) for d in applied if d.action == "new"]
        joined = [_event_params(d) for d in applied if d.action != "new"]
        if new:
            await self.conn.executemany(_INSERT_EVENT, new)
        if joined:
            await self.conn.executemany(_UPDATE_EVENT, joined)
        if applied:
            t = ts(now)
            await self.conn.executemany(
                "INSERT INTO event_reports (event_key, item_key, added_at, report_json)"
                " VALUES (?, ?, ?, ?)",
                [
                    (d.event.key, d.report.ref.item_key, t, _dumps(d.report.to_json()))
                    for d in applied
                ],
            )

    async def event_threads(self, event_key: str) -> dict[str, Thread]:
        async with self.conn.execute(
            "SELECT thread_json FROM alert_threads WHERE event_key = ?", (event_key,)
        ) as cur:
            threads = [Thread.from_json(json.loads(row[0])) async for row in cur]
        return {t.notifier: t for t in threads}

    async def save_thread(self, thread: Thread) -> None:
        await self.save_threads([thread])

    async def save_threads(self, threads: Sequence[Thread]) -> None:
        if threads:
            await self.conn.executemany(_SAVE_THREAD, [_thread_params(t) for t in threads])

    async def due_threads(self, now: datetime, limit: int) -> list[Thread]:
        async with self.conn.execute(
            "SELECT thread_json FROM alert_threads WHERE flush_at IS NOT NULL AND flush_at <= ?"
            " ORDER BY flush_at, event_key, notifier LIMIT ?",
            (ts(now), limit),
        ) as cur:
            return [Thread.from_json(json.loads(row[0])) async for row in cur]


async def list_events(
    conn: aiosqlite.Connection,
    *,
    since: datetime | None,
    pair: str | None,
    kind: str | None,
    limit: int,
) -> list[EventRecord]:
    where, params = [], []
    for clause, value in (
        ("updated_at >= ?", ts(since)),
        ("pair = ?", pair),
        ("kind = ?", kind),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    keys = "SELECT event_key FROM events"
    if where:
        keys += " WHERE " + " AND ".join(where)
    keys += " ORDER BY date DESC, first_seen DESC, event_key LIMIT ?"
    events = await load_events(conn, keys, (*params, limit))
    return sorted(events, key=lambda e: (-e.date.toordinal(), -e.first_seen.timestamp(), e.key))
