"""Event identity and lifecycle (monitor/events/cluster.py): which reports are one meeting."""

from __future__ import annotations

from datetime import date

from monitor.events.cluster import (
    ClusterPolicy,
    EventDecision,
    EventRecord,
    candidate_query,
    cluster,
    official_resolver,
)
from monitor.events.places import Place, places_compatible, resolve_place
from monitor.model import Match, ReportRef
from rules.dates.meeting import MeetingDate
from tests.events.factory import ROSTER, at, item, report

D = date(2025, 7, 3)
ROSTERED = ClusterPolicy(official_country=ROSTER.get)


def run(
    reports: list[tuple[Match, ReportRef, MeetingDate]], policy: ClusterPolicy | None = None
) -> tuple[dict[str, EventRecord], list[EventDecision]]:
    """Cluster reports in order against everything seen so far (a store with no window query)."""
    events: dict[str, EventRecord] = {}
    decisions = []
    for i, (m, ref, when) in enumerate(reports):
        d = cluster(m, ref, when, list(events.values()), now=at(i), policy=policy)
        events[d.event.key] = d.event
        decisions.append(d)
    return events, decisions


def test_reports_of_one_meeting_are_one_event() -> None:
    """Same unordered pair, same day, compatible details: one event with every report."""
    events, decisions = run([
        report("1", D, officials=("S. Jaishankar", "Wang Yi"), place="Astana"),
        report("2", D, source="xinhua", officials=("Wang Yi",)),
        report("3", date(2025, 7, 4), source="tass", place="Kazakhstan", dated=False),
    ])  # fmt: skip
    assert [d.action for d in decisions] == ["new", "join", "join"]
    (event,) = events.values()
    assert event.key == "CN-IN@2025-07-03"
    assert event.report_count == 3
    assert (event.status, event.place, event.date) == ("held", "Astana", D)


def test_different_pairs_are_different_events() -> None:
    """IN–CN and IN–RU on the same day in the same city are two meetings."""
    events, _ = run([
        report("1", D, officials=("S. Jaishankar", "Wang Yi"), place="Astana"),
        report("2", D, parties=("IN", "RU"), officials=("S. Jaishankar", "Sergey Lavrov")),
    ])  # fmt: skip
    assert sorted(events) == ["CN-IN@2025-07-03", "IN-RU@2025-07-03"]


def test_window_decides_between_one_meeting_and_two() -> None:
    """Three days apart is still the same meeting; four days apart is another one."""
    events, decisions = run([report("1", D), report("2", date(2025, 7, 6))])
    assert [d.action for d in decisions] == ["new", "join"]
    events, decisions = run([report("1", D), report("2", date(2025, 7, 7))])
    assert [d.action for d in decisions] == ["new", "new"]
    assert sorted(events) == ["CN-IN@2025-07-03", "CN-IN@2025-07-07"]
    assert "4 days from 2025-07-03 (window 3)" in decisions[1].rejected[0].reason


def test_window_is_configurable() -> None:
    """A one-day window separates reports two days apart."""
    _, decisions = run(
        [report("1", D), report("2", date(2025, 7, 5))], ClusterPolicy(window_days=1)
    )
    assert [d.action for d in decisions] == ["new", "new"]


def test_contradicting_places_make_separate_events() -> None:
    """Astana and New Delhi on the same day are two meetings; the key is disambiguated."""
    events, decisions = run([report("1", D, place="Astana"), report("2", D, place="New Delhi")])
    assert [d.action for d in decisions] == ["new", "new"]
    assert decisions[1].rejected[0].reason == "place New Delhi contradicts Astana"
    second = decisions[1].event.key
    assert second.startswith("CN-IN@2025-07-03~") and second in events


def test_compatible_places_join() -> None:
    """A city and its country agree; venues we cannot place never contradict; None fits all."""
    for other in ("Kazakhstan", "Nur-Sultan", "Hotel Rixos", None):
        _, decisions = run([report("1", D, place="Astana"), report("2", D, place=other)])
        assert decisions[1].action == "join", other
    _, decisions = run([report("1", D, place="Kazakhstan"), report("2", D, place="India")])
    assert decisions[1].action == "new"


def test_place_resolution() -> None:
    """Cities resolve to their country, countries by CLDR name in several languages."""
    assert resolve_place("Nur-Sultan") == Place("Astana", "city", "KZ")
    assert resolve_place("Kasachstan").country == "KZ"
    assert resolve_place("Китай").country == "CN"
    assert resolve_place("Hyderabad House").level == "unknown"
    assert not places_compatible(resolve_place("Astana"), resolve_place("Moscow"))
    assert places_compatible(resolve_place("Moscow"), resolve_place("Russia"))


