"""Several nodes on one PostgreSQL database: claims with SKIP LOCKED, leases that run out when
a node dies, fencing of a stale node's commit, stream leases and their takeover."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest

from adapters.feed import FeedOptions, FeedSource
from monitor.contracts import HttpSettings, SourceCursor
from monitor.delivery import DeliveryWorker
from monitor.leases import LeaseKeeper
from monitor.model import Item
from monitor.net.client import Http
from monitor.pacing import Cadence
from monitor.pipeline import Pipeline
from monitor.poller import PolledSourceRuntime, Poller
from monitor.scheduler import Scheduler
from monitor.store import LeaseLost, SourcePlan, stream_lease
from monitor.store.postgres import PostgresStore
from rules.keyword import KeywordOptions, KeywordRule
from tests.conftest import FeedServer, captured_logs, rss
from tests.store.storekit import T0, Nodes, make_alert, make_item

pytestmark = pytest.mark.postgres


async def test_two_nodes_poll_every_due_source_exactly_once(nodes: Nodes) -> None:
    """200 sources over 5 due times, two nodes with 4 workers each claiming concurrently:
    every source is polled exactly once per due time (0 lost, 0 duplicate), by either node."""
    a, b = await nodes(2)
    interval = timedelta(seconds=60)
    sources = [f"s{n:03}" for n in range(200)]
    await a.sync_sources({sid: SourcePlan("fp", T0) for sid in sources}, T0)
    polls: list[tuple[str, datetime, str]] = []
    rng = random.Random(5)

    async def worker(store: PostgresStore, name: str, now: datetime) -> None:
        while ids := await store.claim_due_sources(now, rng.randint(1, 8), 30):
            for sid in ids:
                state = await store.source_state(sid)
                assert state.next_due_at is not None
                polls.append((sid, state.next_due_at, name))
                await asyncio.sleep(rng.random() / 1000)  # the fetch: let the others run
                async with store.transaction() as tx:
                    await tx.mark_seen([make_item(f"{sid}-{state.next_due_at}", sid)], now)
                    await tx.save_source_state(
                        state.evolve(next_due_at=state.next_due_at + interval, last_ok_at=now)
                    )

    rounds = 5
    for r in range(rounds):
        now = T0 + r * interval
        await asyncio.gather(*(worker(s, n, now) for s, n in [(a, "a"), (b, "b")] * 4))
    expected = {(sid, T0 + r * interval) for sid in sources for r in range(rounds)}
    counts = Counter((sid, due) for sid, due, _ in polls)
    lost = expected - set(counts)
    duplicates = sum(c - 1 for c in counts.values())
    assert (len(lost), duplicates) == (0, 0)
    assert len(polls) == 1000
    by_node = Counter(node for _, _, node in polls)
    assert by_node["a"] > 100 and by_node["b"] > 100  # both nodes really shared the work


async def test_killed_nodes_sources_are_reclaimed_when_its_heartbeat_runs_out(
    nodes: Nodes,
) -> None:
    """A node dies holding claims (connections dropped, nothing released): while its
    heartbeat lasts (half a lease: 4 s) the other node claims only its own half of the rest;
    then it claims the dead node's polls in flight and its half, long before the claims'
    own lease (90 s) would have ended."""
    a, b = await nodes(2)
    everything = {f"s{n}" for n in range(30)}
    await a.sync_sources({sid: SourcePlan("fp", T0) for sid in everything}, T0)
    held = await a.claim_due_sources(T0, 20, 90)  # alone so far: any due source is a's
    a.terminate()
    mine = await b.claim_due_sources(T0, 50, 90)
    assert len(held) == 20 and len(mine) == 5 and not set(held) & set(mine)
    for sid in mine:  # b polls its own share
        state = await b.source_state(sid)
        await b.save_source_state(state.evolve(next_due_at=T0 + timedelta(hours=1)))
    assert await b.claim_due_sources(T0 + timedelta(seconds=3.999), 50, 90) == []
    taken = await b.claim_due_sources(T0 + timedelta(seconds=4), 50, 90)
    assert set(taken) == everything - set(mine)
    for sid in taken:  # and b's polls of them commit normally
        state = await b.source_state(sid)
        await b.save_source_state(state.evolve(next_due_at=T0 + timedelta(hours=1)))


async def test_stale_nodes_late_commit_is_fenced_off(nodes: Nodes) -> None:
    """Node A's lease runs out mid-poll and B claims and polls the source: A's late commit
    raises LeaseLost and leaves nothing (no seen items, alerts or cursor); B's stands."""
    a, b = await nodes(2)
    await a.sync_sources({"s1": SourcePlan("fp", T0)}, T0)
    assert await a.claim_due_sources(T0, 1, 30) == ["s1"]
    stale_state = await a.source_state("s1")
    later = T0 + timedelta(seconds=31)
    assert await b.claim_due_sources(later, 1, 30) == ["s1"]
    async with b.transaction() as tx:
        state = await tx.source_state("s1")
        await tx.save_source_state(
            state.evolve(cursor=SourceCursor(etag='"b"'), next_due_at=later + timedelta(seconds=60))
        )
    item = make_item(1)
    _, alert = make_alert(item)
    with pytest.raises(LeaseLost):
        async with a.transaction() as tx:
            await tx.mark_seen([item], later)
            await tx.add_alerts([alert])
            await tx.save_source_state(stale_state.evolve(cursor=SourceCursor(etag='"a"')))
    assert (await b.source_state("s1")).cursor.etag == '"b"'
    assert await b.outbox() == []
    async with b.transaction() as tx:
        assert await tx.unseen([item.key]) == {item.key}
    # The failure path of the stale poll (a plain save) is refused too.
    with pytest.raises(LeaseLost):
        await a.save_source_state(stale_state.evolve(failures=9))
    assert (await b.source_state("s1")).failures == 0


