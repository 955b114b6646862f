"""The operations part of the store contract, on every backend: the readiness write probe,
outbox depth per notifier and state, and who holds which lease (``bilat status``)."""

from __future__ import annotations

from datetime import timedelta

from monitor.store import SourcePlan, Store
from tests.store.storekit import T0, make_item, write_poll


async def test_probe_write_succeeds_on_a_working_store(store: Store) -> None:
    """The probe is a real write that changes nothing: the outbox and the schedule stay."""
    await write_poll(store, [make_item(1)], etag='"v1"')
    before = await store.outbox()
    await store.probe_write()
    await store.probe_write()
    assert await store.outbox() == before


async def test_outbox_counts_pending_and_dead_per_notifier(store: Store) -> None:
    """Pending and dead rows are counted per notifier; sent rows are history, not depth."""
    queued = await write_poll(store, [make_item(i) for i in range(4)], etag='"v1"')
    queued += await write_poll(store, [make_item(9)], etag='"v2"', notifier="desk")
    assert await store.outbox_counts() == {("console", "pending"): 4, ("desk", "pending"): 1}
    await store.mark_sent(queued[0], at=T0, remote_id=None)
    await store.mark_dead(queued[1], at=T0, error="invalid_payload")
    assert await store.outbox_counts() == {
        ("console", "pending"): 2,
        ("console", "dead"): 1,
        ("desk", "pending"): 1,
    }


async def test_lease_holders_name_the_node(store: Store) -> None:
    """PostgreSQL lists the named leases and claimed sources still held, marked as this
    node's; SQLite (one process) holds none to list."""
    await store.sync_sources({"s1": SourcePlan("fp", T0)}, T0)
    assert await store.claim_due_sources(T0, 5, 60) == ["s1"]
    assert await store.acquire_lease("notifier:desk", T0, 30)
    holders = await store.lease_holders(T0 + timedelta(seconds=1))
    if store.url.startswith("sqlite"):
        assert holders == []
        return
    assert [(h.name, h.mine) for h in holders] == [("notifier:desk", True), ("source:s1", True)]
    assert await store.lease_holders(T0 + timedelta(seconds=61)) == []


async def test_item_counts_per_source_all_and_recent(store: Store) -> None:
    """Items remembered per source, and how many were first seen since a time."""
    await write_poll(store, [make_item(1), make_item(2)], etag='"v1"')
    counts = await store.item_counts(T0 - timedelta(hours=1))
    assert counts == {"s1": (2, 2)}
    assert await store.item_counts(T0 + timedelta(hours=1)) == {"s1": (2, 0)}
