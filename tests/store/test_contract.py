"""The store contract, run on every backend (SQLite file, PostgreSQL schema): atomic
transactions, idempotent writes, outbox states, retention, the schedule and its leases."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest

from monitor.contracts import SourceCursor
from monitor.model import Item, SeenItem
from monitor.store import SourcePlan, SourceState, Store
from tests.store.storekit import T0, make_alert, make_item, write_poll


async def test_poll_transaction_commits_everything(store: Store) -> None:
    """One transaction writes seen items, matches, alerts + outbox rows and the cursor."""
    items = [make_item(1), make_item(2)]
    queued = await write_poll(store, items, etag='"v1"')
    assert len(queued) == 2
    state = await store.source_state("s1")
    assert state.cursor.etag == '"v1"'
    assert state.next_due_at == T0 + timedelta(minutes=5)
    rows = await store.outbox()
    assert [r.alert.id for r in rows] == queued and all(r.state == "pending" for r in rows)
    assert [r.created_at for r in rows] == [T0, T0]
    async with store.transaction() as tx:
        assert await tx.unseen([i.key for i in items] + ["s1:new"]) == {"s1:new"}


async def test_exception_inside_transaction_leaves_nothing(store: Store) -> None:
    """An error after some writes rolls back all of them: no items, alerts or cursor."""
    items = [make_item(1)]
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.mark_seen(items, T0)
            _, alert = make_alert(items[0])
            await tx.add_alerts([alert])
            await tx.save_source_state(SourceState("s1", cursor=SourceCursor(etag='"v9"')))
            raise RuntimeError("crash between steps")
    assert (await store.source_state("s1")).cursor.etag is None
    assert await store.outbox() == []
    async with store.transaction() as tx:
        assert await tx.unseen([items[0].key]) == {items[0].key}


async def test_cancellation_inside_transaction_rolls_back(store: Store) -> None:
    """A task cancelled mid-transaction (shutdown) leaves nothing partial behind, and the
    store keeps working afterwards."""
    started = asyncio.Event()

    async def slow_poll() -> None:
        async with store.transaction() as tx:
            await tx.mark_seen([make_item(1)], T0)
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_poll())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with store.transaction() as tx:
        assert await tx.unseen(["s1:i1"]) == {"s1:i1"}
    assert len(await write_poll(store, [make_item(2)], etag='"v2"')) == 1


async def test_cancellation_during_a_statement_rolls_back(store: Store) -> None:
    """Cancelled while its writes are on their way to the database, a poll leaves all or
    nothing; the store keeps working; a later uncancelled write commits whole."""
    items = [make_item(n) for n in range(2000)]
    rolled_back = 0
    # None: cancelled before its first step. SQLite's poll path never suspends inside a unit
    # of work, so there a cancellation lands before the unit (nothing) or after it (all).
    for delay in (None, 0.0, 0.001, 0.003, 0.01, 0.03):
        task = asyncio.create_task(write_poll(store, items, etag='"big"'))
        if delay is not None:
            await asyncio.sleep(delay)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        async with store.transaction() as tx:
            unseen = await tx.unseen([i.key for i in items])
        if (await store.source_state("s1")).cursor.etag is not None:
            break  # this one committed before the cancellation arrived
        assert len(unseen) == len(items) and await store.outbox(limit=5000) == []
        rolled_back += 1
    assert rolled_back >= 1
    await write_poll(store, items, etag='"big"')
    async with store.transaction() as tx:
        assert await tx.unseen([i.key for i in items]) == set()
    assert len(await store.outbox(limit=5000)) == len(items)


async def test_inserts_are_idempotent(store: Store) -> None:
    """Writing the same poll twice adds no duplicate seen rows, matches, alerts or outbox rows."""
    items = [make_item(1), make_item(2)]
    pairs = [make_alert(i) for i in items]
    last: tuple[int, list[str]] = (-1, [])
    for _ in range(2):
        async with store.transaction() as tx:
            await tx.mark_seen(items, T0)
            added = await tx.add_matches(
                [(m, i) for (m, _), i in zip(pairs, items, strict=True)], T0
            )
            queued = await tx.add_alerts([a for _, a in pairs])
        last = (added, queued)
    assert last == (0, [])
    assert len(await store.outbox()) == 2


async def test_duplicates_within_one_call_count_once(store: Store) -> None:
    """The same item, match or alert twice in one call is stored once and counted once."""
    item = make_item(1)
    match, alert = make_alert(item)
    async with store.transaction() as tx:
        await tx.mark_seen([item, item], T0)
        assert await tx.add_matches([(match, item), (match, item)], T0) == 1
        assert await tx.add_alerts([alert, alert]) == [alert.id]
        assert await tx.unseen([item.key, item.key]) == set()
    assert len(await store.outbox()) == 1


async def test_text_round_trips_exactly(store: Store) -> None:
    """Non-Latin text, and a NUL character a feed can carry, survive storage: the item key
    still matches itself and the alert reads back equal."""
    odd = Item(id="guid\x00x", source_id="s1", title="जयशंकर\x00 ने", text="", published_at=T0)
    match, alert = make_alert(odd)
    async with store.transaction() as tx:
        assert await tx.unseen([odd.key]) == {odd.key}
        await tx.mark_seen([odd], T0)
        await tx.add_matches([(match, odd)], T0)
        await tx.add_alerts([alert])
    async with store.transaction() as tx:
        assert await tx.unseen([odd.key]) == set()
    assert await store.get_alert(alert.id) == alert


async def test_outbox_states_and_remote_ids(store: Store) -> None:
    """Rows move pending -> sent (with remote id) or dead; only pending rows are 'next'."""
    queued = await write_poll(store, [make_item(1), make_item(2)], etag='"v1"')
    head = await store.next_outbox("console")
    assert head is not None and head.alert.id == queued[0]
    await store.mark_retry(queued[0], at=T0, next_attempt_at=T0 + timedelta(seconds=5), error="503")
    row = (await store.outbox())[0]
    assert (row.attempts, row.last_error, row.first_failed_at) == (1, "503", T0)
    assert row.next_attempt_at == T0 + timedelta(seconds=5)
    await store.mark_sent(queued[0], at=T0, remote_id="C1:123.456")
    assert await store.alert_remote_id(queued[0]) == "C1:123.456"
    async with store.transaction() as tx:
        assert await tx.alert_remote_id(queued[0]) == "C1:123.456"
    await store.mark_dead(queued[1], at=T0, error="invalid_payload")
    assert await store.next_outbox("console") is None
    states = [(r.state, r.attempts) for r in await store.outbox()]
    assert states == [("sent", 2), ("dead", 1)]
    assert [r.alert.id for r in await store.outbox(state="dead")] == [queued[1]]
    assert await store.outbox(notifier="slack") == []
    await store.mark_sent(queued[1], at=T0, remote_id="late")  # dead stays dead
    assert (await store.outbox(state="dead"))[0].remote_id is None
    alert = await store.get_alert(queued[0])
    assert alert is not None and alert.headline == "title 1"
    assert await store.get_alert("nope") is None


async def test_outbox_is_per_notifier_and_in_creation_order(store: Store) -> None:
    """Each notifier's head is its own oldest pending row, in the order alerts were queued."""
    first = await write_poll(store, [make_item(1)], etag="a", notifier="slack")
    second = await write_poll(store, [make_item(2)], etag="b", notifier="email")
    third = await write_poll(store, [make_item(3)], etag="c", notifier="slack")
    head = await store.next_outbox("slack")
    assert head is not None and head.alert.id == first[0]
    await store.mark_sent(first[0], at=T0, remote_id=None)
    head = await store.next_outbox("slack")
    assert head is not None and head.alert.id == third[0]
    email = await store.next_outbox("email")
    assert email is not None and email.alert.id == second[0]
    seqs = [r.seq for r in await store.outbox()]
    assert seqs == sorted(seqs)


