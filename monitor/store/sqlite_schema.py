"""The SQLite schema (named migrations) and the mapping between rows and store values.

Schema changes are named migrations applied in order and recorded in ``schema_migrations``;
names (not numbers) let parts developed in parallel each append their own. Times are stored
as UTC epoch seconds (REAL), so due-time comparisons are plain number comparisons.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiosqlite

from monitor.contracts import SourceCursor
from monitor.model import Alert, utcnow
from monitor.store.base import OutboxRow, SourceState
from monitor.store.summaries import SUMMARIES_MIGRATION


@dataclass(frozen=True, slots=True)
class AddColumn:
    """``ALTER TABLE table ADD COLUMN column decl``, skipped when the column already exists
    (so two migrations developed in parallel may both add it)."""

    table: str
    column: str
    decl: str

    @property
    def sql(self) -> str:
        return f"ALTER TABLE {self.table} ADD COLUMN {self.column} {self.decl}"


Statement = str | AddColumn

# (name, statements). Append new migrations at the end; never edit an applied one.
MIGRATIONS: list[tuple[str, tuple[Statement, ...]]] = [
    (
        "0001_core",
        (
            """CREATE TABLE sources (
                source_id TEXT PRIMARY KEY,
                fingerprint TEXT,
                active INTEGER NOT NULL DEFAULT 0,
                etag TEXT,
                last_modified TEXT,
                cursor TEXT,
                next_due_at REAL,
                failures INTEGER NOT NULL DEFAULT 0,
                failing_since REAL,
                last_ok_at REAL,
                last_polled_at REAL,
                last_status TEXT,
                last_error TEXT
            )""",
            "CREATE INDEX sources_due ON sources(active, next_due_at)",
            """CREATE TABLE seen (
                item_key TEXT PRIMARY KEY,
                source_id TEXT NOT NULL,
                first_seen REAL NOT NULL,
                last_seen REAL NOT NULL,
                published_at REAL
            ) WITHOUT ROWID""",
            "CREATE INDEX seen_last_seen ON seen(last_seen)",
            """CREATE TABLE matches (
                match_key TEXT PRIMARY KEY,
                rule_id TEXT NOT NULL,
                item_key TEXT NOT NULL,
                source_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                created_at REAL NOT NULL,
                match_json TEXT NOT NULL,
                item_json TEXT NOT NULL
            )""",
            "CREATE INDEX matches_created ON matches(created_at)",
            "CREATE INDEX matches_item ON matches(item_key)",
            """CREATE TABLE alerts (
                alert_id TEXT PRIMARY KEY,
                notifier TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                event_key TEXT NOT NULL,
                parent_id TEXT,
                created_at REAL NOT NULL,
                alert_json TEXT NOT NULL
            )""",
            "CREATE INDEX alerts_event ON alerts(event_key)",
            """CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                alert_id TEXT NOT NULL UNIQUE REFERENCES alerts(alert_id) ON DELETE CASCADE,
                notifier TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at REAL NOT NULL,
                created_at REAL NOT NULL,
                first_failed_at REAL,
                last_error TEXT,
                remote_id TEXT,
                sent_at REAL
            )""",
            "CREATE INDEX outbox_queue ON outbox(notifier, state, seq)",
        ),
    ),
    (
        "0002_delivery",
        # Held alerts (quiet hours) are queued now and sent not before this time (epoch s).
        (AddColumn("outbox", "not_before", "REAL"),),
    ),
    (
        # Events (monitor/events/cluster.py): derived state in ``events`` (``record_json`` is the
        # EventRecord without its reports), one row per report in ``event_reports`` (so a
        # join appends a row instead of rewriting a growing document), one alert thread per
        # (event, notifier). Dates are ISO text (they sort as dates).
        "0003_events",
        (
            """CREATE TABLE events (
                event_key TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                pair TEXT NOT NULL,
                family TEXT NOT NULL,
                date TEXT NOT NULL,
                anchor TEXT NOT NULL,
                status TEXT NOT NULL,
                place TEXT,
                confirmed INTEGER NOT NULL,
                report_count INTEGER NOT NULL,
                first_seen REAL NOT NULL,
                updated_at REAL NOT NULL,
                record_json TEXT NOT NULL
            )""",
            "CREATE INDEX events_by_date ON events(kind, pair, date)",
            "CREATE INDEX events_by_anchor ON events(kind, pair, anchor)",
            "CREATE INDEX events_updated ON events(updated_at)",
            """CREATE TABLE event_reports (
                event_key TEXT NOT NULL REFERENCES events(event_key) ON DELETE CASCADE,
                item_key TEXT NOT NULL,
                added_at REAL NOT NULL,
                report_json TEXT NOT NULL,
                PRIMARY KEY (event_key, item_key)
            )""",
            "CREATE INDEX event_reports_item ON event_reports(item_key)",
            """CREATE TABLE alert_threads (
                event_key TEXT NOT NULL REFERENCES events(event_key) ON DELETE CASCADE,
                notifier TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                parent_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                flush_at REAL,
                thread_json TEXT NOT NULL,
                PRIMARY KEY (event_key, notifier)
            )""",
            "CREATE INDEX alert_threads_flush ON alert_threads(flush_at)"
            " WHERE flush_at IS NOT NULL",
        ),
    ),
    (
        # Silent sources (monitor/watch): one row per open silence episode (the unique key
        # is what makes its alert go out once, across restarts), and the new-item times
        # per source that a source's usual pace is learned from.
        "0004_silences",
        (
            """CREATE TABLE source_silences (
                source_id TEXT PRIMARY KEY,
                episode_id TEXT NOT NULL,
                since REAL NOT NULL,
                opened_at REAL NOT NULL,
                reason TEXT NOT NULL
            )""",
            "CREATE INDEX seen_source_first ON seen(source_id, first_seen)",
        ),
    ),
    # PostgreSQL's live nodes sharing the sources; one process needs nothing (the names
    # move together, so a state's history reads the same on both backends).
    ("0005_nodes", ()),
    (
        # The meetings list reads rows only (monitor/store/summaries.py): the reports'
        # languages and rules, the headline report, and the folded search text. Rows written
        # before are filled in on open (``sqlite_reads.backfill_summaries``).
        SUMMARIES_MIGRATION,
        (
            *(
                AddColumn("events", column, "TEXT")
                for column in (
                    "languages",
                    "rule_ids",
                    "lead_json",
                    "facts_folded",
                    "reports_folded",
                )
            ),
            # The rows still to fill: found on every open without reading the table.
            "CREATE INDEX IF NOT EXISTS events_unsummarised ON events(event_key)"
            " WHERE lead_json IS NULL",
        ),
    ),
    # Which process claimed a source for its poll (``sqlite.claim_owner``): a daemon started
    # after a crash releases the claims of processes that are gone, instead of waiting for
    # them to run out.
    ("0007_claim_owner", (AddColumn("sources", "claimed_by", "TEXT"),)),
    # PostgreSQL's nodes split the sources by a rank the sync stores; one process here.
    ("0008_shard_rank", ()),
]

CHUNK = 500  # SQLite's default limit on host parameters is 32766; stay far below


def ts(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def dt(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def state_from_row(row: aiosqlite.Row) -> SourceState:
    return SourceState(
        source_id=row["source_id"],
        cursor=SourceCursor(
            etag=row["etag"], last_modified=row["last_modified"], cursor=row["cursor"]
        ),
        next_due_at=dt(row["next_due_at"]),
        failures=row["failures"],
        failing_since=dt(row["failing_since"]),
        last_ok_at=dt(row["last_ok_at"]),
        last_polled_at=dt(row["last_polled_at"]),
        last_status=row["last_status"],
        last_error=row["last_error"],
        fingerprint=row["fingerprint"],
    )


# The columns of ``sources`` a state is made of, in the order ``state_from_values`` reads.
STATE_COLUMNS = (
    "source_id, etag, last_modified, cursor, next_due_at, failures, failing_since, last_ok_at,"
    " last_polled_at, last_status, last_error, fingerprint"
)


def state_from_values(row: Sequence[Any]) -> SourceState:
    """``state_from_row`` for a row that starts with ``STATE_COLUMNS``, read by position:
    the whole table at every start, half the cost of reading 12 columns by name."""
    sid, etag, modified, cursor, due, failures, since, ok, polled, status, error, fp = row[:12]
    return SourceState(
        source_id=sid,
        cursor=SourceCursor(etag=etag, last_modified=modified, cursor=cursor),
        next_due_at=None if due is None else _fromtimestamp(due, UTC),
        failures=failures,
        failing_since=None if since is None else _fromtimestamp(since, UTC),
        last_ok_at=None if ok is None else _fromtimestamp(ok, UTC),
        last_polled_at=None if polled is None else _fromtimestamp(polled, UTC),
        last_status=status,
        last_error=error,
        fingerprint=fp,
    )


_fromtimestamp = datetime.fromtimestamp


def outbox_from_row(row: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        seq=row["seq"],
        alert=Alert.from_json(json.loads(row["alert_json"])),
        notifier=row["notifier"],
        state=row["state"],
        attempts=row["attempts"],
        next_attempt_at=dt(row["next_attempt_at"]) or utcnow(),
        created_at=dt(row["created_at"]) or utcnow(),
        first_failed_at=dt(row["first_failed_at"]),
        last_error=row["last_error"],
        remote_id=row["remote_id"],
        sent_at=dt(row["sent_at"]),
        not_before=dt(row["not_before"]),
    )


SAVE_STATE = """
INSERT INTO sources (source_id, fingerprint, active, etag, last_modified, cursor, next_due_at,
    failures, failing_since, last_ok_at, last_polled_at, last_status, last_error)