def test_contradicting_officials_with_a_roster() -> None:
    """Modi–Xi and Jaishankar–Wang Yi the same day are two meetings; partial lists are not."""
    _, decisions = run([
        report("1", D, officials=("S. Jaishankar", "Wang Yi")),
        report("2", D, officials=("Narendra Modi", "Xi Jinping")),
        report("3", D, officials=("Wang Yi",)),  # names only the Chinese side
        report("4", D, officials=("Rajnath Singh",)),  # another Indian official: contradicts both
    ], ROSTERED)  # fmt: skip
    assert [d.action for d in decisions] == ["new", "new", "join", "new"]
    assert decisions[2].event.key == decisions[0].event.key
    assert "officials for IN differ" in decisions[3].rejected[0].reason


def test_contradicting_officials_without_a_roster() -> None:
    """Without a roster only two full, disjoint line-ups contradict."""
    _, decisions = run([
        report("1", D, officials=("S. Jaishankar", "Wang Yi")),
        report("2", D, officials=("Narendra Modi", "Xi Jinping")),
        report("3", D, officials=("Rajnath Singh",)),
    ])  # fmt: skip
    assert [d.action for d in decisions] == ["new", "new", "join"]


def test_later_reports_enrich_the_event() -> None:
    """A report that adds officials or the place changes the event and says what changed."""
    _, decisions = run([
        report("1", D, officials=("S. Jaishankar",)),
        report("2", D, officials=("S. Jaishankar", "Wang Yi"), place="Kazakhstan"),
        report("3", D, place="Astana"),
    ])  # fmt: skip
    assert decisions[1].change.officials_added == ("Wang Yi",)
    assert decisions[1].change.place == (None, "Kazakhstan")
    assert decisions[2].change.place == ("Kazakhstan", "Astana")  # the city is more precise
    assert decisions[2].event.officials == ("S. Jaishankar", "Wang Yi")


def test_scheduled_then_held_is_a_status_change() -> None:
    """A meeting announced and then reported held moves from scheduled to held."""
    _, decisions = run([
        report("1", D, status="scheduled", hours=0),
        report("2", D, status="held", hours=30),
    ])  # fmt: skip
    assert decisions[0].event.status == "scheduled"
    assert decisions[1].change.status == ("scheduled", "held")


def test_a_late_scheduled_report_does_not_resurrect_a_held_meeting() -> None:
    """A stale "will meet" report joins a held event as a report, without a status change."""
    _, decisions = run([
        report("1", D, status="held", hours=30),
        report("2", D, status="scheduled", hours=40),
    ])  # fmt: skip
    assert decisions[1].action == "join"
    assert decisions[1].change.status is None and decisions[1].event.status == "held"


def test_cancelled_scheduled_meeting_and_status_order_independence() -> None:
    """Scheduled then cancelled is cancelled; a held report after that wins, in any order."""
    reports = [
        report("1", D, status="scheduled", hours=0),
        report("2", D, status="cancelled", hours=10),
    ]
    _, decisions = run(reports)
    assert decisions[1].change.status == ("scheduled", "cancelled")
    events, _ = run(list(reversed(reports)))
    assert next(iter(events.values())).status == "cancelled"  # the later-published report rules
    events, _ = run([report("3", D, status="held", hours=5), *reports])
    assert next(iter(events.values())).status == "held"


def test_calls_and_meetings_are_separate_events() -> None:
    """A phone call and an in-person meeting of the same pair on the same day are two events."""
    events, _ = run([report("1", D), report("2", D, status="call")])
    assert sorted(events) == ["CN-IN@2025-07-03", "CN-IN@2025-07-03#call"]


def test_the_same_item_twice_is_a_duplicate() -> None:
    """Re-processing an item is a no-op: the event is returned unchanged."""
    first = report("1", D)
    events, decisions = run([first, report("2", D), first])
    assert decisions[2].action == "duplicate"
    assert decisions[2].event == decisions[1].event
    assert next(iter(events.values())).report_count == 2


