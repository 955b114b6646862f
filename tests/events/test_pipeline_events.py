"""One alert per real meeting through the real pipeline and store: the 31-report scenario as
polled items (Pipeline.process_items), restarts, silences, quiet hours and the tick."""

from __future__ import annotations

import io
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from structlog.testing import capture_logs

from monitor.contracts import HttpSettings
from monitor.delivery import DeliveryWorker
from monitor.events.alerts import Announced, NotifierPolicy
from monitor.events.book import EventBook
from monitor.events.options import Silence
from monitor.events.record import EventRecord
from monitor.model import Item
from monitor.net.client import Http
from monitor.notifiers.console import ConsoleNotifier, ConsoleOptions
from monitor.pipeline import DecideContext, QueuedAlert, RoutedMatch
from monitor.poller import Poller
from monitor.scheduler import Scheduler
from monitor.store import Transaction
from rules.keyword import KeywordOptions, KeywordRule
from tests.events.desk import POLICIES, Desk, backlog, live, open_desk_at
from tests.events.factory import at, item
from tests.events.scenario import (
    CHRONO,
    MEETING_OF,
    NOTIFIERS,
    POLICY,
    RULE,
    scenario_rule,
    stream,
)

OpenDesk = Callable[..., Awaitable[Desk]]


@pytest.fixture
async def open_desk(store_url: str) -> AsyncIterator[OpenDesk]:
    """``await open_desk(**options)``: a desk on the test's store, closed at teardown."""
    opened: list[Desk] = []

    async def factory(**options: Any) -> Desk:
        desk = await open_desk_at(store_url, **options)
        opened.append(desk)
        return desk

    yield factory
    for desk in opened:
        await desk.close()


def reference(
    arrivals: Sequence[tuple[Item, datetime]], silences: Sequence[Silence] = ()
) -> EventBook:
    """The in-memory reference pipeline (monitor/events/book.py) over the same arrivals."""
    book = EventBook({"india-desk": RULE}, NOTIFIERS, silences, POLICY)
    matches = {it.id: m for it, m in stream()}
    for it, now in arrivals:
        book.flush_due(now)
        book.process(it, matches[it.id], now=now)
    return book


def partition(events: Sequence[EventRecord]) -> dict[frozenset[str], tuple[object, ...]]:
    """Events as sets of item ids with their derived state (no keys, no clock stamps)."""
    return {
        frozenset(r.ref.item_key.split(":")[1] for r in e.reports): (
            e.pair, e.status, frozenset(e.officials), e.place, e.date, frozenset(e.confirmed_by)
        )
        for e in events
    }  # fmt: skip


async def test_the_scenario_through_the_pipeline_gives_three_alerts_and_the_right_updates(
    open_desk: OpenDesk,
) -> None:
    """31 polled reports of three meetings -> three events, three new alerts per notifier,
    one confirmation each where updates are on, and exactly what the reference decides."""
    desk = await open_desk()
    arrivals = live(CHRONO)
    for it, now in arrivals:
        await desk.feed(it, now)

    events = await desk.store.events()
    by_meeting = {MEETING_OF[e.reports[0].ref.item_key.split(":")[1]]: e for e in events}
    assert sorted(by_meeting) == ["A", "B", "C"] and len(events) == 3
    for meeting, event in by_meeting.items():
        assert {MEETING_OF[r.ref.item_key.split(":")[1]] for r in event.reports} == {meeting}
    a = by_meeting["A"]
    assert (a.key, a.report_count, a.status, a.place) == ("CN-IN@2025-07-03", 14, "held", "Astana")
    assert a.confirmed_by == ("MEA", "@DrSJaishankar", "MFA China")

    for name in ("desk-slack", "desk-mail"):
        kinds = await desk.kinds(name)
        assert kinds["new"] == 3 and kinds["confirmed"] == 3, kinds
        updates = [
            x for x in (await desk.alerts()).values() if x.notifier == name and x.kind == "update"
        ]
        assert sum("now held" in x.headline for x in updates) == 1
    assert await desk.kinds("partner-hook") == Counter({"new": 3})

    alerts = await desk.alerts()
    parents = {x.id for x in alerts.values() if x.kind == "new"}
    assert all(x.parent_id in parents for x in alerts.values() if x.kind != "new")

    book = reference(arrivals)
    assert {k: x.to_json() for k, x in alerts.items()} == {
        k: q.alert.to_json() for k, q in book.outbox.items()
    }
    assert {e.key: e for e in events} == book.events

    desk.clock.now = at(24 * 30)  # the folded remainder goes out in the end
    await desk.pipeline.flush_due()
    async with desk.store.transaction() as tx:
        for event in events:
            for name, thread in (await tx.event_threads(event.key)).items():
                if name != "partner-hook":
                    assert thread.announced == Announced.of(event) and thread.flush_at is None


