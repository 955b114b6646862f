"""A built-in sample alert (Jaishankar meets Wang Yi in Astana) for ``bilat render --sample``
and test sends. Clearly marked as a sample: its link points at example.com."""

from __future__ import annotations

from datetime import UTC, date, datetime

from monitor.model import Alert, Match, Meeting, ReportRef


def sample_alert(notifier: str = "sample", kind: str = "new") -> Alert:
    """A realistic "new" (or "update"/"confirmed") alert about one bilateral meeting."""
    evidence = (
        "External Affairs Minister S. Jaishankar met Chinese Foreign Minister Wang Yi in "
        "Astana on Thursday on the sidelines of the SCO summit.",
    )
    meeting = Meeting(
        parties=("CN", "IN"),
        status="held",
        officials=("S. Jaishankar", "Wang Yi"),
        location="Astana",
        confidence=0.92,
        evidence=evidence,
        meeting_date=date(2024, 7, 4),
    )
    published = datetime(2024, 7, 4, 9, 41, tzinfo=UTC)
    report = ReportRef(
        item_key="sample:jaishankar-wang-yi-astana",
        source_id="sample",
        url="https://example.com/sample/jaishankar-wang-yi-astana",
        title="[sample] Jaishankar meets Wang Yi in Astana",
        published_at=published,
        lang="en",
    )
    match = Match(
        rule_id="bilateral",
        item_key=report.item_key,
        kind="bilateral_meeting",
        summary="IN–CN held: Jaishankar met Wang Yi",
        evidence=evidence,
        meeting=meeting,
        confidence=0.92,
    )
    event_key = "sample-event-in-cn-2024-07-04"
    updates = kind != "new"
    return Alert(
        id=Alert.make_id(notifier, "bilateral", event_key, kind),
        notifier=notifier,
        rule_id="bilateral",
        kind="confirmed" if kind == "confirmed" else ("update" if updates else "new"),
        event_key=event_key,
        headline="IN–CN: Jaishankar met Wang Yi in Astana",
        match=match,
        report=report,
        created_at=datetime(2024, 7, 4, 9, 42, tzinfo=UTC),
        report_count=13 if updates else 1,
        confirmed_by=("MEA", "@DrSJaishankar") if kind == "confirmed" else (),
        parent_id=Alert.make_id(notifier, "bilateral", event_key, "new") if updates else None,
    )