async def test_stream_lease_is_exclusive_and_fences_commits(nodes: Nodes) -> None:
    """One node at a time holds a stream; another takes it only once the TTL has passed;
    the old holder's renewal then fails and its commits for that source are fenced."""
    a, b = await nodes(2)
    name = stream_lease("jetstream")
    assert await a.acquire_lease(name, T0, 30)
    assert not await b.acquire_lease(name, T0 + timedelta(seconds=10), 30)
    assert await a.acquire_lease(name, T0 + timedelta(seconds=20), 30)  # renewed to T0+50
    assert not await b.acquire_lease(name, T0 + timedelta(seconds=49), 30)
    async with a.transaction() as tx:  # while held, a's batches commit
        await tx.save_source_state((await tx.source_state("jetstream")).evolve(failures=0))
    assert await b.acquire_lease(name, T0 + timedelta(seconds=50), 30)
    with pytest.raises(LeaseLost):
        async with a.transaction() as tx:
            await tx.mark_seen([make_item(1, "jetstream")], T0)
            state = await tx.source_state("jetstream")
            await tx.save_source_state(state.evolve(cursor=SourceCursor(cursor="a-late")))
    assert not await a.acquire_lease(name, T0 + timedelta(seconds=51), 30)
    with pytest.raises(LeaseLost):  # still refused after the failed renewal
        await a.save_source_state((await a.source_state("jetstream")).evolve(failures=3))
    async with b.transaction() as tx:
        state = await tx.source_state("jetstream")
        await tx.save_source_state(state.evolve(cursor=SourceCursor(cursor="b")))
    assert (await a.source_state("jetstream")).cursor.cursor == "b"


async def test_graceful_close_hands_over_at_once(nodes: Nodes) -> None:
    """A node that stops cleanly releases its claims and leases: another node takes them
    immediately instead of after the TTL."""
    a, b = await nodes(2)
    await a.sync_sources({f"s{n}": SourcePlan("fp", T0) for n in range(5)}, T0)
    assert len(await a.claim_due_sources(T0, 5, 600)) == 5
    assert await a.acquire_lease(stream_lease("x"), T0, 600)
    await a.close()
    assert len(await b.claim_due_sources(T0, 5, 600)) == 5
    assert await b.acquire_lease(stream_lease("x"), T0, 600)


async def test_lease_keeper_takeover_within_one_ttl(nodes: Nodes) -> None:
    """Real time: node A keeps a lease (TTL 1 s) alive; when A dies, B, already waiting for
    it, holds it within one TTL (+ one retry period) of A's last renewal; while A lived, B
    never held it."""
    a, b = await nodes(2)
    ttl = 1.0
    keeper_a = LeaseKeeper(a, "notifier:hook", ttl_s=ttl)
    keeper_b = LeaseKeeper(b, "notifier:hook", ttl_s=ttl)
    await keeper_a.wait_until_held()
    keeping = asyncio.create_task(keeper_a.keep())
    waiting = asyncio.create_task(keeper_b.wait_until_held())
    await asyncio.sleep(2.5 * ttl)  # several renewals by A; B keeps trying and failing
    assert not waiting.done() and keeper_a.held
    last_renewal = keeper_a._valid_until - ttl  # when A's last successful renewal began
    keeping.cancel()
    a.terminate()  # A dies without releasing
    died = time.monotonic()
    await asyncio.wait_for(waiting, 3 * ttl)
    took_over = time.monotonic()
    assert keeper_b.held
    assert took_over - last_renewal <= ttl + keeper_b.renew_every_s + 0.25
    assert took_over - died <= ttl + keeper_b.renew_every_s + 0.25


