"""Alert decisions per notifier (monitor/events/alerts.py), driven through the in-memory book."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from monitor.events.alerts import (
    AlertDecision,
    AlertRule,
    Announced,
    NotifierPolicy,
    decide_alerts,
    headline,
    update_text,
)
from monitor.events.book import EventBook
from monitor.events.cluster import ClusterPolicy, cluster, official_resolver
from monitor.events.options import QuietHours, Silence
from monitor.model import Alert, Item, Match
from tests.events.factory import ROSTER, at, item, meeting_match

HOUR = 3600.0
SLACK = NotifierPolicy("desk-slack", "slack")
HOOK = NotifierPolicy("hook", "webhook", updates=False)
NOTIFIERS = {"desk-slack": SLACK, "hook": HOOK}


def book(
    *,
    statuses: tuple[str, ...] = ("held",),
    realert_s: float = HOUR,
    silences: tuple[Silence, ...] = (),
    notifiers: dict[str, NotifierPolicy] = NOTIFIERS,
) -> EventBook:
    rule = AlertRule("desk", tuple(notifiers), frozenset(statuses), realert_s, ("IN",))
    policy = ClusterPolicy(
        official=official_resolver({"@DrSJaishankar": "IN"}, {"mea": "MEA"}),
        official_country=ROSTER.get,
    )
    return EventBook({"desk": rule}, notifiers, silences, policy)


def feed(
    b: EventBook,
    ident: str,
    *,
    minutes: float,
    source: str = "wire",
    status: str = "held",
    officials: tuple[str, ...] = ("S. Jaishankar", "Wang Yi"),
    place: str | None = "Astana",
    official: bool = False,
    handle: str | None = None,
) -> dict[str, list[AlertDecision]]:
    """One report published and processed ``minutes`` after T0 (no date in its text, so
    filed under its publish date); decisions by notifier."""
    it = item(ident, source, hours=minutes / 60, official=official, handle=handle)
    m = meeting_match(it, status=status, officials=officials, place=place)
    _, decisions = b.process(it, m, now=at(minutes / 60))
    out: dict[str, list[AlertDecision]] = {}
    for d in decisions:
        out.setdefault(d.notifier, []).append(d)
    return out


def outcomes(decisions: dict[str, list[AlertDecision]], name: str = "desk-slack") -> list[str]:
    return [d.outcome for d in decisions.get(name, [])]


def test_first_report_is_new_with_a_deterministic_id_and_headline() -> None:
    """The first report of a meeting makes one ``new`` alert per notifier, id from make_id."""
    b = book()
    d = feed(b, "1", minutes=0)
    assert outcomes(d) == ["new"] and outcomes(d, "hook") == ["new"]
    alert = d["desk-slack"][0].alert
    assert alert is not None
    assert alert.id == Alert.make_id("desk-slack", "desk", "CN-IN@2025-07-01", "new", 0)
    assert alert.headline == "IN–CN: S. Jaishankar met Wang Yi in Astana"
    assert alert.parent_id is None and alert.report_count == 1


def test_routine_updates_fold_within_realert_and_flush_as_one() -> None:
    """Reports inside the realert window are folded and go out as one "+N reports" update."""
    b = book(realert_s=6 * HOUR)
    feed(b, "1", minutes=0)
    folded = [feed(b, str(i), minutes=10 * i) for i in range(2, 6)]
    assert all(outcomes(d) == ["folded"] for d in folded)
    assert all(outcomes(d, "hook") == ["skipped"] for d in folded)  # webhook: no updates
    assert b.flush_due(at(5.9)) == []
    (flushed,) = b.flush_due(at(6))
    assert flushed.outcome == "update" and flushed.alert is not None
    assert flushed.alert.headline == "IN–CN: +4 reports"
    assert flushed.alert.parent_id == Alert.make_id(
        "desk-slack", "desk", "CN-IN@2025-07-01", "new", 0
    )
    assert flushed.alert.id == Alert.make_id("desk-slack", "desk", "CN-IN@2025-07-01", "update", 1)
    assert b.flush_due(at(7)) == []  # nothing left
    later = feed(b, "9", minutes=13 * 60)  # past the window: straight out
    assert outcomes(later) == ["update"]
    assert later["desk-slack"][0].alert.headline == "IN–CN: +1 report"


def test_confirmation_is_sent_once_and_edits_the_parent() -> None:
    """The first official report makes a ``confirmed`` alert at once; a second one is routine."""
    b = book()
    feed(b, "1", minutes=0)
    d = feed(b, "2", minutes=5, source="mea", official=True)
    assert outcomes(d) == ["confirmed"]
    alert = d["desk-slack"][0].alert
    assert alert.kind == "confirmed" and alert.confirmed_by == ("MEA",)
    assert alert.headline == "IN–CN: S. Jaishankar met Wang Yi in Astana — confirmed by MEA"
    assert outcomes(d, "hook") == ["skipped"]
    d = feed(b, "3", minutes=10, source="x", handle="@DrSJaishankar")
    assert outcomes(d) == ["folded"]
    (flushed,) = b.flush_due(at(1.2))
    assert flushed.alert.headline == "IN–CN: +1 report, confirmed by @DrSJaishankar"


def test_scheduled_then_held_is_an_immediate_update() -> None:
    """With scheduled alerts on, the meeting being held is an update that never waits."""
    b = book(statuses=("held", "scheduled"), realert_s=6 * HOUR)
    d = feed(b, "1", minutes=0, status="scheduled")
    assert d["desk-slack"][0].alert.headline == "IN–CN: S. Jaishankar to meet Wang Yi in Astana"
    d = feed(b, "2", minutes=30, status="held")
    assert outcomes(d) == ["update"]
    assert d["desk-slack"][0].alert.headline == "IN–CN: now held, +1 report"
    assert d["desk-slack"][0].alert.match.meeting.status == "held"


def test_held_only_rule_alerts_when_the_meeting_turns_held() -> None:
    """A rule on held meetings skips the announcement and sends ``new`` when it is held."""
    b = book(statuses=("held",))
    d = feed(b, "1", minutes=0, status="scheduled")
    assert outcomes(d) == ["skipped"] and "does not alert on scheduled" in d["desk-slack"][0].reason
    d = feed(b, "2", minutes=30, status="held")
    assert outcomes(d) == ["new"] and d["desk-slack"][0].alert.report_count == 2


def test_cancelled_scheduled_meeting_is_an_update() -> None:
    """A cancellation of an alerted scheduled meeting goes out at once as an update."""
    b = book(statuses=("scheduled",), realert_s=6 * HOUR)
    feed(b, "1", minutes=0, status="scheduled")
    d = feed(b, "2", minutes=20, status="cancelled")
    assert outcomes(d) == ["update"]
    assert d["desk-slack"][0].alert.headline == "IN–CN: cancelled, +1 report"


def test_webhook_sends_updates_only_when_asked() -> None:
    """``updates = true`` makes a webhook receive updates and confirmations too."""
    hook = NotifierPolicy("hook", "webhook", updates=True)
    b = book(notifiers={"hook": hook}, realert_s=0)
    feed(b, "1", minutes=0)
    assert outcomes(feed(b, "2", minutes=1), "hook") == ["update"]
    assert outcomes(feed(b, "3", minutes=2, source="mea", official=True), "hook") == ["confirmed"]


def test_reprocessing_an_item_sends_nothing() -> None:
    """The same item processed twice is a duplicate for every notifier."""
    b = book()
    feed(b, "1", minutes=0)
    d = feed(b, "1", minutes=5)
    assert outcomes(d) == ["duplicate"] and outcomes(d, "hook") == ["duplicate"]
    assert len(b.outbox) == 2


def test_a_second_rule_reuses_the_notifiers_thread() -> None:
    """Two rules routing to one notifier make one thread: no second ``new`` alert."""
    b = book()
    b.rules = {**b.rules, "all-india": AlertRule("all-india", ("desk-slack",), None, 0)}
    feed(b, "1", minutes=0)
    it = item("1", "wire", hours=0)
    m = meeting_match(it, officials=("S. Jaishankar", "Wang Yi"), place="Astana", rule="all-india")
    _, decisions = b.process(it, m, now=at(0.1))
    assert [d.outcome for d in decisions] == ["duplicate"]


def test_silences_select_by_pair_party_official_source_rule_and_notifier() -> None:
    """Each selector silences what it names, says why, and expired silences are ignored."""
    until = datetime(2025, 7, 10, tzinfo=UTC)
    cases = [
        (Silence(pair="in-cn", until=until, reason="summit"), "silence pair=CN-IN until"),
        (Silence(party="CN"), "silence party=CN"),
        (Silence(official="wang yi"), "silence official=wang yi"),
        (Silence(source="wire"), "silence source=wire"),
        (Silence(rule="desk"), "silence rule=desk"),
    ]
    for silence, why in cases:
        d = feed(book(silences=(silence,)), "1", minutes=0)
        assert outcomes(d) == ["silenced"] and outcomes(d, "hook") == ["silenced"]
        assert d["desk-slack"][0].reason.startswith(why)
        assert d["desk-slack"][0].alert is None
    scoped = feed(book(silences=(Silence(pair="IN-CN", notifier="hook"),)), "1", minutes=0)
    assert outcomes(scoped) == ["new"] and outcomes(scoped, "hook") == ["silenced"]
    expired = Silence(pair="IN-CN", until=datetime(2025, 6, 30, tzinfo=UTC))
    assert outcomes(feed(book(silences=(expired,)), "1", minutes=0)) == ["new"]
    other = Silence(pair="IN-RU")
    assert outcomes(feed(book(silences=(other,)), "1", minutes=0)) == ["new"]


def test_quiet_hours_hold_alerts_and_release_them() -> None:
    """In quiet hours a new alert is held until the window ends; updates fold to that time."""
    quiet = QuietHours.parse("22:00-07:00", "Asia/Kolkata")
    night = NotifierPolicy("desk-slack", "slack", quiet=quiet)
    b = book(notifiers={"desk-slack": night}, realert_s=0)
    # T0 is 06:00 UTC = 11:30 IST; 12 h later is 23:30 IST.
    d = feed(b, "1", minutes=12 * 60)
    (held,) = d["desk-slack"]
    release = datetime(2025, 7, 2, 1, 30, tzinfo=UTC)  # 07:00 IST
    assert held.outcome == "held" and held.release_at == release and held.alert.kind == "new"
    assert b.outbox[held.alert.id].not_before == release
    d = feed(b, "2", minutes=13 * 60)
    assert outcomes(d) == ["folded"] and d["desk-slack"][0].release_at == release
    assert b.flush_due(release - timedelta(minutes=1)) == []
    (flushed,) = b.flush_due(release)
    assert flushed.outcome == "update" and flushed.alert.headline == "IN–CN: +1 report"
    d = feed(b, "3", minutes=14 * 60, source="mea", official=True)
    assert outcomes(d) == ["held"] and d["desk-slack"][0].alert.kind == "confirmed"


def test_headlines_and_update_text() -> None:
    """Headlines say who met whom where; update text lists what is new since the last alert."""
    it = item("1", "wire")
    m = meeting_match(it, officials=("Wang Yi", "S. Jaishankar"), place="Astana")
    decision = cluster(m, _ref(it), date(2025, 7, 3), [], now=at(0))
    event = decision.event
    assert headline(event, ("IN",), ROSTER.get) == "IN–CN: S. Jaishankar met Wang Yi in Astana"
    assert headline(event) == "CN–IN: Wang Yi met S. Jaishankar in Astana"
    before = Announced(1, "held", ("Wang Yi",), None, ())
    grown = _with(event, 13, ("MEA", "@DrSJaishankar"))
    text = update_text(before, grown, ("IN",))
    assert text == (
        "IN–CN: +12 reports, with S. Jaishankar, in Astana, confirmed by MEA and by @DrSJaishankar"
    )


def test_decide_alerts_names_unknown_notifiers() -> None:
    """A rule routing to a notifier that does not exist gets a skipped decision naming it."""
    it = item("1", "wire")
    decision = cluster(meeting_match(it), _ref(it), date(2025, 7, 3), [], now=at(0))
    rule = AlertRule("desk", ("nowhere",))
    (d,) = decide_alerts(decision, rule, NOTIFIERS, {}, now=at(0))
    assert (d.outcome, d.reason) == ("skipped", "no notifier named 'nowhere'")


def _ref(it: Item):  # type: ignore[no-untyped-def]
    from monitor.model import ReportRef

    return ReportRef.of(it)


def _with(event, count: int, confirmers: tuple[str, ...]):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(event, reports=event.reports * count, confirmed_by=confirmers)


_ = Match


def test_alert_says_when_the_meeting_was() -> None:
    """The detector leaves the date to the event layer: the alert's meeting carries the
    event's date, so every channel can say when it happened."""
    b = book()
    (new,) = feed(b, "r1", minutes=5)["desk-slack"]
    assert new.alert is not None and new.alert.match.meeting is not None
    assert new.alert.match.meeting.meeting_date == at(5 / 60).date()


