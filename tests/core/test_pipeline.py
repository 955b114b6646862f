"""The pipeline on a real store: backfill, restarts, broken rules, and the decide() hook."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from structlog.testing import capture_logs

from monitor.contracts import SourceCursor
from monitor.model import Item, Match
from monitor.pipeline import DecideContext, Pipeline, QueuedAlert, RoutedMatch
from monitor.pipeline.decide import EventDecide
from monitor.store import SourceState, Transaction
from monitor.store.sqlite import SqliteStore
from rules.base import RuleOptions
from rules.keyword import KeywordOptions, KeywordRule

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def kw(notify: Sequence[str] = ("console",), **options: Any) -> KeywordRule:
    options.setdefault("any", ["Jaishankar"])
    return KeywordRule(KeywordOptions(id="kw", type="keyword", notify=list(notify), **options))


def news(
    n: int, age: timedelta | None = timedelta(minutes=30), text: str = "Jaishankar met"
) -> Item:
    published = NOW - age if age is not None else None
    return Item(id=f"n{n}", source_id="feed", title=f"story {n}", text=text, published_at=published)


async def open_pipeline(path: Path, *rules: Any, **kwargs: Any) -> tuple[SqliteStore, Pipeline]:
    store = await SqliteStore.open(path)
    pipeline = Pipeline(
        store,
        list(rules) or [kw()],
        notifiers=frozenset({"console"}),
        backfill_s=86400,
        clock=lambda: NOW,
        **kwargs,
    )
    return store, pipeline


async def process(pipeline: Pipeline, items: list[Item], etag: str = '"1"') -> Any:
    state = await pipeline.store.source_state("feed")
    first = state.last_ok_at is None
    next_state = state.evolve(cursor=SourceCursor(etag=etag), last_ok_at=NOW)
    return await pipeline.process(next_state, items, first_poll=first)


async def test_first_run_does_not_flood(tmp_path: Path) -> None:
    """First poll: recent items alert; old and undated items are only marked seen."""
    store, pipeline = await open_pipeline(tmp_path / "s.db")
    items = [
        news(1),
        news(2, age=timedelta(days=3)),
        news(3, age=timedelta(days=400)),
        news(4, age=None),
    ]
    items += [news(10 + n, age=timedelta(days=2 + n)) for n in range(50)]
    outcome = await process(pipeline, items)
    assert (outcome.new, outcome.matched, len(outcome.alerts)) == (54, 54, 1)
    rows = await store.outbox()
    assert [r.alert.report.item_key for r in rows] == ["feed:n1"]
    # Later polls: an undated new item alerts (it is new now), an old one still does not.
    outcome = await process(pipeline, [*items, news(5, age=None), news(6, age=timedelta(days=9))])
    assert (outcome.new, len(outcome.alerts)) == (2, 1)
    assert (await store.outbox())[-1].alert.report.item_key == "feed:n5"
    await store.close()


async def test_restart_realerts_nothing_and_misses_nothing(tmp_path: Path) -> None:
    """After a restart the same items alert nothing; a new one alerts once."""
    db = tmp_path / "s.db"
    store, pipeline = await open_pipeline(db)
    await process(pipeline, [news(0, age=None)])  # first poll (baseline)
    await process(pipeline, [news(1), news(2)])
    await store.close()

    store, pipeline = await open_pipeline(db)  # "restart"
    outcome = await process(pipeline, [news(1), news(2), news(3)])
    assert (outcome.new, len(outcome.alerts)) == (1, 1)
    keys = [r.alert.report.item_key for r in await store.outbox()]
    assert keys == ["feed:n1", "feed:n2", "feed:n3"]
    await store.close()


async def test_crash_during_processing_commits_nothing_then_recovers(tmp_path: Path) -> None:
    """If deciding fails mid-poll nothing is kept (not even the cursor); the retry alerts."""
    calls = 0
    decide = EventDecide(rules=[kw().options])

    async def flaky_decide(
        tx: Transaction, matches: Sequence[RoutedMatch], ctx: DecideContext
    ) -> list[QueuedAlert]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("disk full")
        return await decide(tx, matches, ctx)

    store, pipeline = await open_pipeline(tmp_path / "s.db", decide=flaky_decide)
    await store.save_source_state(SourceState("feed", last_ok_at=NOW - timedelta(hours=1)))
    with pytest.raises(OSError):
        await process(pipeline, [news(1)], etag='"2"')
    state = await store.source_state("feed")
    assert state.cursor.etag is None and await store.outbox() == []
    outcome = await process(pipeline, [news(1)], etag='"2"')
    assert len(outcome.alerts) == 1 and (await store.source_state("feed")).cursor.etag == '"2"'
    await store.close()


class Exploding:
    """A rule with a bug: raises on every item."""

    type_name: ClassVar[str] = "exploding"
    Options: ClassVar[type[RuleOptions]] = RuleOptions

    def __init__(self) -> None:
        self.options = RuleOptions(id="boom", type="exploding", notify=["console"])

    def warm(self) -> None:
        return None

    def evaluate(self, item: Item) -> list[Match]:
        raise ZeroDivisionError("bug in a rule")


async def test_a_raising_rule_does_not_stop_the_poll(tmp_path: Path) -> None:
    """A rule that raises is logged with its id and the item key; other rules still run."""
    store, pipeline = await open_pipeline(tmp_path / "s.db", Exploding(), kw())
    await store.save_source_state(SourceState("feed", last_ok_at=NOW - timedelta(hours=1)))
    with capture_logs() as logs:
        outcome = await process(pipeline, [news(1)])
    assert len(outcome.alerts) == 1
    failed = [e for e in logs if e["event"] == "rule.failed"]
    assert failed and failed[0]["rule_id"] == "boom" and failed[0]["item_key"] == "feed:n1"
    await store.close()


async def test_rule_filters_and_routing(tmp_path: Path) -> None:
    """Rules only see items their filters accept; alerts go to enabled notifiers only."""
    hindi_only = kw(notify=("console", "slack"), languages=["hi"])
    store, pipeline = await open_pipeline(tmp_path / "s.db", hindi_only)
    await store.save_source_state(SourceState("feed", last_ok_at=NOW - timedelta(hours=1)))
    en = news(1)
    hi = Item(
        id="h1", source_id="feed", title="खबर", text="Jaishankar", lang="hi", published_at=NOW
    )
    outcome = await process(pipeline, [en, hi])
    assert outcome.matched == 1
    rows = await store.outbox()
    assert [(r.notifier, r.alert.report.item_key) for r in rows] == [("console", "feed:h1")]
    await store.close()


async def test_push_batches_persist_their_cursor(tmp_path: Path) -> None:
    """process_items (push sources) commits the batch together with the stream cursor."""
    store, pipeline = await open_pipeline(tmp_path / "s.db")
    await pipeline.process_items("feed", [news(1)], SourceCursor(cursor="1700000000000001"))
    await pipeline.process_items("feed", [news(2)], SourceCursor(cursor="1700000000000002"))
    state = await store.source_state("feed")
    assert state.cursor.cursor == "1700000000000002" and state.next_due_at is None
    # The first batch of a new stream is its "first poll": recent items still alert.
    assert [r.alert.report.item_key for r in await store.outbox()] == ["feed:n1", "feed:n2"]
    await store.close()


async def test_duplicate_entries_in_one_poll_count_once(tmp_path: Path) -> None:
    """A feed listing one guid twice yields one new item and one alert."""
    store, pipeline = await open_pipeline(tmp_path / "s.db")
    await store.save_source_state(SourceState("feed", last_ok_at=NOW - timedelta(hours=1)))
    outcome = await process(pipeline, [news(1), news(1)])
    assert (outcome.fetched, outcome.new, len(outcome.alerts)) == (2, 1, 1)
    await store.close()
