"""Which node polls which source: the PostgreSQL store's claims, shared evenly by live nodes.

Every tick's claim is also a heartbeat: the node writes ``nodes.alive_until = now +
alive_s`` and reads the nodes still alive. A claim between ticks (for the slots of polls that
ended while sources are due, many a second on a busy node) reads them again only after
``HEARTBEAT_EVERY_S`` or once another node's heartbeat has run out. The live nodes, sorted
by id, split the polled sources round-robin (node ``rank`` of ``n`` owns every n-th source by
the rank the sync stored), so each node polls an even share whichever node's tick comes first
after a due time. Claiming "whatever is due" instead lets the node that ticks first take
nearly everything (measured 138 / 107 / 10 over three nodes), because sources come due one or
two per tick.

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

HEARTBEAT_EVERY_S = 0.5

HEARTBEAT = """
INSERT INTO nodes (node, alive_until) VALUES ($1, $2)
ON CONFLICT (node) DO UPDATE SET alive_until = EXCLUDED.alive_until
"""

LIVE_NODES = "SELECT node, alive_until FROM nodes WHERE alive_until > $1 ORDER BY node"

# $1 now, $2 limit, $3 this node, $4 lease end, $5 live nodes (sorted; this node's rank is
# its index), $6 overdue-since for stealing. Polled sources have a due time (push sources
# none) and a rank by id among them (``RANK``, stored by every sync): the round-robin by rank
# keeps the split even as sources come and go. The due-time index is read in order and this
# node's share kept, so a claim reads about (nodes x limit) rows however many sources there
# are (numbering them all per claim, a window over the table, cost seconds at 4,000 sources
# when the planner misjudged the join with it). The claimed rows come back whole: a poll
# starts from its state without reading it again.
# A claim ends with its node only if that node's heartbeat *after* the claim ran out: a
# statement reading an older heartbeat (READ COMMITTED re-checks a row another node just
# claimed against this statement's snapshot of ``nodes``) never takes a live node's claim.
CLAIM = """
WITH due AS (
    SELECT s.source_id FROM sources AS s
    WHERE s.active AND s.next_due_at <= $1
      AND (s.lease_until IS NULL OR s.lease_until <= $1 OR EXISTS (
          SELECT 1 FROM nodes AS n WHERE n.node = s.lease_owner
          AND n.alive_until <= $1 AND n.alive_until > s.claimed_at))
      AND (s.shard_rank % cardinality($5::text[]) = array_position($5::text[], $3) - 1
           OR s.next_due_at <= $6)
    ORDER BY s.next_due_at, s.source_id
    LIMIT $2
    FOR UPDATE OF s SKIP LOCKED
)
UPDATE sources AS s
SET lease_owner = $3, lease_until = $4, lease_token = nextval('lease_tokens'), claimed_at = $1
FROM due WHERE s.source_id = due.source_id
RETURNING s.*
"""

# Every polled source's rank by id, 0-based, among the active ones (run by each sync, under
# its advisory lock); rows whose rank did not change are left alone.
RANK = """
UPDATE sources AS s SET shard_rank = r.rank
FROM (
    SELECT source_id, (row_number() OVER (ORDER BY source_id) - 1)::integer AS rank
    FROM sources WHERE active AND next_due_at IS NOT NULL
) AS r
WHERE s.source_id = r.source_id AND s.shard_rank IS DISTINCT FROM r.rank
"""

PRUNE_NODES = "DELETE FROM nodes WHERE alive_until < $1"


async def heartbeat(
    conn: asyncpg.Connection | asyncpg.Pool, node: str, now: datetime, alive_s: float
) -> tuple[list[str], datetime]:
    """Say this node is alive until ``now + alive_s``; the live nodes, sorted (this one in),
    and when the first of the others' heartbeats runs out (the view must be read again then,
    however recent)."""
    until = now + timedelta(seconds=alive_s)
    await conn.execute(HEARTBEAT, node, until)
    rows = await conn.fetch(LIVE_NODES, now)
    others = [row[1] for row in rows if row[0] != node]
    return [row[0] for row in rows], min(others, default=until)


async def claim_share(
    conn: asyncpg.Connection | asyncpg.Pool,
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
