"""A small feed's job on the event loop (``InlineBudget``, ``Pipeline.feed_job``): only when
the document is small and known small, the pool idle, every rule cheap on the loop, and the
loop's inline share not spent; anything else goes to a worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from monitor.model import Item
from monitor.pipeline import Pipeline
from monitor.pipeline.feedjob import INLINE_BYTES, FeedJob, InlineBudget
from monitor.store.sqlite import SqliteStore
from monitor.workers import WorkPool
from rules.base import Rule
from rules.keyword import KeywordOptions, KeywordRule

KEYWORD = KeywordOptions(id="kw", type="keyword", any=["talks"], notify=["console"])


@dataclass(frozen=True)
class Parsed:
    items: list[Item]
    ttl_s: float | None = None
    entries: int = 1
    notes: tuple[str, ...] = ()


def parse() -> Parsed:
    item = Item(id="a", source_id="s", title="talks held", text="", published_at=datetime.now(UTC))
    return Parsed([item])


@dataclass
class FakePool:
    idle: bool = True
    jobs: list[Any] = field(default_factory=list)

    async def with_rules(self, fn: Any, *args: Any) -> FeedJob:
        self.jobs.append(args)
        job: FeedJob = fn([KeywordRule(KEYWORD)], *args)
        return job


class Detector(KeywordRule):
    inline_ok = False  # as a rule that loads its data on its first item


def test_the_budget_is_a_share_of_each_second_banked_up_to_that_share() -> None:
    now = [0.0]
    budget = InlineBudget(0.02, clock=lambda: now[0])
    assert budget.allows()
    budget.spend(0.03)  # one job over the share: none until it is earned back
    assert not budget.allows()
    now[0] = 0.4
    assert not budget.allows()  # -0.01 + 0.008
    now[0] = 1.0
    assert budget.allows()
    now[0] = 100.0
    budget.allows()
    budget.spend(0.021)  # a long idle spell banks one share, not more
    assert not budget.allows()


@pytest.mark.parametrize(
    ("size", "idle", "rule", "inline"),
    [
        (2_000, True, KeywordRule, True),
        (0, True, KeywordRule, False),  # size unknown
        (INLINE_BYTES + 1, True, KeywordRule, False),
        (2_000, False, KeywordRule, False),  # a worker is busy: a cold pass
        (2_000, True, Detector, False),
    ],
)
async def test_a_small_feed_runs_inline_only_when_everything_allows_it(
    tmp_path: Path, size: int, idle: bool, rule: type[KeywordRule], inline: bool
) -> None:
    store = await SqliteStore.open(tmp_path / "state.db")
    try:
        pool = FakePool(idle=idle)
        pipeline = Pipeline(
            store,
            [cast(Rule, rule(KEYWORD))],
            notifiers=frozenset({"console"}),
            backfill_s=86400,
            pool=cast(WorkPool, pool),
        )
        job = await pipeline.feed_job("s", parse, country=None, first_poll=True, size=size)
        assert [i.id for i in job.fresh] == ["a"] and len(job.outcomes) == 1
        assert (pool.jobs == []) is inline
    finally:
        await store.close()


async def test_a_spent_budget_sends_the_next_jobs_to_the_pool(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "state.db")
    try:
        pool = FakePool()
        pipeline = Pipeline(
            store,
            [KeywordRule(KEYWORD)],
            notifiers=frozenset({"console"}),
            backfill_s=86400,
            pool=cast(WorkPool, pool),
        )
        pipeline._inline.spend(1.0)
        await pipeline.feed_job("s", parse, country=None, first_poll=True, size=2_000)
        assert len(pool.jobs) == 1
    finally:
        await store.close()
