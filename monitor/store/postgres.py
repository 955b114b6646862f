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
- **Event clustering** reads then writes events; its transactions take one advisory lock
  (``postgres_events.py``), so two nodes never both create the same meeting.
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
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import asyncpg
import structlog

from monitor.logs import register_secrets
from monitor.store import postgres_claims as claims
from monitor.store.base import (
    LeaseLost,
    SourcePlan,
    SourceState,
    Store,
    Transaction,
    display_url,
)
from monitor.store.postgres_leases import PostgresLeases
from monitor.store.postgres_ops import PostgresOps
from monitor.store.postgres_outbox import PostgresOutbox
from monitor.store.postgres_reads import PostgresReads, backfill_summaries
from monitor.store.postgres_schema import (
    MIGRATIONS,
    SAVE_CLAIMED_STATE,
    lock_key,
    state_from_row,
    state_params,
)
from monitor.store.postgres_tx import Fences, PostgresTransaction, count
from monitor.store.summaries import SUMMARIES_MIGRATION

log = structlog.get_logger(__name__)

T = TypeVar("T")

POOL_MAX_SIZE = 10
NODE_LEASE_S = 8.0  # [monitor] lease: a dead node's share of the sources moves within half


def node_timings(lease_s: float) -> tuple[float, float]:
    """(alive_s, steal_after_s) for ``lease_s``: a node counts as alive for half a lease
    after its last claim (ticks claim every second; at least 3 s, so a slow tick or two on
    a loaded machine does not drop it), and a source overdue by a whole lease may be
    claimed by any node."""
    return max(lease_s / 2.0, 3.0), lease_s


CLOSE_TIMEOUT_S = 10.0


def node_id() -> str:
    """This process's identity among the nodes: hostname:pid:random (a restarted process,
    or a container reusing a pid, is a new node)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


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


async def _keep_session(conn: asyncpg.Connection) -> None:
    """A connection going back to the pool keeps its session as it is: bilat sets no session
    state (its advisory locks end with their transactions; an open transaction is still rolled
    back by the pool), so asyncpg's default reset (unlock all, close cursors, unlisten, reset
    settings) would be one more round trip after every transaction and statement."""


class PostgresStore(PostgresLeases, PostgresOutbox, PostgresOps, PostgresReads):
    """``Store`` on a PostgreSQL database. Open with ``await PostgresStore.open(url)``."""

    def __init__(
        self, url: str, pool: asyncpg.Pool, node: str, *, lease_s: float = NODE_LEASE_S
    ) -> None:
        self.url = display_url(url)
        self.node = node
        self.alive_s, self.steal_after_s = node_timings(lease_s)
        self._pool = pool
        self._fences = Fences(node)
        self._terminated = False
        self._live: list[str] = [node]  # the live nodes at the last heartbeat, sorted
        self._beat_at: datetime | None = None
        self._recheck_at: datetime | None = None  # another node's heartbeat runs out

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        node: str | None = None,
        pool_max_size: int = POOL_MAX_SIZE,
        lease_s: float = NODE_LEASE_S,
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
                reset=_keep_session,
            )
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise ConnectionError(
                f"cannot open PostgreSQL state at {display_url(url)}: {type(exc).__name__}: {exc}"
            ) from exc
        store = cls(url, pool, node, lease_s=lease_s)
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
            await conn.execute("DELETE FROM nodes WHERE node = $1", self.node)
        self._fences.claims.clear()
        self._fences.leases.clear()
        self._beat_at = None
        self._fences.claimed_states.clear()

    async def _migrate(self) -> None:
        async with self._write() as conn:
            # Nodes starting together queue here; the second finds everything applied.
            await conn.execute(f"SELECT pg_advisory_xact_lock({lock_key('migrate')})")
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())"
            )
            done = {row[0] for row in await conn.fetch("SELECT name FROM schema_migrations")}
            for name, statements in MIGRATIONS:
                if name in done:
                    continue
                for statement in statements:
                    await conn.execute(statement)
                await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                log.info("store.migrated", migration=name)
                done.add(name)
            filled = await backfill_summaries(conn) if SUMMARIES_MIGRATION in done else 0
        if filled:
            log.info("store.backfilled", what="event summaries", rows=filled)

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
            tx = PostgresTransaction(conn, self._fences)
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
        tx.committed()

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

    # -- sources -------------------------------------------------------------------------

    async def sync_sources(self, plans: Mapping[str, SourcePlan], now: datetime) -> None:
        ids = list(plans)
        async with self._write() as conn:
            # Nodes starting together take turns (every node runs this at startup).
            await conn.execute(f"SELECT pg_advisory_xact_lock({lock_key('sync')})")
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
            await conn.execute(claims.RANK)

    async def claim_due_sources(
        self, now: datetime, limit: int, lease_s: float, *, heartbeat: bool = True
    ) -> list[str]:
        # Every tick's claim (also of no slot) is this node's heartbeat; claims between ticks
        # reuse the live nodes unless that read is old or another node's heartbeat ran out.
        last = self._beat_at
        fresh = last is not None and 0 <= (now - last).total_seconds() < claims.HEARTBEAT_EVERY_S
        stale = not fresh or self._recheck_at is None or now >= self._recheck_at
        if heartbeat or stale:
            self._live, self._recheck_at = await claims.heartbeat(
                self._pool, self.node, now, self.alive_s
            )
            self._beat_at = now
        if limit <= 0:
            return []
        # One statement, its own transaction: one round trip.
        rows = await claims.claim_share(
            self._pool,
            self.node,
            self._live,
            now=now,
            limit=limit,
            lease_s=lease_s,
            steal_after_s=self.steal_after_s,
        )
        rows = sorted(rows, key=lambda r: (r["next_due_at"], r["source_id"]))
        for row in rows:
            self._fences.claims[row["source_id"]] = row["lease_token"]
            self._fences.claimed_states[row["source_id"]] = state_from_row(row)
        return [row["source_id"] for row in rows]

    async def release_dead_claims(self, now: datetime) -> list[str]:
        return []  # a dead node's claims pass to the others with its heartbeat

    async def source_state(self, source_id: str) -> SourceState:
        # A poll's first read, right after its claim: the row as the claim returned it.
        claimed = self._fences.claimed_states.pop(source_id, None)
        if claimed is not None:
            return claimed
        row = await self._pool.fetchrow("SELECT * FROM sources WHERE source_id = $1", source_id)
        return state_from_row(row) if row else SourceState(source_id)

    async def source_states(self) -> dict[str, SourceState]:
        rows = await self._pool.fetch("SELECT * FROM sources")
        return {row["source_id"]: state_from_row(row) for row in rows}

    async def save_source_state(self, state: SourceState) -> None:
        sid = state.source_id
        self._fences.claimed_states.pop(sid, None)
        claim = self._fences.claims.get(sid)
        if claim is None:
            async with self.transaction() as tx:  # a stream's save checks its lease first
                await tx.save_source_state(state)
            return
        # A poll that brought nothing (a 304) is this one fenced statement, its own
        # transaction: one round trip instead of BEGIN, UPDATE, COMMIT. Awaited to its end
        # even when cancelled, like a COMMIT.
        status = await _finish(self._pool.execute(SAVE_CLAIMED_STATE, *state_params(state), claim))
        if count(status) == 0:
            raise LeaseLost(f"source {sid}: claimed by another node since this poll began")
        self._fences.end_claim(sid, claim)


if TYPE_CHECKING:  # mypy proves both classes satisfy the protocols the daemon codes against

    def _conforms(store: PostgresStore, tx: PostgresTransaction) -> tuple[Store, Transaction]:
        return store, tx
