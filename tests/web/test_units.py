"""The page's pure parts: filters from and to URLs, the graph's layout (silence: the one
definition in monitor/watch/silence.py, tested in tests/core/test_silence.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from monitor.events.record import EventRecord, EventReport
from monitor.model import ReportRef
from monitor.web.filters import AHEAD_DAYS, Filters, parse_filters
from monitor.web.graph import MAX_WIDTH, SIZE, build_graph, edge_width
from tests.events.scenario import CHRONO

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def test_a_filter_survives_its_own_link() -> None:
    """Every filter written into a link reads back equal; defaults are left out."""
    f = Filters(
        days=30,
        to=date(2025, 7, 5),
        country="IN",
        pair="CN-IN",
        status="held",
        official="Wang Yi",
        rule="india-desk",
        q="Astana & <b>",
    )
    back = parse_filters(dict(parse_qsl(urlsplit(f.href()).query)))
    assert back == f and back.notes == ()
    assert Filters().href() == "/" and Filters(country="IN").href() == "/?country=IN"


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"days": "0"}, "days"),
        ({"days": "x"}, "days"),
        ({"to": "July"}, "to"),
        ({"pair": "IN"}, "pair"),
        ({"pair": "IN-IN"}, "pair"),
        ({"country": "<x>"}, "country"),
        ({"status": "met"}, "status"),
    ],
)
def test_bad_parameters_are_dropped_with_a_note(query: dict[str, str], note: str) -> None:
    """A bad value leaves the default and says which parameter was ignored."""
    f = parse_filters(query)
    assert replace(f, notes=()) == Filters() and f.notes[0].startswith(note)


def test_the_window_covers_the_days_and_scheduled_meetings_ahead() -> None:
    """Open window: the last ``days`` up to today plus what is scheduled ahead; with ``to``
    it ends there."""
    today = date(2026, 1, 10)
    assert Filters().window(today) == (date(2026, 1, 4), today + timedelta(days=AHEAD_DAYS))
    assert Filters(days=1, to=date(2025, 7, 2)).window(today) == (date(2025, 7, 2),) * 2


def test_edge_widths_grow_with_meetings_and_stay_bounded() -> None:
    """One meeting: 2 px; the busiest pair: the maximum; in between, monotonic."""
    widths = [edge_width(n, 40) for n in range(1, 41)]
    assert widths[0] == 2.0 and widths[-1] == MAX_WIDTH
    assert widths == sorted(widths)


def scenario_event(key: str, parties: tuple[str, str]) -> EventRecord:
    """An event of two parties with one report of the scenario."""
    it, m = CHRONO[0]
    return EventRecord(
        key=key, kind="bilateral_meeting", parties=parties, family="meeting",
        anchor=date(2025, 7, 3), reports=(EventReport(ReportRef.of(it), m, date(2025, 7, 3)),),
        status="held", officials=(), place=None, date=date(2025, 7, 3), confirmed_by=(),
        first_seen=NOW, updated_at=NOW,
    )  # fmt: skip


def test_the_layout_is_stable_and_fits_with_200_parties() -> None:
    """The same events give the same picture in any order; 200 parties all fit in the
    drawing, each at its own place."""
    codes = [f"{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(200)]
    pairs = zip(codes, codes[1:] + codes[:1], strict=True)
    events = [scenario_event(f"{a}-{b}@2025-07-03", (a, b)) for a, b in pairs]
    graph = build_graph(events)
    assert build_graph(list(reversed(events))) == graph
    assert len(graph.nodes) == 200 and len(graph.edges) == 200
    assert len({(n.x, n.y) for n in graph.nodes}) == 200
    assert all(0 <= n.x <= SIZE and 0 <= n.y <= SIZE for n in graph.nodes)
