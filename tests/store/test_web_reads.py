"""The web page's reads (``event_summaries_between``, ``event_record``, ``event_outbox``,
``source_activity``, ``event_stamps``) on both stores, after the headline scenario (three
meetings, 31 reports in six languages) went through the real pipeline."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import date, timedelta

import asyncpg
import pytest

from monitor.store import open_store
from monitor.store.summaries import mentions, summary_of
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


async def test_event_summaries_window_by_meeting_date(desk: Desk) -> None:
    """A window of meeting dates selects events by their date, latest first; open ends and
    the limit work; each summary holds what the whole record gives (facts, report and
    language counts, rules, the headline report), read from the events rows alone."""
    store = desk.store
    every = await store.event_summaries_between()
    assert [s.key for s in every] == [A, B, C]  # by date, then first seen (newest first)
    assert [s.key for s in await store.event_summaries_between(since=date(2025, 7, 3))] == [A]
    until = await store.event_summaries_between(until=date(2025, 7, 2))
    assert [s.key for s in until] == [B, C]
    assert await store.event_summaries_between(since=date(2025, 7, 4)) == []
    assert len(await store.event_summaries_between(limit=2)) == 2
    for summary in every:
        record = await store.event_record(summary.key)
        assert record is not None and summary == summary_of(record)
    a = every[0]
    assert a.report_count == 14 and set(a.languages) >= {"en", "hi", "zh", "ru"}
    assert a.rule_ids == ("india-desk",) and a.lead is not None
    first = min((await store.event_record(A)).reports, key=lambda r: r.order)  # type: ignore[union-attr]
    assert a.lead.item_key == first.ref.item_key and a.lead.title == first.ref.title


async def test_the_text_search_finds_words_in_any_report(desk: Desk) -> None:
    """``text`` finds an event by a word of any report's title or evidence (not only the
    headline report's), by its place or an official, in any case and script; the same
    events a whole-record search (``mentions``) finds."""
    store = desk.store
    records = {
        s.key: await store.event_record(s.key) for s in await store.event_summaries_between()
    }
    a = records[A]
    assert a is not None
    lead = min(a.reports, key=lambda r: r.order)
    # The scenario's items are posts: their evidence is what the page shows as a headline.
    zh = next(r for r in a.reports if r.ref.lang == "zh" and r is not lead).match.evidence[0]
    en = next(r for r in a.reports if r.ref.lang == "en" and r is not lead).match.evidence[0]
    for text in (zh, en.upper(), "QINGDAO", "qingdao", "dong jun", "astana", "no such words"):
        found = [s.key for s in await store.event_summaries_between(text=text)]
        expected = [k for k, r in records.items() if r is not None and mentions(r, text)]
        assert found == expected, text
    for text in (zh, en.upper()):  # of reports that are not the headline one
        assert [s.key for s in await store.event_summaries_between(text=text)] == [A]
    assert await store.event_summaries_between(text="no such words here") == []


async def test_rows_written_before_summaries_are_filled_on_open(desk: Desk, state_url: str) -> None:
    """A store whose events rows predate the summary columns (emptied here as migration
    0006 finds them) gets them filled from the records when it is opened."""
    before = await desk.store.event_summaries_between()
    await desk.close()
    await _forget_summaries(state_url)
    store = await open_store(state_url)
    try:
        assert await store.event_summaries_between() == before
        assert [s.key for s in await store.event_summaries_between(text="qingdao")] == [C]
    finally:
        await store.close()


async def _forget_summaries(state_url: str) -> None:
    wipe = (
        "UPDATE events SET languages = NULL, rule_ids = NULL, lead_json = NULL,"
        " facts_folded = NULL, reports_folded = NULL"
    )
    if state_url.startswith("sqlite:"):
        db = sqlite3.connect(state_url.removeprefix("sqlite:///"))
        with db:
            db.execute(wipe)
        db.close()
        return
    conn = await asyncpg.connect(state_url)
    try:
        await conn.execute(wipe)
    finally:
        await conn.close()


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
