"""Event clustering on two nodes at once: reports of one meeting arriving on both nodes at
the same moment still make one event and one "new" alert per notifier (PostgreSQL)."""

from __future__ import annotations

import asyncio
import random

import pytest

from tests.events.desk import POLICIES, backlog, live, open_desk_at
from tests.events.scenario import CHRONO, stream
from tests.events.test_pipeline_events import partition, reference

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_two_nodes_clustering_together_make_each_meeting_once(pg_url: str, seed: int) -> None:
    """The 31-report scenario, shuffled, fed two at a time to two nodes concurrently (so
    reports of one meeting are clustered on both nodes at once): the same three events as
    the single-node reference, with every report, and three "new" alerts per notifier."""
    order = stream()
    random.Random(seed).shuffle(order)
    arrivals = backlog(order)
    nodes = [await open_desk_at(pg_url, backfill_s=30 * 86400) for _ in range(2)]
    try:
        for i in range(0, len(arrivals), 2):
            both = zip(nodes, arrivals[i : i + 2], strict=False)  # the last one goes alone
            await asyncio.gather(*(node.feed(it, now) for node, (it, now) in both))
        events = await nodes[0].store.events()
        assert partition(events) == partition(list(reference(live(CHRONO)).events.values()))
        for name in POLICIES:
            for node in nodes:  # both nodes read the same outbox
                assert (await node.kinds(name))["new"] == 3
    finally:
        for node in nodes:
            await node.close()
