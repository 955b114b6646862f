"""The PostgreSQL schema (named migrations) and the mapping between rows and store values.

The tables mirror ``sqlite_schema.py`` (same names, same migration names, so a change made for
one backend is easy to mirror in the other), with native types: ``timestamptz`` for times,
``boolean``, ``bigint`` identity for the outbox order. JSON documents are kept as ``text``: the
round trip is exact, and ``jsonb`` would refuse a ``\\u0000`` escape that a feed can contain.

Coordination columns and tables (see ``postgres.py``):
- ``sources.lease_owner / lease_until / lease_token``: the row lease a node takes when it
  claims a due polled source; ``lease_token`` comes from the ``lease_tokens`` sequence, so every
  claim ever made has its own token (a fencing token: the poll's commit checks it);
- ``leases``: named leases (a push source's stream, a notifier's delivery lane) with the same
  owner / until / token triple.
"""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from monitor.contracts import SourceCursor
from monitor.model import Alert
from monitor.store.base import OutboxRow, SourceState
from monitor.store.summaries import SUMMARIES_MIGRATION

# (name, statements). Append new migrations at the end; never edit an applied one. Mirror the
# SQLite migration of the same name.
MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    (
        "0001_core",
        (
            "CREATE SEQUENCE lease_tokens",
            """CREATE TABLE sources (
                source_id text PRIMARY KEY,
                fingerprint text,
                active boolean NOT NULL DEFAULT false,
                etag text,
                last_modified text,
                cursor text,
                next_due_at timestamptz,
                failures integer NOT NULL DEFAULT 0,
                failing_since timestamptz,
                last_ok_at timestamptz,
                last_polled_at timestamptz,
                last_status text,
                last_error text,
                lease_owner text,
                lease_until timestamptz,
                lease_token bigint
            )""",
            "CREATE INDEX sources_due ON sources (next_due_at) WHERE active",
            """CREATE TABLE seen (
                item_key text PRIMARY KEY,
                source_id text NOT NULL,
                first_seen timestamptz NOT NULL,
                last_seen timestamptz NOT NULL,
                published_at timestamptz
            )""",
            "CREATE INDEX seen_last_seen ON seen (last_seen)",
            """CREATE TABLE matches (
                match_key text PRIMARY KEY,
                rule_id text NOT NULL,
                item_key text NOT NULL,
                source_id text NOT NULL,
                kind text NOT NULL,
                created_at timestamptz NOT NULL,
                match_json text NOT NULL,
                item_json text NOT NULL
            )""",
            "CREATE INDEX matches_created ON matches (created_at)",
            "CREATE INDEX matches_item ON matches (item_key)",
            """CREATE TABLE alerts (
                alert_id text PRIMARY KEY,
                notifier text NOT NULL,
                rule_id text NOT NULL,
                kind text NOT NULL,
                event_key text NOT NULL,
                parent_id text,
                created_at timestamptz NOT NULL,
                alert_json text NOT NULL
            )""",
            "CREATE INDEX alerts_event ON alerts (event_key)",
            """CREATE TABLE outbox (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                alert_id text NOT NULL UNIQUE REFERENCES alerts (alert_id) ON DELETE CASCADE,
                notifier text NOT NULL,
                state text NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL,
                first_failed_at timestamptz,
                last_error text,
                remote_id text,
                sent_at timestamptz
            )""",
            "CREATE INDEX outbox_queue ON outbox (notifier, state, seq)",
            """CREATE TABLE leases (
                name text PRIMARY KEY,
                owner text NOT NULL,
                until timestamptz NOT NULL,
                token bigint NOT NULL,
                acquired_at timestamptz NOT NULL
            )""",
        ),
    ),
    (
        "0002_delivery",
        # Held alerts (quiet hours) are queued now and sent not before this time.
        ("ALTER TABLE outbox ADD COLUMN IF NOT EXISTS not_before timestamptz",),
    ),
    (
        # Events (monitor/events/cluster.py): derived state in ``events`` (``record_json`` is the
        # EventRecord without its reports), one row per report in ``event_reports``, one
        # alert thread per (event, notifier). See ``postgres_events.py``.
        "0003_events",
        (
            """CREATE TABLE events (
                event_key text PRIMARY KEY,
                kind text NOT NULL,
                pair text NOT NULL,
                family text NOT NULL,
                date date NOT NULL,
                anchor date NOT NULL,
                status text NOT NULL,
                place text,
                confirmed boolean NOT NULL,
                report_count integer NOT NULL,
                first_seen timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                record_json text NOT NULL
            )""",
            "CREATE INDEX events_by_date ON events (kind, pair, date)",
            "CREATE INDEX events_by_anchor ON events (kind, pair, anchor)",
            "CREATE INDEX events_updated ON events (updated_at)",
            """CREATE TABLE event_reports (
                event_key text NOT NULL REFERENCES events (event_key) ON DELETE CASCADE,
                item_key text NOT NULL,
                added_at timestamptz NOT NULL,
                report_json text NOT NULL,
                PRIMARY KEY (event_key, item_key)
            )""",
            "CREATE INDEX event_reports_item ON event_reports (item_key)",
            """CREATE TABLE alert_threads (
                event_key text NOT NULL REFERENCES events (event_key) ON DELETE CASCADE,
                notifier text NOT NULL,
                rule_id text NOT NULL,
                parent_id text NOT NULL,
                seq integer NOT NULL,
                flush_at timestamptz,
                thread_json text NOT NULL,
                PRIMARY KEY (event_key, notifier)
            )""",
            "CREATE INDEX alert_threads_flush ON alert_threads (flush_at)"
            " WHERE flush_at IS NOT NULL",
        ),
    ),
    (
        # Silent sources (monitor/watch): one row per open silence episode (its primary key
        # makes the episode's alert go out once, whichever node sees it first), and the
        # new-item times per source that a source's usual pace is learned from.
        "0004_silences",
        (
            """CREATE TABLE source_silences (
                source_id text PRIMARY KEY,
                episode_id text NOT NULL,
                since timestamptz NOT NULL,
                opened_at timestamptz NOT NULL,
                reason text NOT NULL
            )""",
            "CREATE INDEX seen_source_first ON seen (source_id, first_seen)",
        ),
    ),
    (
        # Live nodes (``postgres_claims.py``): each claim renews its node's row; the live
        # ones split the polled sources evenly.
        "0005_nodes",
        (
            "CREATE TABLE nodes (node text PRIMARY KEY, alive_until timestamptz NOT NULL)",
            "ALTER TABLE sources ADD COLUMN IF NOT EXISTS claimed_at timestamptz",
        ),
    ),
    (
        # The meetings list reads rows only (monitor/store/summaries.py); rows written before
        # are filled in on open (``postgres_reads.backfill_summaries``).
        SUMMARIES_MIGRATION,
        (
            *(
                f"ALTER TABLE events ADD COLUMN IF NOT EXISTS {column} text"
                for column in (
                    "languages",
                    "rule_ids",
                    "lead_json",
                    "facts_folded",
                    "reports_folded",
                )
            ),
            # The rows still to fill: found on every open without reading the table.
            "CREATE INDEX IF NOT EXISTS events_unsummarised ON events (event_key)"
            " WHERE lead_json IS NULL",
        ),
    ),
    # One process's claims on SQLite; PostgreSQL's nodes hand theirs over by heartbeat.
    ("0007_claim_owner", ()),
    (
        # Each polled source's rank by id among the active polled sources, stored by the sync
        # of the configured sources (``postgres_claims.RANK``): a claim picks this node's
        # share from the due-time index instead of numbering every source each time.
        "0008_shard_rank",
        ("ALTER TABLE sources ADD COLUMN IF NOT EXISTS shard_rank integer",),
    ),
]


