"""PostgreSQL stopped for 30 s under `bilat run` and started again: the daemon stays up,
pauses polling and delivery with one error line, resumes by itself within 10 s of the server's
return, and every alert reaches the webhook receiver exactly once.

The server is a private one (``tests.faults.private_pg``): the machine's shared PostgreSQL
cannot be stopped under the other tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FeedServer, WriteConfig, require, rss
from tests.delivery.conftest import wait_until
from tests.faults.harness import Receiver, events, start_daemon
from tests.faults.private_pg import PrivatePostgres, unavailable

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

FEEDS = 20
ITEMS = 2
SPREAD_S = 30.0  # first polls spread over this, so many come due during the outage
OUTAGE_S = 30.0
RESUME_S = 10.0


@pytest.fixture
async def private_pg() -> AsyncIterator[PrivatePostgres]:
    reason = unavailable()
    require(reason is None, f"a private PostgreSQL server is needed: {reason}")
    server = await PrivatePostgres().init()
    try:
        await server.start()
        yield server
    finally:
        await server.remove()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.stop()


def _committed_polls(log: Path) -> list[dict[str, Any]]:
    """``source.polled`` lines of polls whose state was saved (the failure path logs
    ``source.polled`` with a ``reason`` and no ``new`` count)."""
    return [e for e in events(log) if e["event"] == "source.polled" and "new" in e]


async def test_postgres_stopped_for_30_s_pauses_and_resumes_without_loss(
    private_pg: PrivatePostgres,
    feed_server: FeedServer,
    write_config: WriteConfig,
    receiver: Receiver,
    tmp_path: Path,
    record_property: Any,
) -> None:
    """Stop the server while the daemon is polling (first polls spread over 30 s) and
    delivering; start it 30 s later. The daemon keeps running, logs one store.unwritable
    error and one store.recovered, polls again within 10 s, and each of the 40 alerts is
    POSTed once: none lost, none twice."""
    sources = []
    for n in range(FEEDS):
        items = (
            {"guid": f"g{n}-{i}", "title": f"Jaishankar meets envoy {n} number {i}"}
            for i in range(ITEMS)
        )
        url = feed_server.serve(f"/feed/{n:02}.xml", rss(*items))
        sources.append({"id": f"feed-{n:02}", "type": "feed", "url": url, "interval": "1h"})
    config = write_config(
        {
            "monitor": {"state": private_pg.url, "workers": 0, "startup_spread": SPREAD_S},
            "sources": sources,
            "rules": [{"id": "kw", "type": "keyword", "any": ["Jaishankar"], "notify": ["hook"]}],
            "notifiers": {
                "hook": {"type": "webhook", "url": f"{receiver.url}/hook", "min_interval": 0.05}
            },
        }
    )
    log = tmp_path / "run.log"
    daemon = await start_daemon(config, log)
    try:
        # Mid-run: some sources polled and some alerts delivered, more of both to come.
        await wait_until(lambda: len(receiver.posts) >= 3, 40)
        await private_pg.stop()
        stopped = time.monotonic()
        # Down for sure once pg_ctl returns; the log lines of commits made just before
        # arrive through a pipe, so count from a second later.
        await asyncio.sleep(1.0)
        polled_before = len(_committed_polls(log))
        posts_before = len(receiver.posts)
        await asyncio.sleep(OUTAGE_S - 1.0)
        assert daemon.returncode is None, "the daemon exited during the outage"
        posts_during = len(receiver.posts)
        polled_during = len(_committed_polls(log)) - polled_before
        await private_pg.start()
        back = time.monotonic()
        await wait_until(lambda: len(_committed_polls(log)) > polled_before + polled_during, 20)
        resumed_s = time.monotonic() - back
        # Every source came due during the spread (over before the server returned).
        await wait_until(lambda: len({e["source_id"] for e in _committed_polls(log)}) == FEEDS, 20)
        all_polled_s = time.monotonic() - back
        await wait_until(lambda: len(set(receiver.posts)) >= FEEDS * ITEMS, 60)
        await asyncio.sleep(1.0)  # nothing more comes
        assert daemon.returncode is None
        assert await daemon.stop() == 0
    finally:
        await daemon.kill()
    counts = receiver.counts
    duplicates = sum(n - 1 for n in counts.values())
    assert len(counts) == FEEDS * ITEMS and duplicates == 0, counts.most_common(3)
    assert polled_during == 0  # nothing committed while the server was down
    assert resumed_s <= RESUME_S and all_polled_s <= RESUME_S, (resumed_s, all_polled_s)
    logged = events(log)
    names = [e["event"] for e in logged]
    assert names.count("store.unwritable") == 1 and names.count("store.recovered") == 1, names
    errors = [e for e in logged if e.get("level") in {"error", "critical"}]
    assert [e["event"] for e in errors] == ["store.unwritable"], errors
    record_property(
        "measured",
        f"outage {back - stopped:.0f} s: daemon up, {posts_during - posts_before} POSTs and 0 polls"
        f" committed meanwhile; first poll {resumed_s:.1f} s after the server returned, all"
        f" {FEEDS} sources {all_polled_s:.1f} s; {FEEDS * ITEMS} alerts, 0 lost,"
        f" {duplicates} duplicates; 1 error line",
    )
