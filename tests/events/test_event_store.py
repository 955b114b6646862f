"""Events, reports and alert threads in the store (through the Store/Transaction interface)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from monitor.events.cluster import candidate_query, cluster
from monitor.events.record import EventDecision
from monitor.events.threads import Announced, Thread
from monitor.model import Alert, Item, Match, ReportRef
from monitor.store import Store, open_store
from tests.events.factory import T0, at, item, report

D = date(2025, 7, 3)
JW = ("S. Jaishankar", "Wang Yi")


async def file(store: Store, *reports: tuple[object, ...], hours: float = 0) -> EventDecision:
    """Cluster reports one by one against the store's candidates, saving each decision."""
    decision: EventDecision | None = None
    for i, (m, ref, when) in enumerate(reports):
        async with store.transaction() as tx:
            found = await tx.event_candidates(candidate_query(m, ref, when))  # type: ignore[arg-type]
            decision = cluster(m, ref, when, found, now=at(hours + i))  # type: ignore[arg-type]
            await tx.save_event(decision, at(hours + i))
    assert decision is not None
    return decision


def keyword_match(ident: str) -> tuple[Match, Item]:
    it = item(ident, "wire", text="Jaishankar spoke")
    return Match("kw", it.key, "keyword", "Jaishankar", ("Jaishankar spoke",)), it


def thread(key: str, notifier: str, flush_hours: float | None = None) -> Thread:
    return Thread(
        event_key=key,
        notifier=notifier,
        rule_id="desk",
        parent_id=f"p-{key}-{notifier}",
        seq=0,
        announced=Announced(1, "held", JW, "Astana", ()),
        last_sent_at=T0,
        flush_at=at(flush_hours) if flush_hours is not None else None,
    )


async def test_an_event_keeps_its_identity_and_reports_across_a_restart(store_url: str) -> None:
    """New and joined events read back equal to what clustering made, after a reopen too."""
    store = await open_store(store_url)
    try:
        first = await file(store, report("1", D, officials=JW, place="Astana"))
        joined = await file(
            store,
            report("2", D, source="mea", official=True, officials=JW, place="Astana", hours=2),
            hours=1,
        )
    finally:
        await store.close()
    assert (first.action, joined.action) == ("new", "join")
    assert joined.event.key == first.event.key == "CN-IN@2025-07-03"
    assert joined.event.confirmed_by == ("mea",)

    store = await open_store(store_url)
    try:
        async with store.transaction() as tx:
            assert await tx.event(first.event.key) == joined.event
            m, ref, when = report("1", D, officials=JW, place="Astana")
            found = await tx.event_candidates(candidate_query(m, ref, when))
    finally:
        await store.close()
    again = cluster(m, ref, when, found, now=at(9))
    assert again.action == "duplicate" and again.event == joined.event


async def test_candidates_are_the_window_the_anchor_and_the_item(store: Store) -> None:
    """Events of the pair within the window by date or anchor, plus any holding the item."""
    near = await file(store, report("n", D))
    await file(store, report("far", D + timedelta(days=10)))
    await file(store, report("other", D, parties=("IN", "RU")))
    # Far outside the window, but it holds item "held": a candidate whenever "held" is.
    holder = await file(store, report("held", D - timedelta(days=9)))
    m, ref, when = report("q", D + timedelta(days=2))
    async with store.transaction() as tx:
        found = await tx.event_candidates(candidate_query(m, ref, when))
        assert [e.key for e in found] == [near.event.key]
        m2, ref2, when2 = report("held", D)
        found = await tx.event_candidates(candidate_query(m2, ref2, when2))
    assert sorted(e.key for e in found) == sorted([near.event.key, holder.event.key])


async def test_a_moved_date_is_found_by_the_anchor_and_the_new_date(store: Store) -> None:
    """An event whose derived date moved away from its anchor is found by both."""
    await file(store, report("1", D, dated=False))  # filed under its publish date
    moved = await file(
        store, report("2", D + timedelta(days=2)), report("3", D + timedelta(days=2))
    )
    assert moved.event.anchor == D and moved.event.date == D + timedelta(days=2)
    for probe in (D - timedelta(days=3), D + timedelta(days=5)):
        m, ref, when = report("probe", probe)
        async with store.transaction() as tx:
            keys = [e.key for e in await tx.event_candidates(candidate_query(m, ref, when))]
        assert keys == [moved.event.key]


async def test_keyword_events_are_looked_up_by_key_only(store: Store) -> None:
    """A keyword match's candidates are its own event, never other keyword events that day."""
    for ident in ("k1", "k2"):
        m, it = keyword_match(ident)
        await file(store, (m, ReportRef.of(it), D))
    m, it = keyword_match("k1")
    async with store.transaction() as tx:
        found = await tx.event_candidates(candidate_query(m, ReportRef.of(it), D))
    assert [e.key for e in found] == [f"match:{m.key}"]


