"""The PostgreSQL store (asyncpg): several identical nodes share one database.

Every node opens its own ``PostgresStore`` (a connection pool and a node identity:
hostname:pid:random). The nodes never talk to each other; they coordinate through rows:

- **Polled sources** are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (two nodes claiming
  at once never block on or both take the same row) and leased: ``lease_owner``,
  ``lease_until = now + lease_s`` and a fresh ``lease_token`` from a sequence. A leased source
  is not claimed again until its lease has passed, so a node that dies mid-poll delays that
  source by at most one lease. The poll's commit is *fenced*: the source's state is saved only
  ``WHERE lease_token = <the token of this node's claim>``; if another node has claimed it
  since, nothing updates, ``LeaseLost`` is raised and the whole poll (seen items, matches,
  alerts) rolls back. A successful save ends the lease.
- **Named leases** (``leases`` table): a push source's stream and a notifier's delivery lane.
  ``acquire_lease`` inserts or renews atomically (``INSERT … ON CONFLICT DO UPDATE … WHERE``
  the lease is ours or expired); saves of a source whose stream lease this node holds check,
  under a share lock on the lease row, that the lease is still this node's.
- **Idempotence** does the rest: unique keys on seen items, matches and alerts
  (``ON CONFLICT DO NOTHING``) make any poll processed twice harmless.
- **Migrations** run in one transaction under an advisory lock, so nodes starting together
  apply each migration once; ``sync_sources`` and ``prune`` take advisory locks too.

Times for due dates and leases are the caller's clock (``now`` arguments), as with SQLite:
nodes' clocks must agree (NTP). A skew larger than a lease could let two nodes fetch the same
source, but the fencing token still lets only one of them commit.

The URL is a libpq-style URL (``postgresql://user@host:5432/dbname``); extra query parameters
are session settings (``?search_path=bilat`` keeps bilat's tables in their own schema). A
password belongs in ``PGPASSWORD`` or ``~/.pgpass`` (asyncpg reads both), not in the file; if
the URL carries one anyway it is masked in logs and in ``store.url``.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import asyncpg
import structlog

from monitor.logs import register_secrets
from monitor.model import Alert, Item, Match
from monitor.store.base import (
    LeaseLost,
    OutboxRow,
    OutboxState,
    PruneReport,
    SourcePlan,
    SourceState,
    Store,
    Transaction,
    display_url,
    stream_lease,
)
from monitor.store.postgres_schema import (
    MIGRATIONS,
    SAVE_CLAIMED_STATE,
    SAVE_STATE,
    clean,
    dumps,
    outbox_from_row,
    state_from_row,
    state_params,
)

log = structlog.get_logger(__name__)

T = TypeVar("T")

POOL_MAX_SIZE = 10
CLOSE_TIMEOUT_S = 10.0


def node_id() -> str:
    """This process's identity among the nodes: hostname:pid:random (a restarted process,
    or a container reusing a pid, is a new node)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _lock_key(purpose: str) -> str:
    # Advisory lock keys per schema, so deployments sharing one database in separate schemas
    # do not wait for each other.
    return f"hashtext(coalesce(current_schema(), '') || ':bilat.{purpose}')"


async def _finish(aw: Awaitable[T]) -> T:
    """Await ``aw`` to its end even if the caller is cancelled meanwhile, then re-raise the
    cancellation: a COMMIT or ROLLBACK must never be left half-way ("did it commit?")."""
    task = asyncio.ensure_future(aw)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True
        except BaseException:
            break
    if cancelled:
        if not task.cancelled():
            task.exception()  # retrieved: the cancellation is what the caller sees
        raise asyncio.CancelledError
    return task.result()


def _count(status: str) -> int:
    """Rows affected, from a command status such as ``INSERT 0 3`` or ``DELETE 7``."""
    return int(status.rsplit(" ", 1)[-1])