def test_duplicate_found_outside_the_window() -> None:
    """An item already filed is a duplicate even if its date now reads differently."""
    m, ref, _ = report("1", D)
    events, _ = run([(m, ref, MeetingDate(D, "text"))])
    again = cluster(
        m, ref, MeetingDate(date(2025, 7, 20), "text"), list(events.values()), now=at(9)
    )
    assert again.action == "duplicate"


def test_official_sources_and_roster_handles_confirm() -> None:
    """An official source, or a roster account of one of the parties, confirms the event."""
    policy = ClusterPolicy(
        official=official_resolver({"@DrSJaishankar": "IN", "@mfa_russia": "RU"}, {"mea": "MEA"})
    )
    _, decisions = run([
        report("1", D),
        report("2", D, source="mea", official=True),
        report("3", D, source="x", handle="@DrSJaishankar"),
        report("4", D, source="x", handle="@mfa_russia"),  # Russia is not a party
    ], policy)  # fmt: skip
    assert decisions[1].change.confirmed_by_added == ("MEA",)
    assert decisions[2].change.confirmed_by_added == ("@DrSJaishankar",)
    assert decisions[3].change.confirmed_by_added == ()
    assert decisions[3].event.confirmed_by == ("MEA", "@DrSJaishankar")


def test_keyword_matches_are_events_of_their_own() -> None:
    """A match without a meeting is its own event, keyed by the match; twice is a duplicate."""
    it = item("k1", "feed", text="Border talks continue")
    m = Match("kw", it.key, "keyword", "Border talks continue", ("Border talks",))
    ref = ReportRef.of(it)
    first = cluster(m, ref, date(2025, 7, 1), [], now=at(0))
    assert first.action == "new" and first.event.key == f"match:{m.key}"
    assert first.event.status == "reported"
    again = cluster(m, ref, date(2025, 7, 1), [first.event], now=at(1))
    assert again.action == "duplicate"


def test_closest_event_wins_then_the_earlier_one() -> None:
    """A report fitting two events joins the closest date, then the earlier event."""
    _, decisions = run([
        report("1", date(2025, 7, 1), place="Astana"),
        report("2", date(2025, 7, 5), place="Moscow"),
        report("3", date(2025, 7, 4), dated=False),  # fits both: closer to July 5
        report("4", date(2025, 7, 3)),  # fits both, equally close: the earlier event
    ])  # fmt: skip
    assert decisions[2].event.key == "CN-IN@2025-07-05"
    assert decisions[3].event.key == "CN-IN@2025-07-01"


def test_an_earlier_dated_report_arriving_later_joins_the_same_event() -> None:
    """Out-of-order arrival: a report dated the day before lands in the existing event."""
    _, decisions = run([report("2", D, hours=30), report("1", date(2025, 7, 2), hours=1)])
    assert decisions[1].action == "join"
    assert decisions[1].event.key == "CN-IN@2025-07-03"  # a key never changes
    assert decisions[1].event.date == date(2025, 7, 2)  # equally reported: the earlier date


def test_event_date_prefers_dates_read_from_text() -> None:
    """Publish-time dates do not move the event date when reports date the meeting."""
    events, _ = run([
        report("1", date(2025, 7, 5), dated=False),
        report("2", D),
        report("3", date(2025, 7, 5), dated=False),
    ])  # fmt: skip
    (event,) = events.values()
    assert event.date == D and event.anchor == date(2025, 7, 5)


def test_record_round_trips_through_json() -> None:
    """An event record survives to_json/from_json unchanged (what a restart reloads)."""
    events, _ = run([
        report("1", D, officials=("S. Jaishankar", "Wang Yi"), place="Astana"),
        report("2", D, source="mea", official=True),
    ])  # fmt: skip
    (event,) = events.values()
    assert EventRecord.from_json(event.to_json()) == event
    view = event.view()
    assert view.key == event.key and view.confirmed_by_official and len(view.reports) == 2


def test_candidate_query_describes_what_the_store_must_return() -> None:
    """Meetings query pair and date window; keyword matches look up their own key."""
    m, ref, when = report("1", D)
    q = candidate_query(m, ref, when)
    assert (q.kind, q.pair, q.date_from, q.date_to, q.item_key, q.key) == (
        "bilateral_meeting", "CN-IN", date(2025, 6, 30), date(2025, 7, 6), ref.item_key, None,
    )  # fmt: skip
    it = item("k1", "feed")
    kw = Match("kw", it.key, "keyword", "Border talks")
    assert candidate_query(kw, ReportRef.of(it), D, ClusterPolicy(window_days=1)).key == (
        f"match:{kw.key}"
    )
