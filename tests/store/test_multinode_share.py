"""The even split of polled sources over live nodes (``monitor.store.postgres_claims``), on the
real PostgreSQL with a made-up clock: whichever node ticks first, each polls its share; a
busy node's overdue sources and a departed node's share go to the others."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest

from monitor.store import SourcePlan
from monitor.store.postgres import PostgresStore
from tests.store.storekit import T0, Nodes

pytestmark = pytest.mark.postgres

INTERVAL = timedelta(seconds=60)
LEASE_S = 90.0


async def _poll(store: PostgresStore, sid: str, now: datetime) -> None:
    """What a poll commits: the next due time, which ends the claim."""
    state = await store.source_state(sid)
    await store.save_source_state(state.evolve(next_due_at=now + INTERVAL))


async def _tick(stores: list[PostgresStore], now: datetime, polls: Counter[str]) -> list[str]:
    """One tick on every node, always in the same order (the first node wakes first), each
    with plenty of free slots; every claim is polled at once. The ids claimed."""
    claimed = []
    for store in stores:
        ids = await store.claim_due_sources(now, 20, LEASE_S)
        for sid in ids:
            await _poll(store, sid, now)
        polls[store.node] += len(ids)
        claimed += ids
    return claimed


async def _staggered(stores: list[PostgresStore], n: int) -> None:
    """``n`` sources coming due one every 0.5 s from T0 (one or none per 1 s tick), and every
    node alive (a claim of none is a heartbeat)."""
    plans = {f"src-{i:03}": SourcePlan("fp", T0 + timedelta(seconds=i / 2)) for i in range(n)}
    await stores[0].sync_sources(plans, T0)
    for store in stores:
        assert await store.claim_due_sources(T0, 0, LEASE_S) == []


async def test_three_nodes_split_the_polls_evenly_whoever_ticks_first(nodes: Nodes) -> None:
    """90 sources due one after the other, three nodes ticking every second in a fixed
    order: the first node would claim nearly all of them on its own; each polls 30 per round
    (two rounds), and every source exactly once per round."""
    stores = await nodes(3)
    await _staggered(stores, 90)
    polls: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for second in range(2 * 60):
        for sid in await _tick(stores, T0 + timedelta(seconds=second), polls):
            seen[sid] += 1
    assert sorted(polls.values()) == [60, 60, 60], polls
    assert set(seen.values()) == {2} and len(seen) == 90


async def test_a_busy_nodes_overdue_sources_go_to_the_others_after_a_lease(
    nodes: Nodes,
) -> None:
    """A live node that claims nothing (all its slots busy: a claim of none, its heartbeat)
    keeps its share for one lease (8 s); after that its overdue sources are stolen."""
    busy, idle = await nodes(2)
    await busy.sync_sources({f"s{i}": SourcePlan("fp", T0) for i in range(10)}, T0)
    assert await busy.claim_due_sources(T0, 0, LEASE_S) == []  # alive, no free slot
    mine = await idle.claim_due_sources(T0, 20, LEASE_S)
    assert len(mine) == 5
    for sid in mine:
        await _poll(idle, sid, T0)
    for second in range(1, 8):
        now = T0 + timedelta(seconds=second)
        assert await busy.claim_due_sources(now, 0, LEASE_S) == []
        assert await idle.claim_due_sources(now, 20, LEASE_S) == [], second
    stolen = await idle.claim_due_sources(T0 + timedelta(seconds=8), 20, LEASE_S)
    assert len(stolen) == 5 and not set(stolen) & set(mine)


async def test_a_node_that_stops_hands_its_share_over_at_once(nodes: Nodes) -> None:
    """A node closing cleanly leaves the live set: the next tick of the others splits the
    sources between the two left, none of them waits for a heartbeat to run out."""
    stores = await nodes(3)
    await _staggered(stores, 60)
    polls: Counter[str] = Counter()
    for second in range(30):
        await _tick(stores, T0 + timedelta(seconds=second), polls)
    leaving = stores.pop()
    await leaving.close()
    after: Counter[str] = Counter()
    for second in range(30, 91):
        await _tick(stores, T0 + timedelta(seconds=second), after)
    # The last source of round one (due at 29.5 s) and all 60 of round two.
    assert sum(after.values()) == 61 and abs(after[stores[0].node] - after[stores[1].node]) <= 1
    assert 19 <= polls[leaving.node] <= 20  # its third of round one's first 59