class PostgresTransaction:
    """The ``Transaction`` of ``PostgresStore``; valid only inside ``transaction()``."""

    def __init__(self, conn: asyncpg.Connection, store: PostgresStore) -> None:
        self.conn = conn
        self.store = store
        self._ended_claims: list[tuple[str, int]] = []

    async def unseen(self, item_keys: Sequence[str]) -> set[str]:
        cleaned = {key: clean(key) for key in dict.fromkeys(item_keys)}
        if not cleaned:
            return set()
        rows = await self.conn.fetch(
            "SELECT item_key FROM seen WHERE item_key = ANY($1::text[])",
            list(set(cleaned.values())),
        )
        known = {row[0] for row in rows}
        return {key for key, stored in cleaned.items() if stored not in known}

    async def mark_seen(self, items: Sequence[Item], now: datetime) -> None:
        first: dict[str, Item] = {}
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
        return _count(status)

    async def add_alerts(self, alerts: Sequence[Alert]) -> list[str]:
        new: list[str] = []
        for alert in alerts:
            inserted = await self.conn.fetchval(
                "INSERT INTO alerts (alert_id, notifier, rule_id, kind, event_key, parent_id,"
                " created_at, alert_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                " ON CONFLICT (alert_id) DO NOTHING RETURNING alert_id",
                alert.id,
                alert.notifier,
                alert.rule_id,
                alert.kind,
                clean(alert.event_key),
                alert.parent_id,
                alert.created_at,
                dumps(alert.to_json()),
            )
            if inserted is not None:
                await self.conn.execute(
                    "INSERT INTO outbox (alert_id, notifier, state, next_attempt_at, created_at)"
                    " VALUES ($1, $2, 'pending', $3, $3)",
                    alert.id,
                    alert.notifier,
                    alert.created_at,
                )
                new.append(alert.id)
        return new

    async def source_state(self, source_id: str) -> SourceState:
        row = await self.conn.fetchrow("SELECT * FROM sources WHERE source_id = $1", source_id)
        return state_from_row(row) if row else SourceState(source_id)

    async def save_source_state(self, state: SourceState) -> None:
        sid = state.source_id
        store = self.store
        claim = store._claims.get(sid)
        if claim is not None:
            status = await self.conn.execute(SAVE_CLAIMED_STATE, *state_params(state), claim)
            if _count(status) == 0:
                # The stale token stays: any later save of this poll is refused as well.
                raise LeaseLost(f"source {sid}: claimed by another node since this poll began")
            self._ended_claims.append((sid, claim))
            return
        name = stream_lease(sid)
        token = store._leases.get(name)
        if token is not None:
            # FOR SHARE: a takeover (an UPDATE of this row) waits until this unit committed.
            still_ours = await self.conn.fetchval(
                "SELECT 1 FROM leases WHERE name = $1 AND owner = $2 AND token = $3 FOR SHARE",
                name,
                store.node,
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

    def _committed(self) -> None:
        for sid, claim in self._ended_claims:
            self.store._forget_claim(sid, claim)


class PostgresStore:
    """``Store`` on a PostgreSQL database. Open with ``await PostgresStore.open(url)``."""

    def __init__(self, url: str, pool: asyncpg.Pool, node: str) -> None:
        self.url = display_url(url)
        self.node = node
        self._pool = pool
        # Tokens of this node's claims (polled source id -> token) and named leases (name ->
        # token). A lost one stays until replaced, so work under it stays fenced off.
        self._claims: dict[str, int] = {}
        self._leases: dict[str, int] = {}
        self._terminated = False

    @classmethod
    async def open(
        cls, url: str, *, node: str | None = None, pool_max_size: int = POOL_MAX_SIZE
    ) -> PostgresStore:
        password = urlsplit(url).password
        if password:
            register_secrets([password])
        node = node or node_id()
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=pool_max_size,
                server_settings={"application_name": f"bilat {node}"[:63]},
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise ConnectionError(
                f"cannot open PostgreSQL state at {display_url(url)}: {type(exc).__name__}: {exc}"
            ) from exc
        store = cls(url, pool, node)
        try:
            await store._migrate()
        except BaseException:
            await _finish(store._close_pool())
            raise
        log.debug("store.opened", url=store.url, node=node)
        return store

    async def close(self) -> None:
        """Release this node's leases (other nodes may take them at once), then disconnect."""
        if self._terminated:
            return
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await self._release_all()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("store.release_failed", error=f"{type(exc).__name__}: {exc}")
        await self._close_pool()

    def terminate(self) -> None:
        """Drop every connection at once without releasing anything, as if the process had
        died (its leases run out on their own). For emergencies and fault tests."""
        self._terminated = True
        self._pool.terminate()

    async def _close_pool(self) -> None:
        try:
            await asyncio.wait_for(self._pool.close(), CLOSE_TIMEOUT_S)
        except TimeoutError:
            self._pool.terminate()

    async def _release_all(self) -> None:
        async with self._write() as conn:
            await conn.execute(
                "UPDATE sources SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1",
                self.node,
            )
            await conn.execute("DELETE FROM leases WHERE owner = $1", self.node)
        self._claims.clear()
        self._leases.clear()

    async def _migrate(self) -> None:
        async with self._write() as conn:
            # Nodes starting together queue here; the second finds everything applied.
            await conn.execute(f"SELECT pg_advisory_xact_lock({_lock_key('migrate')})")
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in await conn.fetch("SELECT name FROM schema_migrations")}
            for name, statements in MIGRATIONS:
                if name in done:
                    continue
                for statement in statements:
                    await conn.execute(statement)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                log.info("store.migrated", migration=name)

    async def applied_migrations(self) -> list[str]:
        rows = await self._pool.fetch(
            "SELECT name FROM schema_migrations ORDER BY applied_at, name"
        )
        return [row[0] for row in rows]

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        conn = await self._pool.acquire()
        try:
            yield conn
        finally:
            # The pool rolls back anything left open and waits out a cancelled query.
            await _finish(self._pool.release(conn))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        async with self._connection() as conn:
            tx = PostgresTransaction(conn, self)
            xact = conn.transaction()
            try:
                await xact.start()
                yield tx
            except BaseException:
                # Also on cancellation: finished before the cancellation goes on, so nothing
                # of this unit survives.
                await _finish(self._rollback(conn, xact))
                raise
            await _finish(xact.commit())
        tx._committed()

    @staticmethod
    async def _rollback(conn: asyncpg.Connection, xact: Any) -> None:
        try:
            await xact.rollback()
        except Exception:
            # The transaction never started or the connection broke: make sure the server
            # forgets it (a closed session rolls back) and the pool replaces the connection.
            conn.terminate()

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.transaction() as tx:
            yield tx.conn

    def _forget_claim(self, source_id: str, token: int) -> None:
        if self._claims.get(source_id) == token:
            del self._claims[source_id]

    # -- sources -------------------------------------------------------------------------

    async def sync_sources(self, plans: Mapping[str, SourcePlan], now: datetime) -> None:
        ids = list(plans)
        async with self._write() as conn:
            # Nodes starting together take turns (every node runs this at startup).
            await conn.execute(f"SELECT pg_advisory_xact_lock({_lock_key('sync')})")
            await conn.execute(
                "UPDATE sources SET active = (source_id = ANY($1::text[]))"
                " WHERE active IS DISTINCT FROM (source_id = ANY($1::text[]))",
                ids,
            )
            rows = {
                row["source_id"]: row
                for row in await conn.fetch(
                    "SELECT source_id, fingerprint, next_due_at FROM sources"
                    " WHERE source_id = ANY($1::text[])",
                    ids,
                )
            }
            fresh: list[tuple[str, str, datetime | None]] = []
            kept: list[tuple[str, str, datetime | None]] = []
            for sid, plan in plans.items():
                row = rows.get(sid)
                known = row["fingerprint"] if row is not None else None
                # A row without a fingerprint (saved before any sync) adopts the plan's.
                if row is None or (known is not None and known != plan.fingerprint):
                    if row is not None:
                        log.info("source.reset", source_id=sid, reason="config changed")
                    fresh.append((sid, plan.fingerprint, plan.first_due_at))
                    continue
                due: datetime | None = row["next_due_at"]
                if plan.first_due_at is None:
                    due = None
                elif due is None or due < now:
                    due = plan.first_due_at
                kept.append((sid, plan.fingerprint, due))
            if fresh:
                # Deleting drops any lease on the old configuration: its poll is fenced off.
                await conn.execute(
                    "DELETE FROM sources WHERE source_id = ANY($1::text[])", [f[0] for f in fresh]
                )
                await conn.executemany(
                    "INSERT INTO sources (source_id, fingerprint, active, next_due_at)"
                    " VALUES ($1, $2, true, $3)",
                    fresh,
                )
            if kept:
                await conn.executemany(
                    "UPDATE sources SET active = true, fingerprint = $2, next_due_at = $3"
                    " WHERE source_id = $1",
                    kept,
                )

    async def claim_due_sources(self, now: datetime, limit: int, lease_s: float) -> list[str]:
        if limit <= 0:
            return []
        rows = await self._pool.fetch(
            """
            WITH due AS (
                SELECT source_id FROM sources
                WHERE active AND next_due_at <= $1
                  AND (lease_until IS NULL OR lease_until <= $1)
                ORDER BY next_due_at, source_id
                LIMIT $2
                FOR UPDATE SKIP LOCKED
            )
            UPDATE sources AS s
            SET lease_owner = $3, lease_until = $4, lease_token = nextval('lease_tokens')
            FROM due WHERE s.source_id = due.source_id
            RETURNING s.source_id, s.lease_token, s.next_due_at
            """,
            now,
            limit,
            self.node,
            now + timedelta(seconds=lease_s),
        )
        rows = sorted(rows, key=lambda r: (r["next_due_at"], r["source_id"]))
        for row in rows:
            self._claims[row["source_id"]] = row["lease_token"]
        return [row["source_id"] for row in rows]

    async def source_state(self, source_id: str) -> SourceState:
        row = await self._pool.fetchrow("SELECT * FROM sources WHERE source_id = $1", source_id)
        return state_from_row(row) if row else SourceState(source_id)

    async def source_states(self) -> dict[str, SourceState]:
        rows = await self._pool.fetch("SELECT * FROM sources")
        return {row["source_id"]: state_from_row(row) for row in rows}

    async def save_source_state(self, state: SourceState) -> None:
        async with self.transaction() as tx:
            await tx.save_source_state(state)

    # -- leases --------------------------------------------------------------------------

    async def acquire_lease(self, name: str, now: datetime, ttl_s: float) -> bool:
        held = self._leases.get(name)
        token = await self._pool.fetchval(
            """
            INSERT INTO leases AS l (name, owner, until, token, acquired_at)
            VALUES ($1, $2, $3, nextval('lease_tokens'), $4)
            ON CONFLICT (name) DO UPDATE SET
                owner = EXCLUDED.owner,
                until = EXCLUDED.until,
                token = CASE WHEN l.owner = EXCLUDED.owner AND l.token = $5
                             THEN l.token ELSE EXCLUDED.token END,
                acquired_at = CASE WHEN l.owner = EXCLUDED.owner AND l.token = $5
                                   THEN l.acquired_at ELSE EXCLUDED.acquired_at END
            WHERE l.until <= $4 OR (l.owner = EXCLUDED.owner AND l.token = $5)
            RETURNING token
            """,
            name,
            self.node,
            now + timedelta(seconds=ttl_s),
            now,
            held,
        )
        if token is None:
            # A lost lease's token stays: saves fenced by it keep failing until this node
            # takes the lease again (new token) or releases it.
            return False
        self._leases[name] = token
        return True

    async def release_lease(self, name: str) -> None:
        token = self._leases.pop(name, None)
        if token is None:
            return
        await self._pool.execute(
            "DELETE FROM leases WHERE name = $1 AND owner = $2 AND token = $3",
            name,
            self.node,
            token,
        )

    # -- outbox --------------------------------------------------------------------------

    _OUTBOX = "SELECT o.*, a.alert_json FROM outbox o JOIN alerts a ON a.alert_id = o.alert_id"

    async def next_outbox(self, notifier: str) -> OutboxRow | None:
        row = await self._pool.fetchrow(
            f"{self._OUTBOX} WHERE o.notifier = $1 AND o.state = 'pending' ORDER BY o.seq LIMIT 1",
            notifier,
        )
        return outbox_from_row(row) if row else None

    async def outbox(
        self, *, notifier: str | None = None, state: OutboxState | None = None, limit: int = 100
    ) -> list[OutboxRow]:
        rows = await self._pool.fetch(
            f"{self._OUTBOX} WHERE ($1::text IS NULL OR o.notifier = $1)"
            " AND ($2::text IS NULL OR o.state = $2) ORDER BY o.seq LIMIT $3",
            notifier,
            state,
            limit,
        )
        return [outbox_from_row(row) for row in rows]

    async def mark_sent(self, alert_id: str, *, at: datetime, remote_id: str | None) -> None:
        await self._pool.execute(
            "UPDATE outbox SET state = 'sent', sent_at = $2, remote_id = $3,"
            " attempts = attempts + 1, last_error = NULL"
            " WHERE alert_id = $1 AND state = 'pending'",
            alert_id,
            at,
            clean(remote_id),
        )

    async def mark_retry(
        self, alert_id: str, *, at: datetime, next_attempt_at: datetime, error: str
    ) -> None:
        await self._pool.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3,"
            " last_error = $4, first_failed_at = COALESCE(first_failed_at, $2)"
            " WHERE alert_id = $1 AND state = 'pending'",
            alert_id,
            at,
            next_attempt_at,
            clean(error),
        )

    async def mark_dead(self, alert_id: str, *, at: datetime, error: str) -> None:
        await self._pool.execute(
            "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = $3,"
            " first_failed_at = COALESCE(first_failed_at, $2)"
            " WHERE alert_id = $1 AND state = 'pending'",
            alert_id,
            at,
            clean(error),
        )

    async def get_alert(self, alert_id: str) -> Alert | None:
        value = await self._pool.fetchval(
            "SELECT alert_json FROM alerts WHERE alert_id = $1", alert_id
        )
        return Alert.from_json(json.loads(value)) if value is not None else None

    async def alert_remote_id(self, alert_id: str) -> str | None:
        value = await self._pool.fetchval(
            "SELECT remote_id FROM outbox WHERE alert_id = $1", alert_id
        )
        return value if isinstance(value, str) else None

    # -- housekeeping --------------------------------------------------------------------

    async def prune(self, *, before: datetime) -> PruneReport:
        async with self._write() as conn:
            # Every node runs the hourly cleanup; one at a time is enough, the others skip.
            if not await conn.fetchval(f"SELECT pg_try_advisory_xact_lock({_lock_key('prune')})"):
                return PruneReport()
            seen = await conn.execute("DELETE FROM seen WHERE last_seen < $1", before)
            await conn.execute(
                "DELETE FROM outbox WHERE state IN ('sent', 'dead') AND created_at < $1", before
            )
            alerts = await conn.execute(
                "DELETE FROM alerts a WHERE a.created_at < $1"
                " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.alert_id)",
                before,
            )
            matches = await conn.execute("DELETE FROM matches WHERE created_at < $1", before)
        return PruneReport(seen=_count(seen), matches=_count(matches), alerts=_count(alerts))


if TYPE_CHECKING:  # mypy proves both classes satisfy the protocols the daemon codes against

    def _conforms(store: PostgresStore, tx: PostgresTransaction) -> tuple[Store, Transaction]:
        return store, tx
