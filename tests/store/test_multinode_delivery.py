"""Two nodes' delivery workers on one PostgreSQL outbox, sending to a real webhook stand-in:
each alert reaches the desk once, in order, never two sends at a time; when the node holding
the notifier's lane dies, the other takes over within one lease TTL."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest

from monitor.contracts import HttpSettings
from monitor.delivery import DeliveryWorker
from monitor.net.client import Http
from monitor.notifiers.webhook import WebhookNotifier, WebhookOptions
from monitor.store import notifier_lease
from monitor.store.postgres import PostgresStore
from tests.store.desk import Desk
from tests.store.storekit import make_item, write_poll

pytestmark = pytest.mark.postgres

LEASE_S = 1.0


@pytest.fixture
async def http() -> AsyncIterator[Http]:
    async with Http(HttpSettings(allow_private_networks=True, timeout=5)) as client:
        yield client


async def sweep(workers: list[DeliveryWorker]) -> None:
    """What the scheduler's sweep tick does on every node: wake the lanes."""
    while True:
        for worker in workers:
            worker.kick()
        await asyncio.sleep(0.1)


async def test_two_workers_deliver_each_alert_once_and_survive_a_dead_node(
    pg_url: str, desk: Desk, http: Http
) -> None:
    """40 alerts, two nodes delivering: each reaches the desk exactly once, in queue order,
    one POST at a time; then the lane's holder dies and the other node delivers the next 10,
    the first within one TTL (+ one retry period) of the death."""
    a, b = [await PostgresStore.open(pg_url) for _ in range(2)]
    options = WebhookOptions.model_validate({"type": "webhook", "url": desk.url})
    workers = [
        DeliveryWorker(
            s, {"hook": (WebhookNotifier("hook", options, http), options)}, lease_s=LEASE_S
        )
        for s in (a, b)
    ]
    ticker = asyncio.create_task(sweep(workers))
    try:
        queued: list[str] = []
        for n in range(4):  # four polls, alternating nodes
            store = a if n % 2 else b
            items = [make_item(f"{n}-{k}", source=f"s{n}") for k in range(10)]
            queued += await write_poll(store, items, etag="e", source=f"s{n}", notifier="hook")
        for worker in workers:
            worker.start()
        await desk.wait_for(40, 20)
        await asyncio.sleep(0.3)  # room for a duplicate to show up
        assert desk.ids == queued and not desk.duplicates() and desk.max_inflight == 1
        assert [r.state for r in await a.outbox(limit=100)] == ["sent"] * 40

        conn = await asyncpg.connect(pg_url)
        try:
            owner = await conn.fetchval(
                "SELECT owner FROM leases WHERE name = $1", notifier_lease("hook")
            )
        finally:
            await conn.close()
        assert owner in (a.node, b.node)
        holder, survivor = (a, b) if owner == a.node else (b, a)
        holder.terminate()  # the lane's node dies; its lease is not released
        died = time.monotonic()
        more = await write_poll(
            survivor, [make_item(f"late-{k}", "s9") for k in range(10)], "e", "s9", "hook"
        )
        await desk.wait_for(50, 10)
        recovered_s = desk.arrived_at[40] - died
        assert desk.ids[40:] == more and not desk.duplicates() and desk.max_inflight == 1
        assert recovered_s <= LEASE_S + LEASE_S / 3 + 0.5
        print(f"lane takeover after the holder died: {recovered_s:.2f} s (TTL {LEASE_S} s)")
    finally:
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
        for worker in workers:
            await worker.stop(1.0)
        for store in (a, b):
            await store.close()