def test_a_second_rules_notifier_hears_of_a_status_change() -> None:
    """When two rules with their own notifiers match one item, the item is filed once (by
    the first rule) and the second rule's notifier still gets the status change."""
    hook = NotifierPolicy("hook", "webhook", updates=True)
    b = book(statuses=("held",), notifiers={"desk-slack": SLACK})
    b.notifiers = {"desk-slack": SLACK, "hook": hook}
    b.rules = {**b.rules, "plans": AlertRule("plans", ("hook",), frozenset({"scheduled", "held"}))}
    plan = item("1", "wire", hours=0)
    scheduled = meeting_match(plan, status="scheduled", officials=("S. Jaishankar", "Wang Yi"))
    _, first = b.process(plan, scheduled, now=at(0))
    _, second = b.process(plan, replace(scheduled, rule_id="plans"), now=at(0))
    assert [d.outcome for d in first + second] == ["skipped", "new"]
    held = item("2", "wire", hours=1)
    match = meeting_match(held, officials=("S. Jaishankar", "Wang Yi"))
    _, first = b.process(held, match, now=at(1))
    _, second = b.process(held, replace(match, rule_id="plans"), now=at(1))
    assert [d.outcome for d in first + second] == ["new", "update"]
    _, again = b.process(held, replace(match, rule_id="plans"), now=at(2))
    assert [d.outcome for d in again] == ["duplicate"]  # told once, never twice
