"""The ``Transaction`` of the PostgreSQL store: one processed poll, fenced by this node's lease.

Inserts are batched (``unnest``: one statement per table for the whole poll) and sorted by
key, so concurrent transactions on several nodes lock the same keys in the same order
instead of deadlocking; duplicates are ignored (``ON CONFLICT``). Alerts and their outbox
rows keep the order the decisions gave them (the outbox's ``seq`` is the delivery order);
their ids are fresh per decision, so no other node inserts the same ones concurrently.
``save_source_state`` is where fencing happens (see ``postgres.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from monitor.model import Alert, Item, Match, SeenItem
from monitor.store.base import LeaseLost, SourceState, stream_lease
from monitor.store.ops_types import SilenceEpisode
from monitor.store.postgres_events import PostgresEventsTx
from monitor.store.postgres_schema import (
    SAVE_CLAIMED_STATE,
    SAVE_STATE,
    clean,
    dumps,
    state_from_row,
    state_params,
)


def ordered_insert(
    table: str,
    columns: Sequence[tuple[str, str]],
    *,
    constants: Mapping[str, str] | None = None,
    tail: str = "",
) -> str:
    """An INSERT of one row per element of the array parameters ``$1``.. (one a column of
    ``columns``: name, element type), in the arrays' order: ``WITH ORDINALITY`` keeps it, so
    the rows take their identity values (the outbox's delivery ``seq``) in that order.
    ``constants``: columns given an SQL expression instead; ``tail``: e.g. ``ON CONFLICT``."""
    fixed = dict(constants or {})
    names = [name for name, _ in columns]
    arrays = ", ".join(f"${n}::{kind}[]" for n, (_, kind) in enumerate(columns, 1))
    return (
        f"INSERT INTO {table} ({', '.join([*names, *fixed])})"
        f" SELECT {', '.join([*names, *fixed.values()])} FROM unnest({arrays})"
        f" WITH ORDINALITY AS t({', '.join(names)}, ord) ORDER BY ord{tail}"
    )


INSERT_ALERTS = ordered_insert(
    "alerts",
    [
        ("alert_id", "text"),
        ("notifier", "text"),
        ("rule_id", "text"),
        ("kind", "text"),
        ("event_key", "text"),
        ("parent_id", "text"),
        ("created_at", "timestamptz"),
        ("alert_json", "text"),
    ],
    tail=" ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id",
)
INSERT_OUTBOX = ordered_insert(
    "outbox",
    [
        ("alert_id", "text"),
        ("notifier", "text"),
        ("next_attempt_at", "timestamptz"),
        ("created_at", "timestamptz"),
        ("not_before", "timestamptz"),
    ],
    constants={"state": "'pending'"},
)


@dataclass(slots=True)
class Fences:
    """This node's identity and the tokens of the claims (polled source id -> token) and
    named leases (name -> token) it holds. A lost one stays until replaced (a new claim or
    acquisition) or released, so work done under it stays fenced off."""

    node: str
    claims: dict[str, int] = field(default_factory=dict)
    leases: dict[str, int] = field(default_factory=dict)
    # The states of claimed sources as their claim read them, until the poll reads its state
    # (no round trip then) or anything saves it.
    claimed_states: dict[str, SourceState] = field(default_factory=dict)

    def end_claim(self, source_id: str, token: int) -> None:
        if self.claims.get(source_id) == token:
            del self.claims[source_id]


def count(status: str) -> int:
    """Rows affected, from a command status such as ``INSERT 0 3`` or ``DELETE 7``."""
    return int(status.rsplit(" ", 1)[-1])


async def unseen_keys(
    conn: asyncpg.Connection | asyncpg.Pool, item_keys: Sequence[str]
) -> set[str]:
    """The keys among ``item_keys`` not in ``seen``."""
    cleaned = {key: clean(key) for key in dict.fromkeys(item_keys)}
    if not cleaned:
        return set()
    rows = await conn.fetch(
        "SELECT item_key FROM seen WHERE item_key = ANY($1::text[])",
        list(set(cleaned.values())),
    )
    known = {row[0] for row in rows}
    return {key for key, stored in cleaned.items() if stored not in known}


class PostgresTransaction(PostgresEventsTx):
    """The ``Transaction`` of ``PostgresStore``; valid only inside ``transaction()``."""

    def __init__(self, conn: asyncpg.Connection, fences: Fences) -> None:
        self.conn = conn
        self.fences = fences
        self._ended_claims: list[tuple[str, int]] = []

    async def unseen(self, item_keys: Sequence[str]) -> set[str]:
        return await unseen_keys(self.conn, item_keys)

    async def mark_seen(self, items: Sequence[Item | SeenItem], now: datetime) -> None:
        first: dict[str, Item | SeenItem] = {}
        for item in items:
            first.setdefault(clean(item.key) or "", item)
        if not first:
            return
        # Sorted: concurrent transactions lock the same keys in the same order (no deadlock).
        keys = sorted(first)
        await self.conn.execute(
            "INSERT INTO seen (item_key, source_id, first_seen, last_seen, published_at)"
            " SELECT k, s, $3, $3, p FROM unnest($1::text[], $2::text[], $4::timestamptz[])"
            " AS t(k, s, p)"
            " ON CONFLICT (item_key) DO UPDATE SET last_seen = EXCLUDED.last_seen",
            keys,
            [first[k].source_id for k in keys],
            now,
            [first[k].published_at for k in keys],
        )

    async def add_matches(self, matches: Sequence[tuple[Match, Item]], now: datetime) -> int:
        if not matches:
            return 0
        ordered = sorted(matches, key=lambda pair: pair[0].key)
        status = await self.conn.execute(
            "INSERT INTO matches (match_key, rule_id, item_key, source_id, kind, created_at,"
            " match_json, item_json)"
            " SELECT mk, r, ik, s, k, $6, mj, ij FROM unnest($1::text[], $2::text[],"
            " $3::text[], $4::text[], $5::text[], $7::text[], $8::text[])"
            " AS t(mk, r, ik, s, k, mj, ij)"
            " ON CONFLICT (match_key) DO NOTHING",
            [clean(m.key) for m, _ in ordered],
            [m.rule_id for m, _ in ordered],
            [clean(m.item_key) for m, _ in ordered],
            [item.source_id for _, item in ordered],
            [m.kind for m, _ in ordered],
            now,
            [dumps(m.to_json()) for m, _ in ordered],
            [dumps(item.to_json()) for _, item in ordered],
        )
        return count(status)

    async def add_alerts(
        self, alerts: Sequence[Alert], *, not_before: Mapping[str, datetime] | None = None
    ) -> list[str]:
        if not alerts:
            return []
        holds = not_before or {}
        unique = list({alert.id: alert for alert in reversed(alerts)}.values())[::-1]
        # Two statements for the whole batch: the alerts (those already stored are skipped),
        # then the outbox rows of the ones inserted, in the order given (their ``seq`` is the
        # delivery order).
        rows = await self.conn.fetch(
            INSERT_ALERTS,
            [a.id for a in unique],
            [a.notifier for a in unique],
            [a.rule_id for a in unique],
            [a.kind for a in unique],
            [clean(a.event_key) for a in unique],
            [a.parent_id for a in unique],
            [a.created_at for a in unique],
            [dumps(a.to_json()) for a in unique],
        )
        inserted = {row[0] for row in rows}
        new = [a for a in unique if a.id in inserted]
        if not new:
            return []
        # A held alert's first attempt is its release time.
        firsts = [max(holds[a.id], a.created_at) if holds.get(a.id) else a.created_at for a in new]
        await self.conn.execute(
            INSERT_OUTBOX,
            [a.id for a in new],
            [a.notifier for a in new],
            firsts,
            [a.created_at for a in new],
            [holds.get(a.id) for a in new],
        )
        return [a.id for a in new]

    async def source_state(self, source_id: str) -> SourceState:
        row = await self.conn.fetchrow("SELECT * FROM sources WHERE source_id = $1", source_id)
        return state_from_row(row) if row else SourceState(source_id)

    async def save_source_state(self, state: SourceState) -> None:
        sid = state.source_id
        fences = self.fences
        fences.claimed_states.pop(sid, None)
        claim = fences.claims.get(sid)
        if claim is not None:
            status = await self.conn.execute(SAVE_CLAIMED_STATE, *state_params(state), claim)
            if count(status) == 0:
                # The stale token stays: any later save of this poll is refused as well.
                raise LeaseLost(f"source {sid}: claimed by another node since this poll began")
            self._ended_claims.append((sid, claim))
            return
        name = stream_lease(sid)
        token = fences.leases.get(name)
        if token is not None:
            # FOR SHARE: a takeover (an UPDATE of this row) waits until this unit committed.
            still_ours = await self.conn.fetchval(
                "SELECT 1 FROM leases WHERE name = $1 AND owner = $2 AND token = $3 FOR SHARE",
                name,
                fences.node,
                token,
            )
            if still_ours is None:
                raise LeaseLost(f"source {sid}: its stream was taken over by another node")
        await self.conn.execute(SAVE_STATE, *state_params(state))

    async def alert_remote_id(self, alert_id: str) -> str | None:
        value = await self.conn.fetchval(
            "SELECT remote_id FROM outbox WHERE alert_id = $1", alert_id
        )
        return value if isinstance(value, str) else None

    def committed(self) -> None:
        """Called after COMMIT: the claims this unit saved have ended."""
        for sid, claim in self._ended_claims:
            self.fences.end_claim(sid, claim)

    async def open_silence(self, episode: SilenceEpisode) -> bool:
        # A second node opening the same source's episode waits on the key, then does nothing.
        status = await self.conn.execute(
            "INSERT INTO source_silences (source_id, episode_id, since, opened_at, reason)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source_id) DO NOTHING",
            episode.source_id,
            episode.episode_id,
            episode.since,
            episode.opened_at,
            clean(episode.reason),
        )
        return count(status) == 1

    async def close_silence(self, source_id: str, episode_id: str) -> bool:
        status = await self.conn.execute(
            "DELETE FROM source_silences WHERE source_id = $1 AND episode_id = $2",
            source_id,
            episode_id,
        )
        return count(status) == 1
