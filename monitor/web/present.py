"""What the templates show, computed from store values (PURE): an event as a card (flags,
names, headline, facts, reports), an event's timeline, a source's health row.

Values are plain text; the templates escape them (Jinja autoescape). Links are kept only
when they are absolute http(s) URLs (``safe_url``), so a feed cannot smuggle a
``javascript:`` link onto the page. Error texts pass through ``mask_text`` first: nothing
that looks like a secret reaches a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from monitor.events.headlines import headline
from monitor.events.record import EventRecord, EventReport, OfficialCountry
from monitor.logs import mask_text
from monitor.render.facts import STATUS_LABELS, Party, flag, party_name
from monitor.render.fit import safe_url
from monitor.store.base import OutboxRow, SourceState
from monitor.store.webreads import EventSummary, LeadReport, SourceActivity
from monitor.watch.silence import Pace, Verdict

RTL = frozenset({"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"})


def party(code: str) -> Party:
    return Party(code, party_name(code), flag(code))


def text_dir(lang: str | None) -> str:
    """ "rtl" for right-to-left languages, else "auto" (the browser looks at the text)."""
    return "rtl" if lang and lang.split("-")[0].lower() in RTL else "auto"


def event_href(key: str) -> str:
    return "/events/" + quote(key, safe="")


@dataclass(frozen=True, slots=True)
class ReportView:
    title: str
    url: str | None
    lang: str | None
    dir: str
    source_id: str
    published_at: datetime | None
    confirmer: str | None
    status: str
    rule_id: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EventCard:
    key: str
    href: str
    parties: tuple[Party, ...]
    headline: str
    officials: tuple[str, ...]
    place: str | None
    date: date
    status: str
    status_label: str
    confirmed_by: tuple[str, ...]
    report_count: int
    languages: tuple[str, ...]
    first_seen: datetime
    updated_at: datetime
    lead: ReportView | None  # the headline report (the first in report order)
    reports: tuple[ReportView, ...]  # every report; () on a card built from a summary


def report_view(report: EventReport) -> ReportView:
    ref = report.ref
    return ReportView(
        # A post has no title: its first evidence sentence stands in.
        title=" ".join((ref.title or next(iter(report.match.evidence), "(no title)")).split()),
        url=safe_url(ref.url),
        lang=ref.lang,
        dir=text_dir(ref.lang),
        source_id=ref.source_id,
        published_at=ref.published_at,
        confirmer=report.confirmer,
        status=report.status,
        rule_id=report.match.rule_id,
        evidence=report.match.evidence,
    )


def lead_view(lead: LeadReport) -> ReportView:
    """The headline report of a summary, as ``report_view`` shows a report."""
    return ReportView(
        title=" ".join((lead.title or lead.evidence or "(no title)").split()),
        url=safe_url(lead.url),
        lang=lead.lang,
        dir=text_dir(lead.lang),
        source_id=lead.source_id,
        published_at=lead.published_at,
        confirmer=lead.confirmer,
        status="",
        rule_id="",
        evidence=(),
    )


def _card(
    e: EventSummary | EventRecord,
    title: str,
    languages: tuple[str, ...],
    lead: ReportView | None,
    reports: tuple[ReportView, ...],
) -> EventCard:
    """The card of an event's own facts (a summary's and a record's are the same), with
    what each source knows of its reports."""
    return EventCard(
        key=e.key,
        href=event_href(e.key),
        parties=tuple(party(c) for c in e.parties),
        headline=title,
        officials=e.officials,
        place=e.place,
        date=e.date,
        status=e.status,
        status_label=STATUS_LABELS.get(e.status, e.status),
        confirmed_by=e.confirmed_by,
        report_count=e.report_count,
        languages=languages,
        first_seen=e.first_seen,
        updated_at=e.updated_at,
        lead=lead,
        reports=reports,
    )


def summary_card(s: EventSummary, official_country: OfficialCountry | None = None) -> EventCard:
    """A card from an event's row alone (the meetings list): the headline report only."""
    if s.family == "item":
        title = (s.lead.summary or s.lead.title if s.lead else "") or "match"
    else:
        head = EventRecord(
            key=s.key, kind=s.kind, parties=s.parties, family="meeting", anchor=s.anchor,
            reports=(), status=s.status, officials=s.officials, place=s.place, date=s.date,
            confirmed_by=s.confirmed_by, first_seen=s.first_seen, updated_at=s.updated_at,
        )  # fmt: skip
        title = headline(head, official_country=official_country)
    return _card(s, title, s.languages, lead_view(s.lead) if s.lead else None, ())


