"""End to end: two `bilat run` processes share one PostgreSQL state and poll the same loopback
feeds; together they fetch each feed once per interval and the desk gets each alert once."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections import Counter
from typing import Any

import pytest

from tests.conftest import FeedServer, WriteConfig, rss, start_cli
from tests.store.desk import Desk

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

FEEDS = 10


async def test_two_daemons_poll_each_feed_once_and_alert_once(
    pg_url: str, feed_server: FeedServer, desk: Desk, write_config: WriteConfig
) -> None:
    """Two daemons, ten slow feeds (1 s per response), two polls in flight per node: every
    feed is fetched exactly once in the first interval (60 s, the feed minimum) across both
    nodes, both nodes do part of the work, and each of the ten alerts reaches the webhook
    stand-in exactly once, from one node."""
    sources = []
    for n in range(FEEDS):
        url = feed_server.serve(
            f"/f{n}.xml",
            rss(
                {"guid": f"m{n}", "title": f"Jaishankar meets minister {n}"},
                {"guid": f"o{n}", "title": "weather"},
            ),
            delay_s=1.0,
        )
        sources.append({"id": f"f{n}", "type": "feed", "url": url, "interval": 60})
    config = write_config(
        {
            "monitor": {"state": pg_url, "concurrency": 2, "startup_spread": 1, "grace_s": 2},
            "sources": sources,
            "rules": [{"id": "kw", "type": "keyword", "any": ["Jaishankar"], "notify": ["desk"]}],
            "notifiers": {"desk": {"type": "webhook", "url": desk.url}},
        }
    )
    procs = [await start_cli("run", "-c", str(config)) for _ in range(2)]
    events: list[list[dict[str, Any]]] = [[], []]

    async def read(index: int) -> None:
        stream = procs[index].stderr
        assert stream is not None
        async for raw in stream:
            if raw.startswith(b"{"):
                events[index].append(json.loads(raw))

    readers = [asyncio.create_task(read(i)) for i in range(2)]
    try:
        await desk.wait_for(FEEDS, 40)
        deadline = time.monotonic() + 20
        while len(feed_server.requests) < FEEDS:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
        await asyncio.sleep(2.5)  # room for a duplicate poll or send to show up
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(proc.wait(), 15) for proc in procs]
        await asyncio.gather(*readers)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert codes == [0, 0]
    fetched = Counter(r.path for r in feed_server.requests)
    assert fetched == {f"/f{n}.xml": 1 for n in range(FEEDS)}  # 0 lost, 0 duplicate
    polled = [[e["source_id"] for e in ev if e["event"] == "source.polled"] for ev in events]
    assert sorted(polled[0] + polled[1]) == sorted(f"f{n}" for n in range(FEEDS))
    assert polled[0] and polled[1], polled  # both nodes took part
    assert len(desk.ids) == FEEDS and not desk.duplicates()
    delivered = [sum(e["event"] == "alert.delivered" for e in ev) for ev in events]
    assert sorted(delivered) == [0, FEEDS]  # one node held the webhook lane
    started = [e for ev in events for e in ev if e["event"] == "daemon.started"]
    assert len(started) == 2 and all(e["state"].startswith("postgresql://") for e in started)
    print(f"polls per node: {[len(p) for p in polled]}, deliveries per node: {delivered}")