async def test_stale_poller_logs_lease_lost_and_leaves_no_trace(
    nodes: Nodes, feed_server: FeedServer
) -> None:
    """Two nodes' real pollers and a real feed: B polls a source after A's lease ran out;
    A's late poll returns False with one source.lease_lost line (no source.failing), and
    the alerts exist once."""
    a, b = await nodes(2)
    url = feed_server.serve(
        "/f.xml", rss({"guid": 1, "title": "Jaishankar meets Wang Yi"}, {"guid": 2, "title": "x"})
    )
    options = FeedOptions(id="f", type="feed", url=url, interval=60)
    now = [datetime.now().astimezone()]

    def clock() -> datetime:
        return now[0]

    async with Http(HttpSettings(allow_private_networks=True, timeout=5)) as http:

        def poller(store: PostgresStore) -> Poller:
            rule = KeywordRule(
                KeywordOptions(id="kw", type="keyword", any=["Jaishankar"], notify=["console"])
            )
            pipeline = Pipeline(
                store, [rule], notifiers=frozenset({"console"}), backfill_s=86400, clock=clock
            )
            runtime = PolledSourceRuntime(
                options, FeedSource.from_options(options), Cadence(60, FeedSource.min_interval)
            )
            return Poller(store, http, pipeline, {"f": runtime}, clock=clock)

        await a.sync_sources({"f": SourcePlan("fp", now[0])}, now[0])
        assert await a.claim_due_sources(now[0], 1, 30) == ["f"]
        now[0] += timedelta(seconds=31)
        assert await b.claim_due_sources(now[0], 1, 30) == ["f"]
        assert await poller(b).poll("f")
        with captured_logs() as logs:
            assert not await poller(a).poll("f")
    events = [e["event"] for e in logs]
    assert events.count("source.lease_lost") == 1
    assert "source.failing" not in events and "source.polled" not in events
    rows = await b.outbox()
    assert [r.alert.report.title for r in rows] == ["Jaishankar meets Wang Yi"]
    assert (await b.source_state("f")).failures == 0


async def test_stream_batches_from_two_nodes_commit_only_under_the_lease(nodes: Nodes) -> None:
    """Items pushed through the pipeline by the node holding the stream commit; the node
    that lost it gets LeaseLost and stores nothing of its batch."""
    a, b = await nodes(2)
    name = stream_lease("js")
    pipelines = {s.node: Pipeline(s, [], notifiers=frozenset(), backfill_s=86400) for s in (a, b)}
    t = datetime.now().astimezone()
    assert await a.acquire_lease(name, t - timedelta(seconds=40), 30)  # ran out 10 s ago
    assert await b.acquire_lease(name, t, 30)
    item = Item(id="p1", source_id="js", title="t", text="")
    await pipelines[b.node].process_items("js", [item], SourceCursor(cursor="1"))
    late = Item(id="p2", source_id="js", title="t", text="")
    with pytest.raises(LeaseLost):
        await pipelines[a.node].process_items("js", [late], SourceCursor(cursor="0"))
    async with b.transaction() as tx:
        assert await tx.unseen([item.key, late.key]) == {late.key}
    assert (await b.source_state("js")).cursor.cursor == "1"


async def test_database_outage_is_logged_once_by_the_ticker(pg_url: str) -> None:
    """With the database unreachable every dispatch tick fails: one store.unwritable error,
    no poll started meanwhile, and one store.recovered line once a probe write goes through
    again (the ticker probes by itself; nobody restarts anything)."""
    dead = await PostgresStore.open(pg_url)
    dead.terminate()
    pipeline = Pipeline(dead, [], notifiers=frozenset(), backfill_s=86400)
    async with Http(HttpSettings(allow_private_networks=True)) as http:
        poller = Poller(dead, http, pipeline, {})
        scheduler = Scheduler(
            dead, poller, DeliveryWorker(dead, {}), concurrency=4, retention_s=86400, lease_s=60
        )
        with captured_logs() as logs:
            for _ in range(3):
                assert await scheduler.dispatch() == 0
            assert not scheduler.health.store_healthy
            assert "refuses writes" in (scheduler.health.paused_reason or "")
            alive = await PostgresStore.open(pg_url)
            scheduler.store = alive
            try:
                for _ in range(100):
                    assert await scheduler.dispatch() == 0
                    if scheduler.health.store_healthy:
                        break
                    await asyncio.sleep(0.05)
            finally:
                await alive.close()
    assert scheduler.health.store_healthy and scheduler.health.paused_reason is None
    lines = [
        (e["event"], e["log_level"])
        for e in logs
        if e["event"].startswith(("scheduler.", "store.unwritable", "store.recovered"))
    ]
    assert lines == [("store.unwritable", "error"), ("store.recovered", "info")]
