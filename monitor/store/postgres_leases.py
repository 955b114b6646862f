"""Named leases of the PostgreSQL store (a push source's stream, a notifier's delivery lane):
taken or renewed in one atomic upsert, given up by token (see ``postgres.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from monitor.store.postgres_tx import Fences


class PostgresLeases:
    """``acquire_lease`` and ``release_lease`` of ``PostgresStore``."""

    _pool: asyncpg.Pool
    _fences: Fences
    node: str

    async def acquire_lease(self, name: str, now: datetime, ttl_s: float) -> bool:
        held = self._fences.leases.get(name)
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
        self._fences.leases[name] = token
        return True

    async def release_lease(self, name: str) -> None:
        token = self._fences.leases.pop(name, None)
        if token is None:
            return
        await self._pool.execute(
            "DELETE FROM leases WHERE name = $1 AND owner = $2 AND token = $3",
            name,
            self.node,
            token,
        )
