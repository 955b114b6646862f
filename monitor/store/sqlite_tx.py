"""The SQLite store's transaction (a part of ``SqliteStore``): seen items, matches, alerts and
source states written in one poll's transaction, on the poll path's own connection without a
thread hop (``sqlite_batch.py``); events and alert threads come from
``SqliteEventsTx``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from monitor.model import Alert, Item, Match, SeenItem
from monitor.store.base import SourceState
from monitor.store.ops_types import SilenceEpisode
from monitor.store.sqlite_events import SqliteEventsTx
from monitor.store.sqlite_schema import SAVE_STATE, chunks, state_from_row, state_params, ts
from monitor.store.sqlite_sync import SyncConnection

# ``json.dumps(value, ensure_ascii=False)`` without building a JSONEncoder per call.
_dumps = json.JSONEncoder(ensure_ascii=False).encode


class SqliteTransaction(SqliteEventsTx):
    """The ``Transaction`` of ``SqliteStore``; valid only inside ``transaction()``."""

    def __init__(self, conn: SyncConnection) -> None:
        self.conn = conn
        self.saved: list[SourceState] = []  # for the store's cache, once committed
        self.urgent = False  # outbox rows written: the unit's batch commits when it ends

    async def unseen(self, item_keys: Sequence[str]) -> set[str]:
        keys = list(dict.fromkeys(item_keys))
        known: set[str] = set()
        for chunk in chunks(keys):
            marks = ",".join("?" * len(chunk))
            async with self.conn.execute(
                f"SELECT item_key FROM seen WHERE item_key IN ({marks})", chunk
            ) as cur:
                known.update([row[0] async for row in cur])
        return set(keys) - known

    async def mark_seen(self, items: Sequence[Item | SeenItem], now: datetime) -> None:
        t = ts(now)
        await self.conn.executemany(
            "INSERT INTO seen (item_key, source_id, first_seen, last_seen, published_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(item_key) DO UPDATE SET last_seen = excluded.last_seen",
            [(i.key, i.source_id, t, t, ts(i.published_at)) for i in items],
        )

    async def add_matches(self, matches: Sequence[tuple[Match, Item]], now: datetime) -> int:
        before = self.conn.total_changes
        await self.conn.executemany(
            "INSERT OR IGNORE INTO matches (match_key, rule_id, item_key, source_id, kind,"
            " created_at, match_json, item_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    m.key,
                    m.rule_id,
                    m.item_key,
                    item.source_id,
                    m.kind,
                    ts(now),
                    _dumps(m.to_json()),
                    _dumps(item.to_json()),
                )
                for m, item in matches
            ],
        )
        return self.conn.total_changes - before

    async def add_alerts(
        self, alerts: Sequence[Alert], *, not_before: Mapping[str, datetime] | None = None
    ) -> list[str]:
        # One lookup for the ids already stored, then two executemany inserts: a repeated
        # decision (an id already stored) queues nothing.
        ids = list(dict.fromkeys(alert.id for alert in alerts))
        known: set[str] = set()
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            async with self.conn.execute(
                f"SELECT alert_id FROM alerts WHERE alert_id IN ({marks})", chunk
            ) as cur:
                known.update([row[0] async for row in cur])
        fresh: dict[str, Alert] = {}
        for alert in alerts:
            if alert.id not in known:
                fresh.setdefault(alert.id, alert)
        if not fresh:
            return []
        holds = not_before or {}
        await self.conn.executemany(
            "INSERT INTO alerts (alert_id, notifier, rule_id, kind, event_key,"
            " parent_id, created_at, alert_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    a.id,
                    a.notifier,
                    a.rule_id,
                    a.kind,
                    a.event_key,
                    a.parent_id,
                    ts(a.created_at),
                    _dumps(a.to_json()),
                )
                for a in fresh.values()
            ],
        )
        outbox = []
        for a in fresh.values():
            hold = ts(holds.get(a.id))
            # A held alert's first attempt is its release time.
            first = max(hold or 0.0, ts(a.created_at) or 0.0)
            outbox.append((a.id, a.notifier, first, ts(a.created_at), hold))
        await self.conn.executemany(
            "INSERT INTO outbox (alert_id, notifier, state, next_attempt_at, created_at,"
            " not_before) VALUES (?, ?, 'pending', ?, ?, ?)",
            outbox,
        )
        self.urgent = self.urgent or bool(outbox)
        return list(fresh)

    async def source_state(self, source_id: str) -> SourceState:
        async with self.conn.execute(
            "SELECT * FROM sources WHERE source_id = ?", (source_id,)
        ) as cur:
            row = await cur.fetchone()
        return state_from_row(row) if row else SourceState(source_id)

    async def save_source_state(self, state: SourceState) -> None:
        await self.conn.execute(SAVE_STATE, state_params(state))
        self.saved.append(state)

    async def alert_remote_id(self, alert_id: str) -> str | None:
        async with self.conn.execute(
            "SELECT remote_id FROM outbox WHERE alert_id = ?", (alert_id,)
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def open_silence(self, episode: SilenceEpisode) -> bool:
        before = self.conn.total_changes
        await self.conn.executemany(
            "INSERT OR IGNORE INTO source_silences (source_id, episode_id, since, opened_at,"
            " reason) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    episode.source_id,
                    episode.episode_id,
                    ts(episode.since),
                    ts(episode.opened_at),
                    episode.reason,
                )
            ],
        )
        return self.conn.total_changes > before

    async def close_silence(self, source_id: str, episode_id: str) -> bool:
        before = self.conn.total_changes
        await self.conn.executemany(
            "DELETE FROM source_silences WHERE source_id = ? AND episode_id = ?",
            [(source_id, episode_id)],
        )
        return self.conn.total_changes > before