def event_card(event: EventRecord, official_country: OfficialCountry | None = None) -> EventCard:
    """A card with every report (an event's page, a card's reports fragment)."""
    langs = sorted({(r.ref.lang or "").split("-")[0] for r in event.reports} - {""})
    reports = tuple(report_view(r) for r in event.reports)
    title = headline(event, official_country=official_country)
    # ``load_events`` keeps report order: the first is the headline report.
    return _card(event, title, tuple(langs), reports[0] if reports else None, reports)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One alert about the event and what became of it."""

    alert_id: str
    kind: str
    notifier: str
    headline: str
    state: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None
    held_until: datetime | None


def delivery(row: OutboxRow) -> Delivery:
    return Delivery(
        alert_id=row.alert.id,
        kind=row.alert.kind,
        notifier=row.notifier,
        headline=row.alert.headline,
        state=row.state,
        attempts=row.attempts,
        created_at=row.created_at,
        sent_at=row.sent_at,
        last_error=mask_text(row.last_error) if row.last_error else None,
        held_until=row.not_before if row.state == "pending" else None,
    )


@dataclass(frozen=True, slots=True)
class SourceRow:
    source_id: str
    type: str
    official: bool
    enabled: bool
    interval_s: float
    last_polled_at: datetime | None
    last_status: str | None
    last_error: str | None
    failures: int
    failing_since: datetime | None
    next_due_at: datetime | None
    items: int  # in the activity window
    last_item_at: datetime | None
    usual_gap: timedelta | None  # the median gap between new items (monitor/watch/silence.py)
    silent_after: timedelta | None  # the source's silence limit (None: too little history)
    silent: bool  # nothing new, or failing, for longer than its limit: the one definition
    failing: bool

    @property
    def stands_out(self) -> bool:
        return self.silent or self.failing


@dataclass(frozen=True, slots=True)
class ConfiguredSource:
    """What the sources page needs of a configured source (never its URL or secrets)."""

    source_id: str
    type: str
    official: bool
    enabled: bool
    interval_s: float


def source_rows(
    configured: Iterable[ConfiguredSource],
    states: Mapping[str, SourceState],
    activity: Mapping[str, SourceActivity],
    watched: Mapping[str, tuple[Pace, Verdict]],
) -> list[SourceRow]:
    """One row per configured source: failing ones first, then silent ones, then by id.
    ``watched`` holds each enabled source's pace and silence verdict (``monitor.watch``),
    the same ones ``bilat status``, the metrics and the operator's alerts use."""
    rows = []
    for src in configured:
        state = states.get(src.source_id)
        act = activity.get(src.source_id)
        pace, verdict = watched.get(src.source_id, (None, None))
        failing = bool(state and state.failures)
        rows.append(
            SourceRow(
                source_id=src.source_id,
                type=src.type,
                official=src.official,
                enabled=src.enabled,
                interval_s=src.interval_s,
                last_polled_at=state.last_polled_at if state else None,
                last_status=state.last_status if state else None,
                last_error=mask_text(state.last_error) if state and state.last_error else None,
                failures=state.failures if state else 0,
                failing_since=state.failing_since if state else None,
                next_due_at=state.next_due_at if state else None,
                items=act.items if act else 0,
                last_item_at=act.last_item_at if act else None,
                usual_gap=pace.usual_gap() if pace else None,
                silent_after=verdict.limit if verdict else None,
                silent=src.enabled and verdict is not None and verdict.silent,
                failing=src.enabled and failing,
            )
        )
    rows.sort(key=lambda r: (not r.failing, not r.silent, r.source_id))
    return rows


def ago(when: datetime | None, now: datetime) -> str:
    """ "3 min ago", "in 2 h", "5 d ago"; "never" for None."""
    if when is None:
        return "never"
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        text = f"{int(seconds)} s"
    elif seconds < 3600:
        text = f"{int(seconds // 60)} min"
    elif seconds < 2 * 86400:
        text = f"{int(seconds // 3600)} h"
    else:
        text = f"{int(seconds // 86400)} d"
    return f"in {text}" if future else f"{text} ago"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime | None
    kind: str  # "report" | "alert"
    report: ReportView | None = None
    delivery: Delivery | None = None


def timeline(card: EventCard, deliveries: Iterable[Delivery]) -> list[TimelineEntry]:
    """Reports (at their publication) and alerts (at their creation) in time order;
    undated reports first, as the store orders them."""
    entries = [TimelineEntry(r.published_at, "report", report=r) for r in card.reports]
    entries += [TimelineEntry(d.created_at, "alert", delivery=d) for d in deliveries]
    floor = datetime.min.replace(tzinfo=card.first_seen.tzinfo)
    return sorted(entries, key=lambda t: (t.at or floor, t.kind != "report"))
