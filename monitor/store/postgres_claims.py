"""Which node polls which source: the PostgreSQL store's claims, shared evenly by live nodes.

Every claim is also a heartbeat: the node writes ``nodes.alive_until = now + alive_s`` and
reads the nodes still alive, in the same transaction. The live nodes, sorted by id, split the
polled sources round-robin by source id (node ``rank`` of ``n`` owns every n-th source), so
each node polls an even share whichever node's tick comes first after a due time. Claiming
"whatever is due" instead lets the node that ticks first take nearly everything (measured
138 / 107 / 10 over three nodes), because sources come due one or two per tick.

Nothing here is needed for correctness, only for evenness; SKIP LOCKED, the claim lease and
the fencing token (``postgres.py``) still decide who may commit. So the split never leaves a
source behind:
- a node that stops cleanly deletes its row (``_release_all``): the others own its sources
  from their next tick; a killed or frozen node drops out once its heartbeat runs out
  (``alive_s``), and its claims (polls in flight) end with it: another node may claim those
  sources at once (a frozen node that wakes up is fenced off by the new token);
- a source overdue by more than ``steal_after_s`` may be claimed by any node (its owner is
  busy with all its slots, or the nodes' views of who is alive differed for a tick).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

HEARTBEAT = """
INSERT INTO nodes (node, alive_until) VALUES ($1, $2)
ON CONFLICT (node) DO UPDATE SET alive_until = EXCLUDED.alive_until
"""

LIVE_NODES = "SELECT node FROM nodes WHERE alive_until > $1 ORDER BY node"

# $1 now, $2 limit, $3 this node, $4 lease end, $5 live nodes (sorted; this node's rank is
# its index), $6 overdue-since for stealing. Polled sources have a due time (push sources
# none); the round-robin numbers them by id, so the split stays even as sources come and go.
# A claim ends with its node only if that node's heartbeat *after* the claim ran out: a
# statement reading an older heartbeat (READ COMMITTED re-checks a row another node just
# claimed against this statement's snapshot of ``nodes``) never takes a live node's claim.
CLAIM = """
WITH owned AS (
    SELECT source_id,
           (row_number() OVER (ORDER BY source_id) - 1) % cardinality($5::text[]) AS shard
    FROM sources WHERE active AND next_due_at IS NOT NULL
), due AS (
    SELECT s.source_id FROM sources AS s JOIN owned USING (source_id)
    WHERE s.active AND s.next_due_at <= $1
      AND (s.lease_until IS NULL OR s.lease_until <= $1 OR EXISTS (
          SELECT 1 FROM nodes AS n WHERE n.node = s.lease_owner
          AND n.alive_until <= $1 AND n.alive_until > s.claimed_at))
      AND (owned.shard = array_position($5::text[], $3) - 1 OR s.next_due_at <= $6)
    ORDER BY s.next_due_at, s.source_id
    LIMIT $2
    FOR UPDATE OF s SKIP LOCKED
)
UPDATE sources AS s
SET lease_owner = $3, lease_until = $4, lease_token = nextval('lease_tokens'), claimed_at = $1
FROM due WHERE s.source_id = due.source_id
RETURNING s.source_id, s.lease_token, s.next_due_at
"""

PRUNE_NODES = "DELETE FROM nodes WHERE alive_until < $1"


async def heartbeat(
    conn: asyncpg.Connection, node: str, now: datetime, alive_s: float
) -> list[str]:
    """Say this node is alive until ``now + alive_s``; the live nodes, sorted (this one in)."""
    await conn.execute(HEARTBEAT, node, now + timedelta(seconds=alive_s))
    return [row[0] for row in await conn.fetch(LIVE_NODES, now)]


async def claim_share(
    conn: asyncpg.Connection,
    node: str,
    live: list[str],
    *,
    now: datetime,
    limit: int,
    lease_s: float,
    steal_after_s: float,
) -> list[asyncpg.Record]:
    """Lease up to ``limit`` due sources of this node's share (or overdue ones of any share)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        CLAIM,
        now,
        limit,
        node,
        now + timedelta(seconds=lease_s),
        live,
        now - timedelta(seconds=steal_after_s),
    )
    return rows
