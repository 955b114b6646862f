"""Polling over a real loopback server with the real HTTP client and feed adapter:
conditional GET, backoff and recovery, Retry-After, broken sources, the scheduler's ticks."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.feed import FeedOptions, FeedSource
from monitor.contracts import HttpSettings
from monitor.delivery import DeliveryWorker
from monitor.net.client import Http
from monitor.pacing import Cadence
from monitor.pipeline import Pipeline
from monitor.poller import PolledSourceRuntime, Poller
from monitor.scheduler import Scheduler, fingerprint, plan_sources
from monitor.store.sqlite import SqliteStore
from rules.keyword import KeywordOptions, KeywordRule
from tests.conftest import FeedServer, Reply, captured_logs, rss


class Clock:
    """A settable clock for due-time arithmetic (the network stays real)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Rig:
    store: SqliteStore
    http: Http
    clock: Clock
    pipeline: Pipeline
    poller: Poller

    async def state_delay(self, source_id: str) -> float:
        state = await self.store.source_state(source_id)
        assert state.next_due_at is not None
        return (state.next_due_at - self.clock.now).total_seconds()


MakeRig = Callable[..., "asyncio.Future[Rig] | Any"]


@pytest.fixture
async def rig_factory(tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    opened: list[Rig] = []

    async def make(sources: dict[str, str], interval: float = 60.0, **http: Any) -> Rig:
        store = await SqliteStore.open(tmp_path / "state.db")
        http.setdefault("timeout", 5)
        client = Http(HttpSettings(allow_private_networks=True, **http), retry_attempts=1)
        clock = Clock()
        rule = KeywordRule(
            KeywordOptions(id="kw", type="keyword", any=["Jaishankar"], notify=["console"])
        )
        pipeline = Pipeline(
            store, [rule], notifiers=frozenset({"console"}), backfill_s=86400, clock=clock
        )
        runtimes = {}
        for sid, url in sources.items():
            options = FeedOptions(id=sid, type="feed", url=url, interval=interval)
            runtimes[sid] = PolledSourceRuntime(
                options,
                FeedSource.from_options(options),
                Cadence(interval, FeedSource.min_interval),
            )
        poller = Poller(store, client, pipeline, runtimes, clock=clock, rng=random.Random(7))
        rig = Rig(store, client, clock, pipeline, poller)
        opened.append(rig)
        return rig

    yield make
    for rig in opened:
        await rig.http.aclose()
        await rig.store.close()


async def test_conditional_get_sent_on_second_poll(
    feed_server: FeedServer, rig_factory: Callable[..., Any]
) -> None:
    """The second poll sends If-None-Match/If-Modified-Since; the 304 is not parsed."""
    url = feed_server.serve_fixture("/bbc.xml", "feeds/news/bbc_news_world_2022.rss.xml")
    rig = await rig_factory({"bbc": url})
    assert await rig.poller.poll("bbc")
    with captured_logs() as logs:
        assert await rig.poller.poll("bbc")
    first, second = feed_server.requests_for("/bbc.xml")
    assert "If-None-Match" not in first.headers
    route = feed_server.routes["/bbc.xml"]
    assert second.headers["If-None-Match"] == route.etag
    assert second.headers["If-Modified-Since"] == route.last_modified
    polled = [e for e in logs if e["event"] == "source.polled"]
    assert polled[0]["status"] == "304" and polled[0]["new"] == 0
    assert (await rig.store.source_state("bbc")).last_status == "304"


def test_the_success_path_names_every_field_of_the_source_state() -> None:
    """``Poller.poll`` builds a good poll's state with the constructor, not ``evolve``: a field
    added to ``SourceState`` must be added there too, or a poll would reset it."""
    import inspect

    from monitor import poller
    from monitor.store.base import SourceState

    source = inspect.getsource(poller.Poller.poll)
    call = source[source.index("next_state = SourceState(") :]
    call = call[: call.index("\n            )")]
    fields = {f.name for f in dataclasses.fields(SourceState)} - {"source_id"}
    assert {name for name in fields if f"{name}=" not in call} == set()


async def test_backoff_grows_then_resets_and_logs_transitions_once(
    feed_server: FeedServer, rig_factory: Callable[..., Any]
) -> None:
    """A source that 500s backs off more each time, then recovers to its interval; one
    source.failing and one source.recovered line, failures in between only at debug."""
    url = feed_server.serve("/flaky.xml", rss({"guid": 1, "title": "x"}))
    feed_server.script("/flaky.xml", *[Reply(status=500, body=b"oops")] * 4)
    rig = await rig_factory({"flaky": url}, interval=60.0)
    delays = []
    with captured_logs() as logs:
        for _ in range(4):
            assert not await rig.poller.poll("flaky")
            delays.append(await rig.state_delay("flaky"))
            rig.clock.advance(delays[-1])
        assert await rig.poller.poll("flaky")
        recovered_delay = await rig.state_delay("flaky")
    assert delays[0] == pytest.approx(60.0)
    assert 60.0 <= delays[1] <= 120.0 and 120.0 <= delays[2] <= 240.0 <= delays[3] <= 480.0
    assert delays == sorted(delays)
    assert 60.0 <= recovered_delay <= 66.0  # back to the interval (+ up to 10 % jitter)
    events = [e["event"] for e in logs]
    assert events.count("source.failing") == 1 and events.count("source.recovered") == 1
    failing = next(e for e in logs if e["event"] == "source.failing")
    assert failing["status"] == "error 500" and failing["log_level"] == "warning"
    recovered = next(e for e in logs if e["event"] == "source.recovered")
    assert recovered["failures"] == 4 and recovered["downtime_s"] == round(sum(delays))
    polled = [e for e in logs if e["event"] == "source.polled"]
    assert {e["log_level"] for e in polled} == {"debug"}  # per-poll lines are debug lines
    assert len([e for e in polled if "failures" in e]) == 3  # the failures between the two
    state = await rig.store.source_state("flaky")
    assert (state.failures, state.failing_since, state.last_error) == (0, None, None)


async def test_retry_after_is_honoured_and_survives_restart(
    feed_server: FeedServer, rig_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """A 429 with Retry-After: 3600 moves the next poll an hour out, and a restart keeps it."""
    url = feed_server.serve("/busy.xml", rss({"guid": 1, "title": "x"}))
    feed_server.script("/busy.xml", Reply(status=429, headers={"Retry-After": "3600"}))
    rig = await rig_factory({"busy": url}, interval=60.0)
    assert not await rig.poller.poll("busy")
    assert await rig.state_delay("busy") == pytest.approx(3600.0)
    await rig.store.close()

    store = await SqliteStore.open(tmp_path / "state.db")  # the daemon restarts
    try:
        options = rig.poller.sources["busy"].options
        later = rig.clock.now + timedelta(seconds=30)
        plans = plan_sources({"busy": (options, Cadence(60.0, 60.0))}, {}, later)
        await store.sync_sources(plans, later)
        assert await store.claim_due_sources(later + timedelta(minutes=5), 10, 60) == []
        due = await store.claim_due_sources(rig.clock.now + timedelta(seconds=3601), 10, 60)
        assert due == ["busy"]
    finally:
        await store.close()
        rig.store = await SqliteStore.open(tmp_path / "state.db")


BROKEN = {
    "server-error": Reply(status=503, body=b"down"),
    "not-a-feed": Reply(
        body=b"<!doctype html><html><body>Welcome</body></html>", content_type="text/html"
    ),
    "malformed": Reply(
        body=b"<?xml version='1.0'?>\n<rss><channel><title>cut</channel></rss",
        content_type="application/rss+xml",
    ),
    "oversized": Reply(body=b"<rss>" + b" " * 300_000 + b"</rss>"),
    "slow": Reply(delay_s=2.5),
}


async def test_one_broken_source_does_not_stop_the_others(
    feed_server: FeedServer, rig_factory: Callable[..., Any]
) -> None:
    """With a 503, an HTML page, malformed XML, an oversized body and a timeout among the
    sources, the good ones (one behind a redirect) are polled and alert; each broken one is
    logged once with its own id."""
    good = rss({"guid": "g1", "title": "Jaishankar meets Wang Yi"}, {"guid": "g2", "title": "x"})
    feed_server.serve("/good.xml", good)
    feed_server.serve("/moved-target.xml", rss({"guid": "m1", "title": "Jaishankar in Astana"}))
    feed_server.serve("/moved.xml", b"")
    feed_server.script(
        "/moved.xml", Reply(status=301, headers={"Location": feed_server.url("/moved-target.xml")})
    )
    urls = {"good": feed_server.url("/good.xml"), "moved": feed_server.url("/moved.xml")}
    for name, reply in BROKEN.items():
        urls[name] = feed_server.serve(f"/{name}.xml", good)
        feed_server.script(f"/{name}.xml", reply)
    rig = await rig_factory(urls, max_body=100_000, timeout=1)
    for sid in urls:  # earlier runs saw these sources: their new items alert
        await rig.store.save_source_state(
            (await rig.store.source_state(sid)).evolve(last_ok_at=rig.clock.now)
        )
    with captured_logs() as logs:
        results = await asyncio.gather(*(rig.poller.poll(sid) for sid in urls))
    ok = {sid for sid, r in zip(urls, results, strict=True) if r}
    assert ok == {"good", "moved"}
    failing = {e["source_id"]: e for e in logs if e["event"] == "source.failing"}
    assert set(failing) == set(BROKEN)
    assert failing["server-error"]["transient"] is True
    assert failing["not-a-feed"]["transient"] is False
    assert failing["oversized"]["status"].startswith(("ResponseTooLarge", "error"))
    assert "NetworkError" in failing["slow"]["reason"]
    titles = sorted(r.alert.report.title for r in await rig.store.outbox())
    assert titles == ["Jaishankar in Astana", "Jaishankar meets Wang Yi"]
    # Non-transient failures retry slowly (an hour, at most 32 intervals: 32 min here).
    assert await rig.state_delay("not-a-feed") == pytest.approx(32 * 60.0)


def test_startup_plan_staggers_sources() -> None:
    """First polls are spread over min(interval, a minute), not all at once."""
    now = datetime(2026, 3, 1, tzinfo=UTC)
    polled = {
        f"s{n}": (
            FeedOptions(id=f"s{n}", type="feed", url=f"https://x.invalid/{n}"),
            Cadence(600, 60),
        )
        for n in range(50)
    }
    plans = plan_sources(polled, {}, now, random.Random(1))
    offsets = sorted(
        (p.first_due_at - now).total_seconds() for p in plans.values() if p.first_due_at
    )
    assert len(offsets) == 50 and offsets[0] >= 0 and offsets[-1] <= 60
    assert offsets[-1] - offsets[0] > 40  # spread, not bunched
    assert len({round(o, 3) for o in offsets}) == 50


def test_fingerprint_ignores_interval_but_not_url() -> None:
    """Changing the interval keeps a source's state; changing its URL resets it."""
    a = FeedOptions(id="a", type="feed", url="https://x.invalid/a", interval=60)
    assert fingerprint(a) == fingerprint(a.model_copy(update={"interval": 600.0}))
    assert fingerprint(a) != fingerprint(a.model_copy(update={"url": "https://x.invalid/b"}))


def test_fingerprints_are_the_digests_earlier_versions_stored() -> None:
    """A source's fingerprint is byte for byte what earlier versions stored (non-ASCII kept,
    keys sorted): a different digest would reset every source's validators on upgrade."""
    a = FeedOptions(
        id="mea",
        type="feed",
        url="https://www.mea.gov.in/rss/press-releases.xml",
        interval=900,
        official=True,
        lang="hi",
    )
    b = FeedOptions(
        id="dw-hindi",
        type="feed",
        url="https://rss.dw.com/xml/rss-hin-all?q=भारत",
        label="DW हिंदी",
        country="IN",
    )
    assert fingerprint(a) == "74c0269f2a0ec8e73f0ece13"
    assert fingerprint(b) == "171253cf92d5ad351a29124c"


async def test_scheduler_dispatches_due_sources_and_drains_on_stop(
    feed_server: FeedServer, rig_factory: Callable[..., Any]
) -> None:
    """The ticker polls sources whose due time came (once each), and stop() waits for a poll
    in flight within the grace period."""
    feed_server.serve("/a.xml", rss({"guid": 1, "title": "a"}))
    feed_server.serve("/b.xml", rss({"guid": 1, "title": "b"}), delay_s=0.5)
    feed_server.serve("/later.xml", rss({"guid": 1, "title": "c"}))
    urls = {name: feed_server.url(f"/{name}.xml") for name in ("a", "b", "later")}
    rig = await rig_factory(urls)
    rig.poller.clock = lambda: datetime.now(UTC)
    now = datetime.now(UTC)
    plans = plan_sources(
        {sid: (r.options, r.cadence) for sid, r in rig.poller.sources.items()},
        {},
        now,
        spread_s=0,
    )
    plans["later"] = plans["later"].__class__(plans["later"].fingerprint, now + timedelta(hours=1))
    await rig.store.sync_sources(plans, now)
    delivery = DeliveryWorker(rig.store, {})
    scheduler = Scheduler(
        rig.store, rig.poller, delivery, concurrency=5, retention_s=86400, lease_s=60, tick_s=0.05
    )
    with captured_logs() as logs:
        scheduler.start()
        for _ in range(100):
            await asyncio.sleep(0.05)
            if {"a", "b"} <= scheduler.inflight or len(feed_server.requests) >= 2:
                break
        await scheduler.stop(grace_s=5)
    polled = sorted(e["source_id"] for e in logs if e["event"] == "source.polled")
    assert polled == ["a", "b"]  # b finished within the grace period; "later" is not due
    assert [r.path for r in feed_server.requests].count("/later.xml") == 0
    state = await rig.store.source_state("b")
    assert state.last_status == "200" and state.next_due_at is not None


async def test_a_poll_that_ends_claims_the_next_due_source_before_the_next_tick(
    feed_server: FeedServer, rig_factory: Callable[..., Any]
) -> None:
    """With more sources due than slots, each poll that ends starts the next one at once:
    six due sources on two slots are all polled long before a second tick."""
    urls = {}
    for i in range(6):
        feed_server.serve(f"/{i}.xml", rss({"guid": 1, "title": f"t{i}"}), delay_s=0.1)
        urls[f"s{i}"] = feed_server.url(f"/{i}.xml")
    rig = await rig_factory(urls)
    rig.poller.clock = lambda: datetime.now(UTC)
    now = datetime.now(UTC)
    runtimes = {sid: (r.options, r.cadence) for sid, r in rig.poller.sources.items()}
    await rig.store.sync_sources(plan_sources(runtimes, {}, now, spread_s=0), now)
    scheduler = Scheduler(
        rig.store,
        rig.poller,
        DeliveryWorker(rig.store, {}),
        concurrency=2,
        retention_s=86400,
        lease_s=60,
        tick_s=60,
        clock=lambda: datetime.now(UTC),
    )
    scheduler.start()
    try:
        for _ in range(100):
            await asyncio.sleep(0.05)
            if len(feed_server.requests) >= 6 and not scheduler.inflight:
                break
    finally:
        await scheduler.stop(grace_s=5)
    assert sorted(r.path for r in feed_server.requests) == [f"/{i}.xml" for i in range(6)]
    states = await rig.store.source_states()
    assert all(states[sid].last_status == "200" for sid in urls)