@pytest.mark.parametrize("seed", [3, 7])
async def test_out_of_order_arrival_gives_the_same_events(open_desk: OpenDesk, seed: int) -> None:
    """Shuffled arrival gives the same reports per event and state, and three new alerts."""
    order = stream()
    random.Random(seed).shuffle(order)
    desk = await open_desk(backfill_s=30 * 86400)  # a late backlog, still worth alerting
    for it, now in backlog(order):
        await desk.feed(it, now)
    expected = partition(list(reference(live(CHRONO)).events.values()))
    assert partition(await desk.store.events()) == expected
    for name in POLICIES:
        assert (await desk.kinds(name))["new"] == 3


async def test_a_restart_in_the_middle_changes_nothing(open_desk: OpenDesk) -> None:
    """Closing the store halfway and continuing with a fresh pipeline gives the same events
    and outbox as one uninterrupted run; feeding everything again then adds nothing."""
    arrivals = live(CHRONO)
    desk = await open_desk()
    for it, now in arrivals[:15]:
        await desk.feed(it, now)
    await desk.close()

    desk = await open_desk()
    for it, now in arrivals[15:]:
        await desk.feed(it, now)
    book = reference(arrivals)
    alerts = await desk.alerts()
    assert {k: x.to_json() for k, x in alerts.items()} == {
        k: q.alert.to_json() for k, q in book.outbox.items()
    }
    assert {e.key: e for e in await desk.store.events()} == book.events

    desk.clock.now = at(24 * 30)  # the remaining folded updates go out ...
    await desk.pipeline.flush_due()
    alerts = await desk.alerts()
    for it, now in arrivals:  # ... and nothing more, whatever arrives again
        await desk.feed(it, now + timedelta(days=31))
    assert (await desk.alerts()).keys() == alerts.keys()


async def test_a_decision_repeated_is_a_no_op(open_desk: OpenDesk) -> None:
    """Deciding the same match twice (a crash after commit, a re-run) changes nothing."""
    desk = await open_desk()
    rule = scenario_rule()
    it, m = next((i, x) for i, x in CHRONO if i.id == "a03")
    routed = [RoutedMatch(m, it, rule.options)]
    ctx = DecideContext(at(60), frozenset(POLICIES))
    decide = desk.pipeline.decide
    async with desk.store.transaction() as tx:
        first = await tx.add_alerts([q.alert for q in await decide(tx, routed, ctx)])
    with capture_logs() as logs:
        async with desk.store.transaction() as tx:
            again = await decide(tx, routed, ctx)
            assert await tx.add_alerts([q.alert for q in again]) == []
    assert len(first) == 3 and again == []
    assert {e["outcome"] for e in logs if e["event"] == "alert.decided"} == {"duplicate"}
    (event,) = await desk.store.events()
    assert event.report_count == 1