async def test_retention_prunes_old_rows_but_never_pending(store: Store) -> None:
    """Pruning forgets items not seen since the cutoff and finished alerts, keeps pending."""
    old, recent = make_item(1), make_item(2)
    async with store.transaction() as tx:
        await tx.mark_seen([old], T0 - timedelta(days=40))
        await tx.mark_seen([recent], T0 - timedelta(days=40))
        await tx.mark_seen([recent], T0)  # still in the feed: last_seen refreshed
        m1, a1 = make_alert(old, at=T0 - timedelta(days=40))
        m2, a2 = make_alert(recent, at=T0 - timedelta(days=40))
        await tx.add_matches([(m1, old), (m2, recent)], T0 - timedelta(days=40))
        await tx.add_alerts([a1, a2])
    await store.mark_sent(a1.id, at=T0, remote_id=None)
    report = await store.prune(before=T0 - timedelta(days=30))
    assert (report.seen, report.matches, report.alerts) == (1, 2, 1)
    async with store.transaction() as tx:
        assert await tx.unseen([old.key, recent.key]) == {old.key}
    assert [r.alert.id for r in await store.outbox()] == [a2.id]  # pending survives


async def test_an_item_seen_again_by_key_alone_keeps_its_retention(store: Store) -> None:
    """A worker sends back an item it knew as a ``SeenItem`` (no text): marking it seen
    refreshes its ``last_seen`` like the whole item, and records a new one as seen."""
    kept, gone, fresh = make_item(1), make_item(2), make_item(3)
    async with store.transaction() as tx:
        await tx.mark_seen([kept, gone], T0 - timedelta(days=40))
    async with store.transaction() as tx:
        again = SeenItem(kept.key, kept.source_id, kept.published_at)
        await tx.mark_seen([again, SeenItem(fresh.key, fresh.source_id)], T0)
    report = await store.prune(before=T0 - timedelta(days=30))
    assert report.seen == 1
    async with store.transaction() as tx:
        assert await tx.unseen([kept.key, gone.key, fresh.key]) == {gone.key}


