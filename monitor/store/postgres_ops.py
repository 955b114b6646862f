"""Operations queries of the PostgreSQL store (a part of ``PostgresStore``): the readiness
write probe, outbox depth per notifier, and which node holds which lease."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg

from monitor.store.ops_types import LeaseHolder, SilenceEpisode

# Per source its newest ``$2`` distinct first-seen times, those since ``$1`` (and always the
# newest, however old): one per poll that brought something new (monitor/watch/silence.py).
NEW_ITEM_TIMES = """
SELECT source_id, first_seen FROM (
    SELECT source_id, first_seen,
           ROW_NUMBER() OVER (PARTITION BY source_id ORDER BY first_seen DESC) AS n
    FROM (SELECT DISTINCT source_id, first_seen FROM seen) AS distinct_times
) AS ranked WHERE n <= $2 AND (n = 1 OR first_seen >= $1)
ORDER BY source_id, first_seen DESC
"""


class PostgresOps:
    """Readiness, metrics and ``bilat status`` methods of ``PostgresStore``."""

    _pool: asyncpg.Pool
    node: str

    def gather_commits(self, expected: Callable[[], int] | None, target: int = 0) -> None:
        """Each unit commits on its own pooled connection: nothing to gather."""

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

    async def new_item_times(
        self, *, since: datetime, per_source: int
    ) -> dict[str, list[datetime]]:
        out: dict[str, list[datetime]] = {}
        for row in await self._pool.fetch(NEW_ITEM_TIMES, since, per_source):
            out.setdefault(row["source_id"], []).append(row["first_seen"])
        return out

    async def silence_episodes(self) -> dict[str, SilenceEpisode]:
        rows = await self._pool.fetch("SELECT * FROM source_silences")
        return {
            row["source_id"]: SilenceEpisode(
                row["source_id"], row["episode_id"], row["since"], row["opened_at"], row["reason"]
            )
            for row in rows
        }
