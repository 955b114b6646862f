"""One worker job per fetched feed (monitor/feedjob.py): parse and rules together, only the
items not known seen sent back whole; the transaction still decides what is new."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from adapters.feed import FeedOptions, FeedSource
from monitor.contracts import HttpSettings
from monitor.model import Item
from monitor.net.client import Http
from monitor.pacing import Cadence
from monitor.pipeline import Pipeline
from monitor.pipeline.feedjob import FeedJob, feed_job, key_digest
from monitor.poller import PolledSourceRuntime, Poller
from monitor.runtime import Runtime, sync_schedule
from monitor.store.sqlite import SqliteStore
from monitor.workers import WorkPool
from rules.keyword import KeywordOptions, KeywordRule
from tests.conftest import FeedServer, rss

KEYWORD = KeywordOptions(id="kw", type="keyword", any=["Jaishankar"], notify=["console"])
NOW = datetime.now(UTC).replace(microsecond=0)


def entry(n: int, title: str) -> dict[str, Any]:
    return {
        "guid": f"g{n}",
        "title": title,
        "description": f"Story {n}.",
        "link": f"https://news.invalid/{n}",
        "published": NOW - timedelta(minutes=n),
    }


@dataclass(frozen=True)
class Parsed:
    items: list[Item]
    ttl_s: float | None = 600.0
    entries: int = 0
    notes: tuple[str, ...] = ()


def parsed_of(items: list[Item]) -> Callable[[], Parsed]:
    return lambda: Parsed(items, entries=len(items))


def test_the_job_sends_back_whole_only_the_items_its_hint_does_not_know() -> None:
    """Known keys come back as key, source and date; repeated ids count once (the first);
    the source's country fills items without one; the rules see only the others."""
    items = [
        Item(id="a", source_id="s", title="Jaishankar meets Wang Yi", text=""),
        Item(id="b", source_id="s", title="Jaishankar in Paris", text="", country="FR"),
        Item(id="a", source_id="s", title="a repeated id", text=""),
        Item(id="c", source_id="s", title="Weather", text="", published_at=NOW),
    ]
    job = feed_job([KeywordRule(KEYWORD)], parsed_of(items), key_digest("s:c"), "IN")
    assert [i.id for i in job.fresh] == ["a", "b"]
    assert [i.country for i in job.fresh] == ["IN", "FR"]
    assert job.fresh[0].title == "Jaishankar meets Wang Yi"
    assert [(k.key, k.source_id, k.published_at) for k in job.known] == [("s:c", "s", NOW)]
    assert sorted(o.item for o in job.outcomes if o.matches) == [0, 1]
    assert job.digests == key_digest("s:a") + key_digest("s:b") + key_digest("s:c")
    assert (job.ttl_s, job.entries) == (600.0, 4)


def test_digests_are_stable_across_processes() -> None:
    """``known`` crosses into other processes: the digest is not Python's salted ``hash``."""
    assert key_digest("src:item-1").hex() == "a072428270860fb1"


@dataclass
class Rig:
    store: SqliteStore
    pipeline: Pipeline
    poller: Poller
    jobs: list[FeedJob]


@pytest.fixture
async def rigs(tmp_path: Path, feed_server: FeedServer) -> AsyncIterator[Callable[..., Any]]:
    """``make()``: a poller with one worker over one feed ``/f.xml`` on the same state file
    each time (a second ``make()`` is a restart: no hints)."""
    opened: list[tuple[Rig, Http, WorkPool]] = []

    async def make() -> Rig:
        store = await SqliteStore.open(tmp_path / "state.db")
        http = Http(HttpSettings(allow_private_networks=True, timeout=5), retry_attempts=1)
        pool = WorkPool(1, [KEYWORD])
        pipeline = Pipeline(
            store,
            [KeywordRule(KEYWORD)],
            notifiers=frozenset({"console"}),
            backfill_s=86400,
            pool=pool,
        )
        jobs: list[FeedJob] = []
        run_job = pipeline.feed_job

        async def recorded(*args: Any, **kwargs: Any) -> FeedJob:
            job = await run_job(*args, **kwargs)
            jobs.append(job)
            return job

        pipeline.feed_job = recorded  # type: ignore[method-assign]
        options = FeedOptions(id="f", type="feed", url=feed_server.url("/f.xml"), country="IN")
        runtime = PolledSourceRuntime(options, FeedSource(options), Cadence(60, 60))
        poller = Poller(store, http, pipeline, {"f": runtime}, rng=random.Random(3))
        rig = Rig(store, pipeline, poller, jobs)
        opened.append((rig, http, pool))
        return rig

    yield make
    for rig, http, pool in opened:
        await pool.close()
        await http.aclose()
        await rig.store.close()