def lock_key(purpose: str) -> str:
    """SQL for an advisory lock key, per schema: deployments sharing one database in separate
    schemas do not wait for each other."""
    return f"hashtext(coalesce(current_schema(), '') || ':bilat.{purpose}')"


def clean(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL; a feed's guid or error text can. Replaced the same way
    on every write and lookup, so keys stay consistent."""
    if value is None or "\x00" not in value:
        return value
    return value.replace("\x00", "\ufffd")


def dumps(data: dict[str, Any]) -> str:
    # json escapes NUL as \u0000, which a text column keeps verbatim.
    return json.dumps(data, ensure_ascii=False)


def state_from_row(row: asyncpg.Record) -> SourceState:
    return SourceState(
        source_id=row["source_id"],
        cursor=SourceCursor(
            etag=row["etag"], last_modified=row["last_modified"], cursor=row["cursor"]
        ),
        next_due_at=row["next_due_at"],
        failures=row["failures"],
        failing_since=row["failing_since"],
        last_ok_at=row["last_ok_at"],
        last_polled_at=row["last_polled_at"],
        last_status=row["last_status"],
        last_error=row["last_error"],
        fingerprint=row["fingerprint"],
    )


def outbox_from_row(row: asyncpg.Record) -> OutboxRow:
    return OutboxRow(
        seq=row["seq"],
        alert=Alert.from_json(json.loads(row["alert_json"])),
        notifier=row["notifier"],
        state=row["state"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
        first_failed_at=row["first_failed_at"],
        last_error=row["last_error"],
        remote_id=row["remote_id"],
        sent_at=row["sent_at"],
        not_before=row["not_before"],
    )


# $1..$12 in this order (see ``state_params``).
_STATE_COLUMNS = (
    "source_id, fingerprint, etag, last_modified, cursor, next_due_at, failures,"
    " failing_since, last_ok_at, last_polled_at, last_status, last_error"
)
_STATE_UPDATES = """
    etag = $3, last_modified = $4, cursor = $5, next_due_at = $6, failures = $7,
    failing_since = $8, last_ok_at = $9, last_polled_at = $10, last_status = $11,
    last_error = $12"""

# An unleased save (SQLite semantics): insert or overwrite, leases untouched.
SAVE_STATE = f"""
INSERT INTO sources ({_STATE_COLUMNS}, active)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true)
ON CONFLICT (source_id) DO UPDATE SET
    fingerprint = COALESCE($2, sources.fingerprint), {_STATE_UPDATES}
"""

# The fenced save of a claimed source: only while the row still carries this node's claim
# token ($13); it ends the lease. Zero rows updated means the lease was lost.
SAVE_CLAIMED_STATE = f"""
UPDATE sources SET
    fingerprint = COALESCE($2, fingerprint), {_STATE_UPDATES},
    lease_owner = NULL, lease_until = NULL
WHERE source_id = $1 AND lease_token = $13
"""


def state_params(state: SourceState) -> tuple[Any, ...]:
    return (
        state.source_id,
        state.fingerprint,
        clean(state.cursor.etag),
        clean(state.cursor.last_modified),
        clean(state.cursor.cursor),
        state.next_due_at,
        state.failures,
        state.failing_since,
        state.last_ok_at,
        state.last_polled_at,
        clean(state.last_status),
        clean(state.last_error),
    )