async def test_threads_are_replaced_and_due_ones_come_earliest_first(store: Store) -> None:
    """save_thread upserts per (event, notifier); due_threads honours flush_at and limit."""
    e1 = (await file(store, report("1", D))).event.key
    e2 = (await file(store, report("2", D, parties=("IN", "RU")))).event.key
    async with store.transaction() as tx:
        await tx.save_thread(thread(e1, "slack", flush_hours=5))
        await tx.save_thread(thread(e1, "mail"))
        await tx.save_thread(thread(e2, "slack", flush_hours=3))
        await tx.save_thread(replace(thread(e1, "mail"), seq=4, flush_at=at(4)))
    async with store.transaction() as tx:
        assert set(await tx.event_threads(e1)) == {"slack", "mail"}
        assert (await tx.event_threads(e1))["mail"].seq == 4
        due = await tx.due_threads(at(4.5), 10)
        assert [(t.event_key, t.notifier) for t in due] == [(e2, "slack"), (e1, "mail")]
        assert [t.notifier for t in await tx.due_threads(at(9), 1)] == ["slack"]
        assert await tx.due_threads(at(2), 10) == []


async def test_held_alerts_are_queued_not_before_their_release(store: Store) -> None:
    """add_alerts(not_before=...) makes the row's first attempt the release time."""
    m, it = keyword_match("1")

    def alert(n: int) -> Alert:
        return Alert(f"a{n}", "desk", "kw", "new", "e", "h", m, ReportRef.of(it), created_at=T0)

    release = at(8)
    async with store.transaction() as tx:
        assert await tx.add_alerts([alert(1), alert(2)], not_before={"a2": release}) == [
            "a1",
            "a2",
        ]
        assert await tx.add_alerts([alert(2)], not_before={"a2": at(20)}) == []
    rows = {r.alert.id: r for r in await store.outbox()}
    assert rows["a1"].next_attempt_at == T0 and rows["a2"].next_attempt_at == release


async def test_retention_prunes_quiet_events_but_not_pending_ones(store: Store) -> None:
    """Old events go with reports and threads; a pending alert or folded update keeps one."""
    old = (await file(store, report("old", D), hours=0)).event.key
    pending = (await file(store, report("p", D, parties=("IN", "RU")), hours=0)).event.key
    folded = (await file(store, report("f", D, parties=("IN", "US")), hours=0)).event.key
    fresh = (await file(store, report("new", D, parties=("IN", "JP")), hours=100)).event.key
    m, it = keyword_match("x")
    waiting = Alert("a", "desk", "kw", "new", pending, "h", m, ReportRef.of(it), created_at=T0)
    async with store.transaction() as tx:
        await tx.save_thread(thread(old, "slack"))
        await tx.save_thread(thread(folded, "slack", flush_hours=200))
        await tx.add_alerts([waiting])
    report_ = await store.prune(before=at(50))
    assert report_.events == 1
    async with store.transaction() as tx:
        assert await tx.event(old) is None and await tx.event_threads(old) == {}
        for key in (pending, folded, fresh):
            assert await tx.event(key) is not None
        mm, ref, when = report("old", D)
        found = await tx.event_candidates(candidate_query(mm, ref, when))
        assert old not in {e.key for e in found}


async def test_listing_filters_by_time_pair_and_kind(store: Store) -> None:
    """events() returns recent events of a pair, latest meeting first, with their reports."""
    a = await file(store, report("1", D), report("2", D), hours=0)
    b = await file(store, report("3", D + timedelta(days=5)), hours=30)
    await file(store, report("4", D, parties=("IN", "RU")), hours=30)
    listed = await store.events(pair="CN-IN")
    assert [e.key for e in listed] == [b.event.key, a.event.key]
    assert listed[1].report_count == 2
    assert [e.key for e in await store.events(since=at(20), pair="CN-IN")] == [b.event.key]
    assert len(await store.events(since=at(20))) == 2
    assert await store.events(kind="keyword") == []


async def test_a_failed_transaction_leaves_no_event(store: Store) -> None:
    """An exception after save_event rolls the event back with everything else."""
    m, ref, when = report("1", D)
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            decision = cluster(m, ref, when, [], now=T0)
            await tx.save_event(decision, T0)
            await tx.save_thread(thread(decision.event.key, "slack", flush_hours=1))
            raise RuntimeError("crash before commit")
    async with store.transaction() as tx:
        assert await tx.event_candidates(candidate_query(m, ref, when)) == []
        assert await tx.due_threads(at(5), 10) == []
