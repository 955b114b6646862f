"""The worker pool (monitor/workers.py): pure work in other processes, the loop left free,
dead workers replaced, the same results as inline."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.feed import FeedOptions, FeedSource
from monitor.contracts import OFFLOAD, HttpSettings, SourceCursor
from monitor.model import Item, Match
from monitor.net.client import Http
from monitor.workers import RuleOutcome, WorkPool, default_workers, evaluate_rules
from rules.keyword import KeywordOptions, KeywordRule
from tests.conftest import FeedServer

KEYWORD = KeywordOptions(id="kw", type="keyword", any=["met"])


def _pid_unless_first(marker: str) -> int:
    """The first call (no marker yet) writes its pid and hangs until killed; later calls
    return their pid at once."""
    path = Path(marker)
    if not path.exists():
        path.write_text(str(os.getpid()))
        time.sleep(120)
    return os.getpid()


def _rss(items: int, words: int) -> bytes:
    text = " ".join(["the ministers met in Delhi and discussed trade"] * (words // 8))
    entries = "".join(
        f"<item><guid>g{i}</guid><title>Story {i}</title>"
        f"<link>https://news.example/{i}</link><description>{text}</description></item>"
        for i in range(items)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    return f"{head}{entries}</channel></rss>".encode()


@pytest.fixture
async def http() -> AsyncIterator[Http]:
    async with Http(HttpSettings(allow_private_networks=True), retry_attempts=1) as client:
        yield client


async def test_a_killed_worker_is_replaced_and_its_job_retried(tmp_path: Path) -> None:
    """SIGKILL of the worker running a job: the pool is replaced, the job runs again on the
    new one and returns, and the pool keeps working."""
    pool = WorkPool(1, [])
    try:
        marker = tmp_path / "started"
        job = asyncio.ensure_future(pool.run(_pid_unless_first, str(marker)))
        for _ in range(600):
            if marker.exists() and marker.read_text():
                break
            await asyncio.sleep(0.05)
        victim = int(marker.read_text())
        os.kill(victim, signal.SIGKILL)
        survivor = await asyncio.wait_for(job, 60)
        assert survivor != victim
        assert pool.replaced == 1
        assert await pool.run(_pid_unless_first, str(marker)) in pool.pids()
    finally:
        await pool.close()


async def test_a_huge_feed_does_not_block_a_light_poll(feed_server: FeedServer, http: Http) -> None:
    """With two workers, a feed that takes long to parse occupies one: a small feed polled
    after it started is fetched, parsed (by the other) and done while the huge one is still
    parsing, and the event loop stayed free to do the small one's I/O meanwhile."""
    # 20,000 short items (~6 MB, under the body cap): seconds of parsing, a margin that a
    # loaded machine keeps
    huge = feed_server.serve("/huge.xml", _rss(20000, 32))
    light = feed_server.serve("/light.xml", _rss(2, 16))
    pool = WorkPool(2, [])
    token = OFFLOAD.set(pool.run)
    try:
        big = FeedSource(FeedOptions(id="huge", type="feed", url=huge))
        small = FeedSource(FeedOptions(id="light", type="feed", url=light))
        slow = asyncio.ensure_future(big.poll(http, SourceCursor()))
        for _ in range(500):  # until the huge body has been fetched (it then goes to a worker)
            if feed_server.requests_for("/huge.xml"):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
        quick = await small.poll(http, SourceCursor())
        assert [i.title for i in quick.items] == ["Story 0", "Story 1"]
        assert not slow.done()  # the loop served the light poll while the worker parsed
        assert len((await slow).items) == 1000  # a feed is capped at 1,000 items a poll
    finally:
        OFFLOAD.reset(token)
        await pool.close()


async def test_rules_in_a_worker_match_inline() -> None:
    """``evaluate`` in a worker returns what the same rules return inline."""
    items = [
        Item(id=f"i{n}", source_id="s", title=f"Leaders met {n}" if n % 2 else "Weather", text="")
        for n in range(6)
    ]
    pool = WorkPool(1, [KEYWORD])
    try:
        remote = await pool.evaluate(items)
    finally:
        await pool.close()
    inline = evaluate_rules([KeywordRule(KEYWORD)], items)

    def found(outcomes: list[RuleOutcome]) -> list[tuple[int, int, tuple[Match, ...]]]:
        return [(o.item, o.rule, o.matches) for o in outcomes]  # timings differ

    assert found(remote) == found(inline)
    assert [o.item for o in remote] == [1, 3, 5]


def test_default_leaves_the_event_loop_a_core() -> None:
    """One worker per usable core but the event loop's; none (inline) on a single core."""
    cores = len(os.sched_getaffinity(0))
    assert default_workers() == cores - 1


async def test_reconfigured_rules_apply_in_the_workers() -> None:
    """A reload's new rules reach the worker processes, which hold their own copies."""
    item = Item(id="1", source_id="s", title="Ministers met and held talks", text="")
    pool = WorkPool(1, [KEYWORD])
    try:
        before = await pool.evaluate([item])
        pool.reconfigure([KeywordOptions(id="kw2", type="keyword", any=["talks"])])
        after = await pool.evaluate([item])
    finally:
        await pool.close()
    assert [m.rule_id for o in before for m in o.matches] == ["kw"]
    assert [m.rule_id for o in after for m in o.matches] == ["kw2"]


def _double(x: int) -> int:
    return 2 * x


async def test_workers_that_cannot_start_leave_the_job_to_this_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """On a full disk the forkserver finds no temporary directory: the job still runs (here),
    it is not a failed poll."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    pool = WorkPool(1, [])
    try:
        assert await pool.run(_double, 21) == 42
    finally:
        monkeypatch.undo()
        await pool.close()


def test_what_crosses_the_pipes_pickles_by_position_and_comes_back_equal() -> None:
    """Items, matches (with their meeting and report) and outcomes survive the pickle
    round trip the pool makes, without ``dataclasses.fields`` per instance."""
    import pickle
    from datetime import UTC, datetime

    from adapters.feedtypes import ParsedFeed
    from monitor.model import Meeting

    item = Item(
        id="1", source_id="s", title="t", text="x", published_at=datetime(2025, 1, 2, tzinfo=UTC)
    )
    meeting = Meeting(parties=("FR", "IN"), status="held", evidence=("x",), confidence=0.9)
    match = Match(rule_id="r", item_key=item.key, kind="k", summary="s", meeting=meeting)
    parsed = ParsedFeed(title="f", lang=None, ttl_s=None, items=[item], entries=1)
    values = [item, match, RuleOutcome(0, 1, (match,)), parsed]
    for value in values:
        assert isinstance(value.__getstate__(), tuple)  # type: ignore[attr-defined]
        assert pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)) == value
