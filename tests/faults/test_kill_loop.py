"""`bilat run` killed with SIGKILL at ten random moments while it polls 20 loopback feeds and
delivers their 80 alerts to a webhook, restarted after each kill, on SQLite and on
PostgreSQL: no alert is lost, each kill repeats at most the one message in flight, and the
updates of each event arrive after their parent.

Each feed reports one meeting (S. Jaishankar and one counterpart, a different one per feed)
four times; the real detector files the four reports under one event, and with ``realert``
0 each later report is an immediate "update" alert threaded under the first ("new") one:
20 events of one parent and three updates each."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WriteConfig
from tests.delivery.conftest import wait_until
from tests.faults.harness import Daemon, FeedFarm, Receiver, logged, start_daemon

pytestmark = pytest.mark.slow

FEEDS = 20
ITEMS = 4
SPREAD_S = 12  # first polls of each (re)start spread over this
KILLS = 10
RECENT_S = 0.5  # a fetch or a POST this recent means the kill landed in the middle of it
# Foreign ministers the officials roster knows, one meeting each.
COUNTERPARTS = (
    "Wang Yi", "Sergey Lavrov", "Penny Wong", "Marco Rubio", "Jean-Noël Barrot",
    "Vivian Balakrishnan", "Ahmed Attaf", "Badr Abdelatty", "Hakan Fidan", "Ronald Lamola",
    "Mauro Vieira", "Winston Peters", "Johann Wadephul", "Antonio Tajani",
    "José Manuel Albares", "Radosław Sikorski", "Abbas Araghchi", "Faisal bin Farhan",
    "Andrii Sybiha", "Juan Ramón de la Fuente",
)  # fmt: skip
WORDINGS = (
    ("Jaishankar meets {name}", "External Affairs Minister S. Jaishankar met {name} in "
     "New Delhi today and discussed bilateral ties."),
    ("Jaishankar, {name} hold talks", "S. Jaishankar and {name} held talks in New Delhi "
     "today on trade and connectivity."),
    ("{name} meets Jaishankar", "{name} met External Affairs Minister S. Jaishankar in "
     "New Delhi today."),
    ("Jaishankar and {name} meet", "Jaishankar met {name} in New Delhi today; the two "
     "ministers reviewed cooperation."),
)  # fmt: skip


def report(feed: int, item: int) -> tuple[str, str]:
    """The ``item``-th report of feed ``feed``'s meeting: (title, description)."""
    title, text = WORDINGS[item % len(WORDINGS)]
    name = COUNTERPARTS[feed]
    return title.format(name=name), text.format(name=name)


@pytest.fixture
def states(request: pytest.FixtureRequest) -> dict[str, str]:
    """State URLs by backend: a SQLite file beside the config, and a PostgreSQL schema of its
    own when a server is there (``pg_url`` skips without one, or fails under CI)."""
    found = {"sqlite": "sqlite:///state/bilat.db"}
    with contextlib.suppress(pytest.skip.Exception):
        found["postgres"] = request.getfixturevalue("pg_url")
    return found


def _config(write_config: WriteConfig, backend: str, state: str, feeds: str, hook: str) -> Path:
    return write_config(
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
                {"id": f"feed-{n:02}", "type": "feed", "url": f"{feeds}/feed/{n:02}.xml"}
                for n in range(FEEDS)
            ],
            "rules": [
                {
                    "id": "bilats",
                    "type": "bilateral_meeting",
                    "statuses": ["held"],
                    "realert": 0,  # every later report of a meeting is an update at once
                    "notify": ["hook"],
                }
            ],
            "notifiers": {
                "hook": {"type": "webhook", "url": hook, "min_interval": 0.1, "updates": True}
            },
        },
        name=f"{backend}.toml",
    )


async def _kill_loop(backend: str, state: str, write_config: WriteConfig, tmp_path: Path) -> str:
    """Ten kills and a last run on one backend, judged; returns what it measured."""
    feeds = await FeedFarm(items=ITEMS, reports=report).start()
    receiver = await Receiver().start()
    # Each parent's first POST fails (503): it waits for its retry while other events pass
    # it, and its updates must wait too, across the kills (the retry is in the outbox).
    receiver.status_for = lambda alert_id: (
        503 if alert_id not in receiver.parents and receiver.posts.count(alert_id) == 1 else 200
    )
    config = _config(write_config, backend, state, feeds.url, f"{receiver.url}/hook")
    rng = random.Random()
    polling = sending = 0
    daemon: Daemon | None = None
    try:
        for kill in range(KILLS):
            daemon = await start_daemon(config, tmp_path / f"{backend}-run{kill}.log")
            # Timed from the end of the start-up (the detector's warm-up takes 1-6 s on a
            # shared machine), so every kill lands while the daemon polls or delivers.
            await logged(daemon, "daemon.started")
            await asyncio.sleep(rng.uniform(0.2, 2.5))
            now = time.monotonic()
            polling += now - feeds.last_fetch < RECENT_S
            sending += bool(receiver.answers) and now - receiver.answers[-1][2] < RECENT_S
            await daemon.kill()
        daemon = await start_daemon(config, tmp_path / f"{backend}-last.log")
        await wait_until(lambda: len(set(receiver.delivered())) >= FEEDS * ITEMS, 180)
        await asyncio.sleep(1.0)  # nothing more comes
        assert await daemon.stop() == 0
    finally:
        if daemon is not None:
            with contextlib.suppress(ProcessLookupError):
                await daemon.kill()
        await feeds.stop()
        await receiver.stop()
    counts = Counter(receiver.delivered())
    duplicates = sum(n - 1 for n in counts.values())
    assert len(counts) == FEEDS * ITEMS, backend  # 0 lost
    assert duplicates <= KILLS, (backend, counts.most_common(5))
    assert polling + sending > 0, backend  # the kills did land in the middle of the work
    # Every event: one parent and its three updates, each update POSTed only after the
    # parent was first answered 200 (a parent resent after a kill may come again later).
    parents = receiver.parents
    assert len(parents) == FEEDS * (ITEMS - 1) and len(set(parents.values())) == FEEDS
    assert set(parents.values()).isdisjoint(parents)
    assert set(counts) == {*parents, *parents.values()}
    failed = sum(status == 503 for _, status, _ in receiver.answers)
    assert failed >= FEEDS, failed  # every parent was refused once (more if killed mid-POST)
    assert receiver.out_of_order() == [], backend
    return (
        f"{backend}: {KILLS} kills ({polling} mid-poll, {sending} mid-delivery), "
        f"{FEEDS * ITEMS} alerts ({FEEDS} events, {ITEMS - 1} updates each, every parent "
        f"refused once), 0 lost, {duplicates} duplicates, 0 updates before their parent"
    )


async def test_kill_at_random_moments_loses_nothing(
    states: dict[str, str], write_config: WriteConfig, tmp_path: Path, record_property: Any
) -> None:
    """Ten kills per backend, each 0.2–2.5 s after a (re)started daemon is up, with first
    polls spread over 12 s and deliveries paced 0.1 s apart, so kills land mid-poll and
    mid-send; then one last run delivers the rest. Every alert arrives; duplicates ≤ one per
    kill; no update before its parent. The backends run side by side (each its own feeds,
    receiver and daemons): most of a loop is waiting, and the two together take little more
    than one."""
    measured = await asyncio.gather(
        *(_kill_loop(b, state, write_config, tmp_path) for b, state in states.items())
    )
    for line in measured:
        record_property("measured", line)