async def test_nothing_is_kept_when_the_poll_fails_after_deciding(open_desk: OpenDesk) -> None:
    """Events, threads, alerts and the cursor commit together: a failure keeps none of them,
    and the retry decides the same alerts."""
    desk = await open_desk()
    inner = desk.pipeline.decide
    calls = 0

    async def failing(
        tx: Transaction, matches: Sequence[RoutedMatch], ctx: DecideContext
    ) -> list[QueuedAlert]:
        nonlocal calls
        calls += 1
        decided = await inner(tx, matches, ctx)
        if calls == 1:
            raise OSError("disk full")
        return decided

    desk.pipeline.decide = failing
    it = CHRONO[0][0]
    with pytest.raises(OSError):
        await desk.feed(it, at(3))
    assert await desk.store.events() == [] and await desk.alerts() == {}
    assert (await desk.store.source_state(it.source_id)).cursor.cursor is None
    async with desk.store.transaction() as tx:
        assert await tx.due_threads(at(1000), 10) == []
    await desk.feed(it, at(3))
    assert len(await desk.store.events()) == 1 and len(await desk.alerts()) == 3


async def test_a_silenced_pair_sends_nothing_and_logs_why(open_desk: OpenDesk) -> None:
    """Silencing IN-CN: meetings A and C queue nothing, each decision logs the silence;
    IN-RU still alerts, and every event is still learned."""
    silence = Silence(pair="IN-CN", reason="embargoed coverage")
    desk = await open_desk(silences=[silence])
    with capture_logs() as logs:
        for it, now in live(CHRONO):
            await desk.feed(it, now)
    alerts = await desk.alerts()
    assert {x.event_key for x in alerts.values()} == {"IN-RU@2025-07-02"}
    decided = [
        e for e in logs if e["event"] == "alert.decided" and e["event_key"].startswith("CN-IN")
    ]
    assert decided and {e["outcome"] for e in decided} == {"silenced"}
    assert {e["reason"] for e in decided} == {"silence pair=CN-IN (embargoed coverage)"}
    assert len(await desk.store.events()) == 3


async def test_quiet_hours_hold_then_the_tick_releases(open_desk: OpenDesk) -> None:
    """At 23:00 in quiet hours 22:00-07:00 the alert is held (not dropped), a second report
    is folded; the delivery worker sends nothing until 07:00; the tick after the rule's
    realert window (6h after the release) queues the folded update; both arrive in order."""
    options = ConsoleOptions(type="console", quiet_hours="22:00-07:00", timezone="UTC")
    policies = {"desk": NotifierPolicy.of("desk", options)}
    desk = await open_desk(rule=scenario_rule(notify=("desk",)), policies=policies)
    out = io.StringIO()
    worker = DeliveryWorker(
        desk.store,
        {"desk": (ConsoleNotifier("desk", options, stream=out), options)},
        clock=desk.clock,
    )
    # c01 and c04 report meeting C "today"; published at 23:00 and 23:30 UTC on July 1.
    first, second = (item(i, "wire", hours=h, text=t) for i, h, t in (
        ("c01", 17, "Rajnath Singh met Dong Jun in Qingdao today."),
        ("c04", 17.5, "राजनाथ सिंह ने आज डोंग जुन से मुलाकात की।"),
    ))  # fmt: skip
    async with Http(HttpSettings()) as http:
        scheduler = Scheduler(
            desk.store,
            Poller(desk.store, http, desk.pipeline, {}),
            worker,
            concurrency=1,
            retention_s=86400 * 30,
            lease_s=60,
            clock=desk.clock,
            flush=desk.pipeline.flush_due,
        )

        async def tick(hours: float) -> None:
            desk.clock.now = at(hours)
            await scheduler.sweep()

        with capture_logs() as logs:
            await desk.feed(first, at(17.05))
            await desk.feed(second, at(17.55))
        outcomes = [(e["item_key"], e["outcome"]) for e in logs if e["event"] == "alert.decided"]
        assert outcomes == [("wire:c01", "held"), ("wire:c04", "folded")]
        (row,) = await desk.store.outbox()
        assert row.alert.kind == "new" and row.next_attempt_at == at(25)  # 07:00 on July 2
        assert (await worker.drain(0.2)).pending == 1 and out.getvalue() == ""

        await tick(24.9)
        assert len(await desk.store.outbox()) == 1
        await tick(25.1)
        report = await worker.drain(0.5)
        assert (report.sent, report.pending) == (1, 0)
        await tick(30.9)
        assert len(await desk.store.outbox()) == 1  # the update waits for realert (6h)

        await tick(31.1)
        report = await worker.drain(0.5)
        assert (report.sent, report.pending) == (1, 0)
    sent = await desk.store.outbox(state="sent")
    assert [r.alert.kind for r in sent] == ["new", "update"]
    assert (
        sent[1].alert.headline == "IN–CN: +1 report" and sent[1].alert.parent_id == sent[0].alert.id
    )
    assert out.getvalue().index("Rajnath Singh") < out.getvalue().index("+1 report")


