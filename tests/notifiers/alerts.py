"""Alert factories for the notifier tests: a meeting alert with any field overridden, a
keyword alert without a meeting, and updates/confirmations of a parent."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from monitor.model import Alert, Match, Meeting, ReportRef

EVIDENCE = (
    "External Affairs Minister S. Jaishankar met Chinese Foreign Minister Wang Yi in Astana "
    "on Thursday on the sidelines of the SCO summit."
)


def meeting_alert(
    *,
    parties: tuple[str, str] = ("CN", "IN"),
    headline: str = "IN–CN: Jaishankar met Wang Yi in Astana",
    evidence: tuple[str, ...] = (EVIDENCE,),
    officials: tuple[str, ...] = ("S. Jaishankar", "Wang Yi"),
    location: str | None = "Astana",
    url: str | None = "https://www.thehindu.com/news/national/jaishankar-wang-yi/article1.ece",
    title: str = "Jaishankar meets Wang Yi in Astana",
    event_key: str = "ev-in-cn-1",
    notifier: str = "desk",
    **overrides: Any,
) -> Alert:
    meeting = Meeting(
        parties=parties,
        status=overrides.pop("status", "held"),
        officials=officials,
        location=location,
        confidence=overrides.pop("confidence", 0.92),
        evidence=evidence,
        meeting_date=overrides.pop("meeting_date", date(2024, 7, 4)),
    )
    report = ReportRef(
        item_key="thehindu:article1",
        source_id=overrides.pop("source_id", "thehindu"),
        url=url,
        title=title,
        published_at=datetime(2024, 7, 4, 9, 41, tzinfo=UTC),
        lang="en",
    )
    match = Match(
        rule_id="bilateral",
        item_key=report.item_key,
        kind="bilateral_meeting",
        summary="IN–CN held: Jaishankar met Wang Yi",
        evidence=evidence,
        meeting=meeting,
        confidence=meeting.confidence,
    )
    kind = overrides.pop("kind", "new")
    alert = Alert(
        id=Alert.make_id(notifier, "bilateral", event_key, kind, overrides.pop("seq", 0)),
        notifier=notifier,
        rule_id="bilateral",
        kind=kind,
        event_key=event_key,
        headline=headline,
        match=match,
        report=report,
        created_at=overrides.pop("created_at", datetime(2024, 7, 4, 9, 42, tzinfo=UTC)),
    )
    return replace(alert, **overrides)


def follow_up(parent: Alert, kind: str, seq: int = 1, **overrides: Any) -> Alert:
    """An "update" or "confirmed" alert of ``parent``'s event."""
    values: dict[str, Any] = {
        "id": Alert.make_id(parent.notifier, parent.rule_id, parent.event_key, kind, seq),
        "kind": kind,
        "parent_id": parent.id,
        "report_count": 13,
        "created_at": parent.created_at.replace(hour=parent.created_at.hour + 1),
    }
    if kind == "confirmed":
        values["confirmed_by"] = ("MEA", "@DrSJaishankar")
    values.update(overrides)
    return replace(parent, **values)


def keyword_alert(**overrides: Any) -> Alert:
    """A keyword-rule alert: no meeting, just a match in an item."""
    report = ReportRef(
        item_key="reuters:42",
        source_id="reuters",
        url="https://www.reuters.com/world/some-story-42",
        title="Ministers to discuss trade corridor",
        published_at=datetime(2024, 7, 5, 6, 0, tzinfo=UTC),
    )
    match = Match(
        rule_id="corridor",
        item_key=report.item_key,
        kind="keyword",
        summary="keyword 'trade corridor' in Reuters",
        evidence=("Ministers will discuss the proposed trade corridor next week.",),
        confidence=1.0,
    )
    alert = Alert(
        id=Alert.make_id("desk", "corridor", "reuters:42", "new"),
        notifier="desk",
        rule_id="corridor",
        kind="new",
        event_key="reuters:42",
        headline="Keyword: trade corridor — Ministers to discuss trade corridor",
        match=match,
        report=report,
    )
    return replace(alert, **overrides)
