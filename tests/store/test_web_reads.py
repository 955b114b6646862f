"""The web page's reads (``events_between``, ``event_record``, ``event_outbox``,
``source_activity``, ``event_stamps``) on both stores, after the headline scenario (three
meetings, 31 reports in six languages) went through the real pipeline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest

from tests.events.desk import Desk, live, open_desk_at
from tests.events.factory import at
from tests.events.scenario import CHRONO

A, B, C = "CN-IN@2025-07-03", "IN-RU@2025-07-02", "CN-IN@2025-07-02"


@pytest.fixture
async def desk(state_url: str) -> AsyncIterator[Desk]:
    """A store holding the scenario's three events, their alerts and seen items."""
    opened = await open_desk_at(state_url)
    for it, now in live(CHRONO):
        await opened.feed(it, now)
    yield opened
    await opened.close()


async def test_events_between_windows_by_meeting_date(desk: Desk) -> None:
    """A window of meeting dates selects events by their date, latest first, with their
    reports; open ends and the limit work."""
    store = desk.store
    every = await store.events_between()
    assert every[0].key == A and {e.key for e in every} == {A, B, C}
    assert [e.key for e in await store.events_between(since=date(2025, 7, 3))] == [A]
    until = await store.events_between(until=date(2025, 7, 2))
    assert {e.key for e in until} == {B, C}
    assert await store.events_between(since=date(2025, 7, 4)) == []
    assert len(await store.events_between(limit=2)) == 2
    a = every[0]
    assert a.report_count == 14 and {r.ref.lang for r in a.reports} >= {"en", "hi", "zh", "ru"}


async def test_event_record_reads_one_event_whole(desk: Desk) -> None:
    """One event by key with every report in order; an unknown key is None."""
    b = await desk.store.event_record(B)
    assert b is not None and b.key == B and b.report_count == 9
    stamps = [r.order for r in b.reports]
    assert stamps == sorted(stamps)
    assert await desk.store.event_record("XX-YY@2025-01-01") is None


async def test_event_outbox_shows_each_alert_and_its_delivery_state(desk: Desk) -> None:
    """The alerts about one event, oldest first, each with its notifier and state; a
    delivery marked sent reads back sent with its remote id; other events' alerts are not
    shown."""
    store = desk.store
    rows = await store.event_outbox(A)
    assert rows and {r.alert.event_key for r in rows} == {A}
    assert {r.notifier for r in rows} == {"desk-slack", "desk-mail", "partner-hook"}
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)
    assert {r.state for r in rows} == {"pending"}
    first = rows[0]
    await store.mark_sent(first.alert.id, at=at(100), remote_id="1720000000.0001")
    again = {r.alert.id: r for r in await store.event_outbox(A)}
    assert again[first.alert.id].state == "sent"
    assert again[first.alert.id].remote_id == "1720000000.0001"
    assert await store.event_outbox("XX-YY@2025-01-01") == []


async def test_source_activity_counts_items_per_source(desk: Desk) -> None:
    """Per source: the items first seen since the cutoff, the first of them, the newest
    item ever; a cutoff after everything keeps the newest time but counts nothing."""
    arrivals = {it.source_id: [] for it, _ in CHRONO}
    for it, now in live(CHRONO):
        arrivals[it.source_id].append(now)
    everything = await desk.store.source_activity(since=at(-1000))
    assert set(everything) == set(arrivals)
    for source, times in arrivals.items():
        got = everything[source]
        assert got.items == len(times), source
        assert got.first_item_at == min(times) and got.last_item_at == max(times), source
    cut = at(40)
    later = await desk.store.source_activity(since=cut)
    assert later["tass"].items == sum(t >= cut for t in arrivals["tass"])
    assert later["ani"].items == 0 and later["ani"].first_item_at is None
    assert later["ani"].last_item_at == max(arrivals["ani"])


async def test_event_stamps_list_events_updated_since(desk: Desk) -> None:
    """Versions (updated time, report count, status) of the events updated since a time."""
    all_stamps = {s.key: s for s in await desk.store.event_stamps(since=at(-1000))}
    assert set(all_stamps) == {A, B, C}
    assert all_stamps[A].report_count == 14 and all_stamps[A].status == "held"
    newest = max(s.updated_at for s in all_stamps.values())
    recent = await desk.store.event_stamps(since=newest)
    assert [s.updated_at for s in recent] == [newest]
    assert await desk.store.event_stamps(since=newest + timedelta(seconds=1)) == []


async def test_versions_follow_events_between_and_records_read_by_key(desk: Desk) -> None:
    """``event_versions_between`` lists the same events in the same order as
    ``events_between`` with their versions, and ``events_by_keys`` reads the same records
    (unknown keys skipped, by key)."""
    store = desk.store
    for since, until in [(None, None), (date(2025, 7, 3), None), (None, date(2025, 7, 2))]:
        records = await store.events_between(since=since, until=until)
        versions = await store.event_versions_between(since=since, until=until)
        assert [v.key for v in versions] == [e.key for e in records]
        assert [(v.updated_at, v.report_count, v.status) for v in versions] == [
            (e.updated_at, e.report_count, e.status) for e in records
        ]
    assert len(await store.event_versions_between(limit=2)) == 2
    by_key = await store.events_by_keys([C, "XX-YY@2025-01-01", A, A])
    assert [e.key for e in by_key] == [C, A]
    assert by_key[1] == await store.event_record(A)
    assert await store.events_by_keys([]) == []
