"""`bilat run` killed with SIGKILL at ten random moments while it polls 20 loopback feeds and
delivers their 80 alerts to a webhook, restarted after each kill, on SQLite and on
PostgreSQL: no alert is lost and each kill repeats at most the one message in flight."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WriteConfig
from tests.delivery.conftest import wait_until
from tests.faults.harness import Daemon, FeedFarm, Receiver, start_daemon

pytestmark = pytest.mark.slow

FEEDS = 20
ITEMS = 4
SPREAD_S = 12  # first polls of each (re)start spread over this
KILLS = 10
RECENT_S = 0.5  # a fetch or a POST this recent means the kill landed in the middle of it


@pytest.fixture
async def feeds() -> AsyncIterator[FeedFarm]:
    server = await FeedFarm(items=ITEMS).start()
    yield server
    await server.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state(request: pytest.FixtureRequest) -> str:
    """The state URL: a SQLite file beside the config, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        return "sqlite:///state/bilat.db"
    url: str = request.getfixturevalue("pg_url")
    return url


async def test_kill_at_random_moments_loses_nothing(
    state: str,
    write_config: WriteConfig,
    feeds: FeedFarm,
    receiver: Receiver,
    tmp_path: Path,
    record_property: Any,
) -> None:
    """Ten kills, each 1.5–4 s after a (re)start, with first polls spread over 12 s and
    deliveries paced 0.1 s apart, so kills land mid-poll and mid-send; then one last run
    delivers the rest. Every alert arrives; duplicates ≤ one per kill."""
    backend = state.split(":", 1)[0]
    config = write_config(
        {
            # A short lease: a restarted node (a new node id) takes the killed one's notifier
            # lane after 2 s instead of 8, so kills keep landing during delivery.
            # A short HTTP timeout (loopback answers at once): a source claimed by a killed
            # run is polled again after the claim lease, 2 x timeout + 60 s (70 s, not 100).
            "monitor": {
                "state": state,
                "workers": 0,
                "startup_spread": SPREAD_S,
                "lease": 2,
                "http": {"timeout": 5},
            },
            "sources": [
                {"id": f"feed-{n:02}", "type": "feed", "url": f"{feeds.url}/feed/{n:02}.xml"}
                for n in range(FEEDS)
            ],
            "rules": [{"id": "kw", "type": "keyword", "any": ["Jaishankar"], "notify": ["hook"]}],
            "notifiers": {
                "hook": {"type": "webhook", "url": f"{receiver.url}/hook", "min_interval": 0.1}
            },
        }
    )
    rng = random.Random()
    polling = sending = 0
    daemon: Daemon | None = None
    try:
        for kill in range(KILLS):
            daemon = await start_daemon(config, tmp_path / f"run{kill}.log")
            await asyncio.sleep(rng.uniform(1.5, 4.0))
            now = time.monotonic()
            polling += now - feeds.last_fetch < RECENT_S
            sending += bool(receiver.answers) and now - receiver.answers[-1][2] < RECENT_S
            await daemon.kill()
        daemon = await start_daemon(config, tmp_path / "last.log")
        await wait_until(lambda: len(set(receiver.posts)) >= FEEDS * ITEMS, 180)
        await asyncio.sleep(1.0)  # nothing more comes
        assert await daemon.stop() == 0
    finally:
        if daemon is not None:
            with contextlib.suppress(ProcessLookupError):
                await daemon.kill()
    counts = receiver.counts
    duplicates = sum(n - 1 for n in counts.values())
    assert len(counts) == FEEDS * ITEMS  # 0 lost
    assert duplicates <= KILLS, counts.most_common(5)
    assert polling + sending > 0  # the kills did land in the middle of the work
    record_property(
        "measured",
        f"{backend}: {KILLS} kills ({polling} mid-poll, {sending} mid-delivery), "
        f"{FEEDS * ITEMS} alerts, 0 lost, {duplicates} duplicates",
    )
