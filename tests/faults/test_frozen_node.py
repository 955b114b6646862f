"""Three `bilat run` processes on one PostgreSQL state; the node delivering the webhook lane
is frozen (SIGSTOP) with the next row to send in hand and woken (SIGCONT) after its lease ran
out. With the default lease another node takes the lane over within 10 s and sends that row;
the woken node, which goes straight on to send it, is stopped by the fence alone (its lease
checked by its own clock right before the send, ``LeaseKeeper.valid`` in ``_call``): every
alert arrives once.

"In hand" is made exact with a table lock: the test locks ``outbox``, waits until the
holder's read of its next row (``next_outbox``, after its turn was checked: a read, so a
wait for an AccessShareLock in ``pg_locks``) waits on that lock, freezes it there and releases
the lock, so the row reaches the frozen process and is acted on the moment it wakes, before
any renewal can answer. Without the fencing check the
row is POSTed twice (tried: see RELIABILITY.md)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.conftest import WriteConfig, rss
from tests.delivery.conftest import wait_until
from tests.faults.harness import Daemon, Receiver, events, start_daemon

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ALERTS = 40
PACE_S = 0.5


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.stop()


async def _lane_holder(pg_url: str) -> int | None:
    """The pid of the node holding the webhook lane (node ids are host:pid:random)."""
    base, _, query = pg_url.partition("?")
    schema = query.split("search_path=", 1)[1]
    conn = await asyncpg.connect(base)
    try:
        owner = await conn.fetchval(
            f"SELECT owner FROM {schema}.leases WHERE name = 'notifier:hook' AND until > now()"
        )
    finally:
        await conn.close()
    return int(owner.split(":")[1]) if owner else None


async def _freeze_with_row_in_hand(pg_url: str, holder: int) -> float:
    """SIGSTOP ``holder`` while its read of the lane's next row waits on a lock on ``outbox``,
    then release the lock; returns when it was frozen (monotonic). Retries while the holder
    waits on another statement (recording a send), which is not the moment sought."""
    base, _, query = pg_url.partition("?")
    schema = query.split("search_path=", 1)[1]
    conn = await asyncpg.connect(base, server_settings={"search_path": schema})
    try:
        for _ in range(20):
            async with conn.transaction():
                await conn.execute("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE")
                waiting = None
                for _ in range(100):  # up to 10 s: the holder's next statement on outbox
                    waiting = await conn.fetchval(
                        "SELECT l.mode FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                        " WHERE NOT l.granted AND l.relation = 'outbox'::regclass"
                        " AND a.application_name LIKE $1",
                        f"bilat %:{holder}:%",
                    )
                    if waiting is not None:
                        break
                    await asyncio.sleep(0.1)
                # A read (the lane's next row; nothing else of the holder reads the outbox
                # here), not the write recording a send (RowExclusiveLock).
                if waiting == "AccessShareLock":
                    os.kill(holder, signal.SIGSTOP)
                    return time.monotonic()
            await asyncio.sleep(0.3)  # the lock released: let it record and come round again
    finally:
        await conn.close()
    raise AssertionError("the lane holder never waited on reading its next row")


async def test_a_frozen_node_woken_after_its_lease_sends_nothing_twice(
    pg_url: str,
    write_config: WriteConfig,
    receiver: Receiver,
    tmp_path: Path,
    record_property: Any,
) -> None:
    """Freeze the lane holder with its next row read, for the lease (8 s) plus 3 s; another
    node continues within 10 s of the freeze; after SIGCONT all alerts have arrived exactly
    once and the woken node logged that the fence kept it from sending."""
    receiver.feed = rss(
        *({"guid": f"g{n}", "title": f"Jaishankar meets envoy {n:03d}"} for n in range(ALERTS))
    )
    config = write_config(
        {
            "monitor": {"state": pg_url, "startup_spread": 0, "grace_s": 2, "workers": 0},
            "sources": [{"id": "desk", "type": "feed", "url": f"{receiver.url}/feed.xml"}],
            "rules": [{"id": "kw", "type": "keyword", "any": ["Jaishankar"], "notify": ["hook"]}],
            "notifiers": {
                "hook": {"type": "webhook", "url": f"{receiver.url}/hook", "min_interval": PACE_S}
            },
        }
    )
    nodes: list[Daemon] = []
    try:
        for n in range(3):
            nodes.append(await start_daemon(config, tmp_path / f"node{n}.log"))
        await wait_until(lambda: len(receiver.posts) >= 3, 60)
        holder = await _lane_holder(pg_url)
        assert holder in {node.pid for node in nodes}
        frozen_at = await _freeze_with_row_in_hand(pg_url, holder)
        before = len(receiver.posts)
        await wait_until(lambda: len(receiver.posts) > before, 15)
        takeover_s = receiver.answers[before][2] - frozen_at
        await asyncio.sleep(max(0.0, 8.0 + 3.0 - (time.monotonic() - frozen_at)))
        assert len(set(receiver.posts)) < ALERTS  # still sending when the frozen node wakes
        os.kill(holder, signal.SIGCONT)
        await wait_until(lambda: len(set(receiver.posts)) == ALERTS, 60)
        await asyncio.sleep(2.0)  # the woken node had its chance to send again
        codes = [await node.stop() for node in nodes]
    finally:
        for node in nodes:
            if node.returncode is None:
                os.kill(node.pid, signal.SIGCONT)
                await node.kill()
    assert codes == [0, 0, 0]
    assert max(receiver.counts.values()) == 1, receiver.counts  # 0 duplicates
    assert len(receiver.posts) == ALERTS
    assert takeover_s <= 10.0, takeover_s
    woken = next(node for node in nodes if node.pid == holder)
    names = [e["event"] for e in events(woken.log)]
    # The fence itself fired: it had a row in hand and did not send it.
    assert "delivery.lane_lost" in names, names[-20:]
    record_property(
        "measured",
        f"takeover {takeover_s:.1f} s (lease 8 s), {ALERTS} alerts, 0 duplicates; "
        "woken with its next row in hand: fenced (delivery.lane_lost)",
    )