def seen_rows(path: Path) -> dict[str, float]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT item_key, last_seen FROM seen").fetchall())
    finally:
        db.close()


async def test_a_changed_feed_sends_back_only_its_new_item_and_alerts_once(
    tmp_path: Path, feed_server: FeedServer, rigs: Callable[..., Any]
) -> None:
    old = [entry(1, "Jaishankar meets Wang Yi"), entry(2, "Weather"), entry(3, "Markets")]
    feed_server.serve("/f.xml", rss(*old))
    rig = await rigs()
    assert await rig.poller.poll("f")
    assert len(rig.jobs[0].fresh) == 3 and rig.jobs[0].known == []
    assert await rig.store.outbox_counts() == {("console", "pending"): 1}
    before = seen_rows(tmp_path / "state.db")

    feed_server.serve("/f.xml", rss(entry(0, "Jaishankar meets Blinken"), *old))
    assert await rig.poller.poll("f")
    second = rig.jobs[1]
    assert [i.id for i in second.fresh] == ["g0"] and second.fresh[0].country == "IN"
    assert sorted(k.key for k in second.known) == ["f:g1", "f:g2", "f:g3"]
    assert await rig.store.outbox_counts() == {("console", "pending"): 2}
    after = seen_rows(tmp_path / "state.db")
    assert set(after) == {"f:g0", "f:g1", "f:g2", "f:g3"}
    # Items still in the feed had their retention refreshed, though they stayed in the worker.
    assert all(after[key] >= before[key] for key in before)
    state = await rig.store.source_state("f")
    assert state.last_status == "200" and state.failures == 0


async def test_after_a_restart_the_store_still_decides_what_is_new(
    feed_server: FeedServer, rigs: Callable[..., Any]
) -> None:
    """No hint after a restart: the job sends every item, the transaction drops those the
    store has seen, and nothing alerts twice."""
    old = [entry(1, "Jaishankar meets Wang Yi"), entry(2, "Weather")]
    feed_server.serve("/f.xml", rss(*old))
    first = await rigs()
    assert await first.poller.poll("f")
    await first.store.close()

    feed_server.serve("/f.xml", rss(entry(0, "Markets"), *old))
    restarted = await rigs()
    assert await restarted.poller.poll("f")
    assert [i.id for i in restarted.jobs[0].fresh] == ["g0", "g1", "g2"]
    assert await restarted.store.outbox_counts() == {("console", "pending"): 1}


async def test_a_feed_the_job_cannot_parse_fails_the_poll(
    feed_server: FeedServer, rigs: Callable[..., Any]
) -> None:
    feed_server.serve("/f.xml", b"<html><body>not a feed</body></html>")
    rig = await rigs()
    assert not await rig.poller.poll("f")
    state = await rig.store.source_state("f")
    assert state.failures == 1 and state.last_error and "FeedError" in state.last_error
    assert rig.jobs == []


async def test_a_source_no_longer_configured_loses_its_hint(
    feed_server: FeedServer, rigs: Callable[..., Any]
) -> None:
    """The schedule's sync (start, reload) names the configured sources: the digests of the
    others are dropped, and a poll of a removed source that commits afterwards (it was in
    flight through the reload) does not store them again."""
    old = [entry(1, "Jaishankar meets Wang Yi"), entry(2, "Weather")]
    feed_server.serve("/f.xml", rss(*old))
    rig = await rigs()
    assert await rig.poller.poll("f")
    rt = SimpleNamespace(
        settings=SimpleNamespace(monitor=SimpleNamespace(startup_spread=0.0)),
        polled={"f": rig.poller.sources["f"]},
        pushed={},
        store=rig.store,
        pipeline=rig.pipeline,
    )
    await sync_schedule(cast(Runtime, rt), spread=False)
    feed_server.serve("/f.xml", rss(entry(3, "Markets"), *old))  # changed: no 304
    assert await rig.poller.poll("f")
    assert sorted(k.key for k in rig.jobs[1].known) == ["f:g1", "f:g2"]  # kept: configured

    rt.polled = {}
    await sync_schedule(cast(Runtime, rt), spread=False)
    assert "f" not in rig.pipeline._known
    feed_server.serve("/f.xml", rss(entry(4, "Sport"), *old))
    assert await rig.poller.poll("f")  # in flight through the reload, commits after it
    assert "f" not in rig.pipeline._known
    assert [i.id for i in rig.jobs[2].fresh] == ["g4", "g1", "g2"] and rig.jobs[2].known == []
    assert await rig.store.outbox_counts() == {("console", "pending"): 1}  # no second alert
