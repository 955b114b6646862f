"""Operations queries of the PostgreSQL store (a part of ``PostgresStore``): the readiness
write probe, outbox depth per notifier, and which node holds which lease."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from monitor.store.ops_types import LeaseHolder


class PostgresOps:
    """Readiness, metrics and ``bilat status`` methods of ``PostgresStore``."""

    _pool: asyncpg.Pool
    node: str

    async def probe_write(self) -> None:
        # txid_current() assigns a transaction id, which a read-only transaction, a standby
        # or a database that stopped accepting writes refuses; nothing is written.
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.fetchval("SELECT txid_current()")

    async def outbox_counts(self) -> dict[tuple[str, str], int]:
        rows = await self._pool.fetch(
            "SELECT notifier, state, COUNT(*) AS n FROM outbox WHERE state <> 'sent'"
            " GROUP BY notifier, state"
        )
        return {(row["notifier"], row["state"]): int(row["n"]) for row in rows}

    async def item_counts(self, since: datetime) -> dict[str, tuple[int, int]]:
        rows = await self._pool.fetch(
            "SELECT source_id, COUNT(*) AS n, COUNT(*) FILTER (WHERE first_seen >= $1) AS recent"
            " FROM seen GROUP BY source_id",
            since,
        )
        return {row["source_id"]: (int(row["n"]), int(row["recent"])) for row in rows}

    async def lease_holders(self, now: datetime) -> list[LeaseHolder]:
        rows = await self._pool.fetch(
            "SELECT name, owner, until FROM leases WHERE until > $1"
            " UNION ALL SELECT 'source:' || source_id, lease_owner, lease_until FROM sources"
            " WHERE lease_owner IS NOT NULL AND lease_until > $1 ORDER BY 1",
            now,
        )
        return [
            LeaseHolder(row["name"], row["owner"], row["until"], row["owner"] == self.node)
            for row in rows
        ]