async def test_sync_and_claim_keep_future_due_times(store: Store) -> None:
    """Startup keeps a future due time (Retry-After), re-plans past ones, resets on config
    change, and claiming leases a due source so it is not claimed twice."""
    plans = {
        "a": SourcePlan("fp-a", T0 + timedelta(seconds=10)),
        "b": SourcePlan("fp-b", T0 + timedelta(seconds=20)),
        "push": SourcePlan("fp-p", None),
    }
    await store.sync_sources(plans, T0)
    await store.save_source_state(
        (await store.source_state("a")).evolve(
            next_due_at=T0 + timedelta(hours=2), cursor=SourceCursor(etag='"e"')
        )
    )
    await store.save_source_state(
        (await store.source_state("b")).evolve(next_due_at=T0 - timedelta(hours=5))
    )
    later = T0 + timedelta(minutes=1)
    replan = {
        "a": SourcePlan("fp-a", later + timedelta(seconds=3)),
        "b": SourcePlan("fp-b", later + timedelta(seconds=4)),
        "push": SourcePlan("fp-p", None),
    }
    await store.sync_sources(replan, later)
    states = await store.source_states()
    assert states["a"].next_due_at == T0 + timedelta(hours=2)  # kept (server asked to wait)
    assert states["b"].next_due_at == later + timedelta(seconds=4)  # overdue: spread again
    assert states["push"].next_due_at is None
    assert await store.claim_due_sources(later + timedelta(seconds=5), 10, 60) == ["b"]
    assert await store.claim_due_sources(later + timedelta(seconds=6), 10, 60) == []  # leased
    # The URL of "a" changed: its validators and due time start fresh.
    await store.sync_sources({"a": SourcePlan("fp-a2", later), "b": replan["b"]}, later)
    fresh = await store.source_state("a")
    assert fresh.cursor.etag is None and fresh.next_due_at == later
    assert fresh.fingerprint == "fp-a2"
    # "push" is no longer configured: never claimed, state kept.
    assert "push" in await store.source_states()


async def test_claims_oldest_first_up_to_the_limit(store: Store) -> None:
    """Claims take the most overdue sources first, never more than asked, none twice."""
    plans = {f"s{n}": SourcePlan("fp", T0 + timedelta(seconds=10 - n)) for n in range(6)}
    await store.sync_sources(plans, T0)
    now = T0 + timedelta(seconds=30)
    assert await store.claim_due_sources(now, 0, 60) == []
    assert await store.claim_due_sources(now, 4, 60) == ["s5", "s4", "s3", "s2"]
    assert await store.claim_due_sources(now, 4, 60) == ["s1", "s0"]
    assert await store.claim_due_sources(now, 4, 60) == []


async def test_lease_of_an_unsaved_claim_runs_out(store: Store) -> None:
    """A claimed source whose poll never saved (the process died) is claimable again once
    the lease has passed, not before."""
    await store.sync_sources({"a": SourcePlan("fp", T0)}, T0)
    assert await store.claim_due_sources(T0, 5, 60) == ["a"]
    assert await store.claim_due_sources(T0 + timedelta(seconds=59), 5, 60) == []
    assert await store.claim_due_sources(T0 + timedelta(seconds=60), 5, 60) == ["a"]


async def test_saving_the_state_ends_the_claim(store: Store) -> None:
    """After the poll saves the next due time, the source is due then (the lease is over)."""
    await store.sync_sources({"a": SourcePlan("fp", T0)}, T0)
    assert await store.claim_due_sources(T0, 5, 600) == ["a"]
    state = await store.source_state("a")
    await store.save_source_state(state.evolve(next_due_at=T0 + timedelta(seconds=30)))
    assert await store.claim_due_sources(T0 + timedelta(seconds=29), 5, 600) == []
    assert await store.claim_due_sources(T0 + timedelta(seconds=30), 5, 600) == ["a"]
    async with store.transaction() as tx:  # the same through a poll's transaction
        state = await tx.source_state("a")
        await tx.save_source_state(state.evolve(next_due_at=T0 + timedelta(seconds=40)))
    assert await store.claim_due_sources(T0 + timedelta(seconds=40), 5, 600) == ["a"]


async def test_one_node_always_holds_its_own_leases(store: Store) -> None:
    """A single node takes, renews and releases a named lease (and may take it again)."""
    assert await store.acquire_lease("stream:x", T0, 30)
    assert await store.acquire_lease("stream:x", T0 + timedelta(seconds=10), 30)
    await store.release_lease("stream:x")
    await store.release_lease("stream:never-held")
    assert await store.acquire_lease("stream:x", T0 + timedelta(seconds=11), 30)


async def test_concurrent_transactions_all_commit(store: Store) -> None:
    """Many polls committing at once (different sources) all land, each whole."""

    async def poll(n: int) -> list[str]:
        items = [make_item(f"{n}-{k}", source=f"s{n}") for k in range(5)]
        return await write_poll(store, items, etag=f'"{n}"', source=f"s{n}")

    results = await asyncio.gather(*(poll(n) for n in range(12)))
    assert all(len(queued) == 5 for queued in results)
    states = await store.source_states()
    assert {sid: s.cursor.etag for sid, s in states.items()} == {
        f"s{n}": f'"{n}"' for n in range(12)
    }
    assert len(await store.outbox(limit=1000)) == 60