async def test_backfilled_reports_teach_the_event_without_alerting(open_desk: OpenDesk) -> None:
    """Old reports cluster silently; the first fresh report alerts once, counting them."""
    desk = await open_desk(backfill_s=3600)
    old = [it for it, _ in CHRONO if it.id in {"a01", "a02", "a03"}]
    for it in old:
        await desk.feed(it, at(53))  # over an hour after they were published: backfill
    assert await desk.alerts() == {}
    assert (await desk.store.events())[0].report_count == 3
    fresh = next(it for it, _ in CHRONO if it.id == "a04")
    await desk.feed(fresh, fresh.published_at + timedelta(minutes=2))  # type: ignore[operator]
    alerts = list((await desk.alerts()).values())
    assert sorted(x.notifier for x in alerts) == sorted(POLICIES)
    assert {(x.kind, x.report_count, x.confirmed_by) for x in alerts} == {("new", 4, ("MEA",))}


async def test_a_rule_statuses_filter_skips_without_dropping_the_match(open_desk: OpenDesk) -> None:
    """A held-only rule records the "will meet" report (skipped, logged) and alerts when the
    meeting is reported held; the alert counts both reports."""
    desk = await open_desk(rule=scenario_rule(statuses=["held"]))
    announced, held = (next(it for it, _ in CHRONO if it.id == i) for i in ("a01", "a03"))
    with capture_logs() as logs:
        await desk.feed(announced, at(3))
    assert await desk.alerts() == {}
    reasons = {e["reason"] for e in logs if e["event"] == "alert.decided"}
    assert reasons == {"rule india-desk does not alert on scheduled"}
    await desk.feed(held, at(58))
    alerts = list((await desk.alerts()).values())
    assert {(x.kind, x.report_count) for x in alerts} == {("new", 2)} and len(alerts) == 3


async def test_keyword_matches_are_one_event_each(open_desk: OpenDesk) -> None:
    """The keyword rule still alerts once per matching item: each match is its own event."""
    rule = KeywordRule(
        KeywordOptions(id="kw", type="keyword", any=["Jaishankar", "जयशंकर"], notify=["desk"])
    )
    desk = await open_desk(rule=rule, policies={"desk": NotifierPolicy("desk", "console")})
    texts = [
        "Jaishankar met Wang Yi.",
        "जयशंकर ने मुलाकात की।",
        "Lavrov met Wang Yi.",
        "Jaishankar spoke.",
    ]
    for n, text in enumerate(texts):
        await desk.feed(item(f"k{n}", "wire", hours=n, text=text), at(n + 0.1))
    alerts = list((await desk.alerts()).values())
    assert sorted(x.report.item_key for x in alerts) == ["wire:k0", "wire:k1", "wire:k3"]
    assert all(x.kind == "new" and x.event_key.startswith("match:") for x in alerts)
    events: list[Any] = await desk.store.events(kind="keyword")
    assert len(events) == 3 and all(e.report_count == 1 for e in events)