VALUES (:source_id, :fingerprint, 1, :etag, :last_modified, :cursor, :next_due_at,
    :failures, :failing_since, :last_ok_at, :last_polled_at, :last_status, :last_error)
ON CONFLICT(source_id) DO UPDATE SET
    fingerprint = COALESCE(excluded.fingerprint, sources.fingerprint),
    etag = excluded.etag, last_modified = excluded.last_modified, cursor = excluded.cursor,
    next_due_at = excluded.next_due_at, failures = excluded.failures,
    failing_since = excluded.failing_since, last_ok_at = excluded.last_ok_at,
    last_polled_at = excluded.last_polled_at, last_status = excluded.last_status,
    last_error = excluded.last_error, claimed_by = NULL
"""


def state_params(state: SourceState) -> dict[str, Any]:
    return {
        "source_id": state.source_id,
        "fingerprint": state.fingerprint,
        "etag": state.cursor.etag,
        "last_modified": state.cursor.last_modified,
        "cursor": state.cursor.cursor,
        "next_due_at": ts(state.next_due_at),
        "failures": state.failures,
        "failing_since": ts(state.failing_since),
        "last_ok_at": ts(state.last_ok_at),
        "last_polled_at": ts(state.last_polled_at),
        "last_status": state.last_status,
        "last_error": state.last_error,
    }
