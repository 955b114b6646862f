"""Builders for event-layer tests: items and matches as the adapters and detector make them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from monitor.model import Item, Match, Meeting, ReportRef
from rules.dates.meeting import MeetingDate

T0 = datetime(2025, 7, 1, 6, 0, tzinfo=UTC)  # a Tuesday

ROSTER = {
    "S. Jaishankar": "IN",
    "Narendra Modi": "IN",
    "Rajnath Singh": "IN",
    "Wang Yi": "CN",
    "Xi Jinping": "CN",
    "Dong Jun": "CN",
    "Sergey Lavrov": "RU",
}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def item(
    ident: str,
    source: str,
    *,
    hours: float = 0,
    text: str = "",
    title: str = "",
    lang: str = "en",
    official: bool = False,
    handle: str | None = None,
) -> Item:
    return Item(
        id=ident,
        source_id=source,
        title=title,
        text=text,
        url=f"https://{source}.example/{ident}",
        published_at=at(hours),
        lang=lang,
        official=official,
        author_handle=handle,
        fetched_at=at(hours),
    )


def meeting_match(
    it: Item,
    parties: tuple[str, str] = ("CN", "IN"),
    *,
    status: str = "held",
    officials: tuple[str, ...] = (),
    place: str | None = None,
    rule: str = "desk",
    meeting_date: date | None = None,
) -> Match:
    evidence = (it.text,) if it.text else ()
    meeting = Meeting(
        parties=tuple(sorted(parties)),  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        officials=officials,
        location=place,
        confidence=0.9,
        evidence=evidence,
        meeting_date=meeting_date,
    )
    summary = f"{meeting.pair} {status}: {', '.join(officials)}"
    return Match(rule, it.key, "bilateral_meeting", summary, evidence, meeting, 0.9)


def report(
    ident: str,
    day: date,
    *,
    source: str = "wire",
    parties: tuple[str, str] = ("CN", "IN"),
    status: str = "held",
    officials: tuple[str, ...] = (),
    place: str | None = None,
    official: bool = False,
    handle: str | None = None,
    hours: float = 0,
    dated: bool = True,
) -> tuple[Match, ReportRef, MeetingDate]:
    """A match, its report and the date it is filed under (read from text unless not dated)."""
    it = item(ident, source, hours=hours, official=official, handle=handle)
    m = meeting_match(it, parties, status=status, officials=officials, place=place)
    return m, ReportRef.of(it), MeetingDate(day, "text" if dated else "published")
