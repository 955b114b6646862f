"""Events: many reports of one real meeting become one event. PURE (no I/O, no clock).

``cluster()`` takes one new Match (with its Item's ReportRef and meeting date) and the
candidate events the store found for the same unordered party pair around that date, and
decides: a new event, joining one (with what changed), or a duplicate (the item is already
a report of the event: re-processing is a no-op).

Identity. Reports are one event when they share the kind and the unordered pair, are the
same kind of contact (in person vs. a call), their meeting dates lie within ``window_days``
of the event's date, and neither officials nor places contradict (see ``_conflict``). When
several events fit, the closest date wins, then the earlier event date, then the key.

Derived state. An event's status, officials, place, date and confirmations are a function
of its *set* of reports (never of their arrival order), recomputed on every join:
- status: ``held`` once any report says held (a later "will meet" does not resurrect a
  held meeting); otherwise the most recently published of scheduled/cancelled;
- officials: the union, in report order; place: the most specific (a known city over an
  unknown venue over a country), then the most reported;
- date: the most reported date read from text (ties: the earliest); publish dates only
  when no report dates the meeting;
- confirmed_by: the labels of official reports (a ministry's feed, an official's account).

Keys. ``CN-IN@2025-04-02`` (pair, founding report's date), ``#call`` for calls, a
``kind:`` prefix for kinds other than bilateral meetings, and ``~hash`` when an
incompatible event already holds the plain key. Keyword matches (no meeting) make one
event per match: ``match:<match key>``. A key never changes once issued.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from monitor.events.places import PlaceResolver, places_compatible, resolve_place
from monitor.events.record import (
    Action,
    EventChange,
    EventDecision,
    EventRecord,
    EventReport,
    Family,
    OfficialCountry,
    Rejection,
    name_key,
)
from monitor.model import Match, ReportRef, stable_hash
from rules.dates.meeting import MeetingDate

__all__ = [
    "Action",
    "CandidateQuery",
    "ClusterPolicy",
    "EventChange",
    "EventDecision",
    "EventRecord",
    "EventReport",
    "Family",
    "OfficialCountry",
    "OfficialResolver",
    "Rejection",
    "candidate_query",
    "cluster",
    "diff",
    "keyword_key",
    "make_report",
    "official_by_source",
    "official_resolver",
    "rebuild",
]

BILATERAL = "bilateral_meeting"
DEFAULT_WINDOW_DAYS = 3

# (ReportRef, parties) -> a label such as "MEA" or "@DrSJaishankar", or None.
OfficialResolver = Callable[[ReportRef, tuple[str, ...]], str | None]


def official_by_source(ref: ReportRef, parties: tuple[str, ...]) -> str | None:
    """The default: a report from a source marked ``official = true`` confirms; its label
    is the author's handle when there is one, else the source id."""
    del parties
    return (ref.author_handle or ref.source_id) if ref.official else None


def official_resolver(
    handles: Mapping[str, str | None] | Collection[str] = (),
    source_labels: Mapping[str, str] | None = None,
) -> OfficialResolver:
    """Official sources plus the roster's accounts. ``handles`` are known officials'
    handles, optionally mapped to their country: a handle mapped to a country confirms
    only meetings of that country. ``source_labels`` names sources in update text
    ({"mea-press": "MEA"})."""
    labels = dict(source_labels or {})
    by_handle: dict[str, str | None] | None = None  # built on the first report with a handle

    def resolve(ref: ReportRef, parties: tuple[str, ...]) -> str | None:
        nonlocal by_handle
        handle = (ref.author_handle or "").casefold()
        if handle:
            if by_handle is None:
                by_handle = (
                    {h.casefold(): c for h, c in handles.items()}
                    if isinstance(handles, Mapping)
                    else dict.fromkeys((h.casefold() for h in handles), None)
                )
            if handle in by_handle:
                country = by_handle[handle]
                if country is None or country in parties:
                    return ref.author_handle
        if ref.official:
            return ref.author_handle or labels.get(ref.source_id, ref.source_id)
        return None

    return resolve


@dataclass(frozen=True, slots=True)
class ClusterPolicy:
    """How reports are grouped. ``official_country`` maps a canonical official's name to
    their country (the detector's roster); without it, officials contradict only when
    both reports name two or more people and share none."""

    window_days: int = DEFAULT_WINDOW_DAYS
    official: OfficialResolver = official_by_source
    official_country: OfficialCountry | None = None
    place: PlaceResolver = resolve_place


def family_of(match: Match) -> Family:
    if match.meeting is None:
        return "item"
    return "call" if match.meeting.status == "call" else "meeting"


def base_key(kind: str, pair: str, family: Family, day: date) -> str:
    key = f"{pair}@{day.isoformat()}"
    if family == "call":
        key += "#call"
    return key if kind == BILATERAL else f"{kind}:{key}"


def _derive_status(family: Family, reports: Iterable[EventReport]) -> str:
    if family == "call":
        return "call"
    if family == "item":
        return "reported"
    statuses = [r.status for r in reports]  # reports are in publish order
    if "held" in statuses:
        return "held"
    return statuses[-1]


def _derive_place(reports: Iterable[EventReport], resolver: PlaceResolver) -> str | None:
    rank = {"city": 3, "unknown": 2, "country": 1}
    scored: dict[str, tuple[int, int, int]] = {}
    for index, report in enumerate(reports):
        if not report.place:
            continue
        place = resolver(report.place)
        level, count, first = scored.get(place.name, (rank[place.level], 0, -index))
        scored[place.name] = (level, count + 1, first)
    return max(scored, key=lambda name: scored[name]) if scored else None


def _derive_date(reports: Iterable[EventReport]) -> date:
    reports = list(reports)
    dated = Counter(r.date for r in reports if r.dated_by_text)
    if dated:
        return min(dated, key=lambda d: (-dated[d], d))
    return min(r.date for r in reports)


def _unique(values: Iterable[str], key: Callable[[str], str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(key(value), value)
    return tuple(seen.values())


def _record(
    *,
    key: str,
    kind: str,
    parties: tuple[str, ...],
    family: Family,
    anchor: date,
    reports: Iterable[EventReport],
    first_seen: datetime,
    updated_at: datetime,
    policy: ClusterPolicy,
) -> EventRecord:
    ordered = tuple(sorted(reports, key=lambda r: r.order))
    return EventRecord(
        key=key,
        kind=kind,
        parties=parties,
        family=family,
        anchor=anchor,
        reports=ordered,
        status=_derive_status(family, ordered),
        officials=_unique((o for r in ordered for o in r.officials), name_key),
        place=_derive_place(ordered, policy.place),
        date=_derive_date(ordered),
        confirmed_by=_unique((r.confirmer for r in ordered if r.confirmer), str.casefold),
        first_seen=first_seen,
        updated_at=updated_at,
    )


def _by_country(
    names: Iterable[str], parties: tuple[str, ...], country: OfficialCountry
) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = {}
    for name in names:
        code = country(name)
        if code in parties:
            groups.setdefault(code, set()).add(name_key(name))
    return groups


def _officials_conflict(
    event: EventRecord, report: EventReport, policy: ClusterPolicy
) -> str | None:
    """Officials contradict when, for one party, both sides name its officials and share
    none ("Modi met Xi" vs "Jaishankar met Wang Yi": another meeting that day). Lists are
    often partial ("Wang Yi met his Indian counterpart"), so a side naming nobody for a
    party never contradicts. Without a roster, only two full line-ups that share nobody do."""
    if not event.officials or not report.officials:
        return None
    if policy.official_country is not None:
        ours = _by_country(event.officials, event.parties, policy.official_country)
        theirs = _by_country(report.officials, event.parties, policy.official_country)
        for code in event.parties:
            if ours.get(code) and theirs.get(code) and not ours[code] & theirs[code]:
                return f"officials for {code} differ: {', '.join(report.officials)}"
        return None
    a = {name_key(n) for n in event.officials}
    b = {name_key(n) for n in report.officials}
    if len(a) >= 2 and len(b) >= 2 and not a & b:
        return f"officials differ: {', '.join(report.officials)}"
    return None


def _conflict(event: EventRecord, report: EventReport, policy: ClusterPolicy) -> str | None:
    """Why ``report`` cannot be part of ``event`` (None when it can)."""
    distance = abs((report.date - event.date).days)
    if distance > policy.window_days:
        return f"{distance} days from {event.date.isoformat()} (window {policy.window_days})"
    if report.place:
        mine = policy.place(report.place)
        for other in {r.place for r in event.reports if r.place}:
            if not places_compatible(mine, policy.place(other)):
                return f"place {report.place} contradicts {other}"
    return _officials_conflict(event, report, policy)


def _new_key(base: str, taken: set[str], report: EventReport, policy: ClusterPolicy) -> str:
    if base not in taken:
        return base
    place = policy.place(report.place).name if report.place else ""
    signature = "|".join([name_key(place), *sorted(name_key(o) for o in report.officials)])
    key = f"{base}~{stable_hash(signature, length=8)}"
    if key in taken:
        key = f"{base}~{stable_hash(signature, report.ref.item_key, length=8)}"
    return key


@dataclass(frozen=True, slots=True)
class CandidateQuery:
    """What the store must return as ``candidates`` for one match: the event with ``key``
    when set (keyword matches), else every event of ``kind`` and ``pair`` whose date or
    anchor lies in [``date_from``, ``date_to``]; plus, always, any event holding
    ``item_key`` (so re-processing stays a duplicate even if the date reads differently)."""

    kind: str
    pair: str
    date_from: date
    date_to: date
    item_key: str
    key: str | None = None


def candidate_query(
    match: Match, ref: ReportRef, when: MeetingDate | date, policy: ClusterPolicy | None = None
) -> CandidateQuery:
    policy = policy or ClusterPolicy()
    day = when.value if isinstance(when, MeetingDate) else when
    window = timedelta(days=policy.window_days)
    pair = match.meeting.pair if match.meeting else ""
    key = keyword_key(match) if match.meeting is None else None
    return CandidateQuery(match.kind, pair, day - window, day + window, ref.item_key, key)


def keyword_key(match: Match) -> str:
    """The key of the event a match without a meeting makes on its own."""
    return f"match:{match.key}"


def make_report(
    match: Match, ref: ReportRef, when: MeetingDate | date, policy: ClusterPolicy
) -> EventReport:
    parties = tuple(sorted(match.meeting.parties)) if match.meeting else ()
    dated = when if isinstance(when, MeetingDate) else MeetingDate(when, "text")
    return EventReport(
        ref=ref,
        match=match,
        date=dated.value,
        date_source=dated.source,
        confirmer=policy.official(ref, parties),
    )


def cluster(
    match: Match,
    ref: ReportRef,
    when: MeetingDate | date,
    candidates: Iterable[EventRecord],
    *,
    now: datetime,
    policy: ClusterPolicy | None = None,
) -> EventDecision:
    """File one match under an event.

    ``when`` is the meeting date (``rules.dates.meeting.date_of``; a bare ``date`` counts as read
    from the text). ``candidates`` must include every event of the same kind and pair whose
    ``date`` or ``anchor`` lies within ``window_days`` of ``when``, plus any event that
    already holds ``ref.item_key``; others are ignored. ``now`` stamps new and changed
    events only.
    """
    policy = policy or ClusterPolicy()
    report = make_report(match, ref, when, policy)
    family = family_of(match)
    parties = tuple(sorted(match.meeting.parties)) if match.meeting else ()
    pair = "-".join(parties)
    if family == "item":
        key = keyword_key(match)
        same = [c for c in candidates if c.key == key]
        if same:
            return EventDecision("duplicate", same[0], report, before=same[0])
        event = _record(
            key=key, kind=match.kind, parties=(), family="item", anchor=report.date,
            reports=[report], first_seen=now, updated_at=now, policy=policy,
        )  # fmt: skip
        return EventDecision("new", event, report, change=EventChange(added_report=True))

    pool = [c for c in candidates if c.kind == match.kind and c.pair == pair and c.family == family]
    for event in pool:
        if event.has_item(ref.item_key):
            return EventDecision("duplicate", event, report, before=event)
    fits: list[EventRecord] = []
    rejected: list[Rejection] = []
    for event in pool:
        reason = _conflict(event, report, policy)
        if reason is None:
            fits.append(event)
        else:
            rejected.append(Rejection(event.key, reason))
    if not fits:
        base = base_key(match.kind, pair, family, report.date)
        key = _new_key(base, {c.key for c in candidates}, report, policy)
        event = _record(
            key=key, kind=match.kind, parties=parties, family=family, anchor=report.date,
            reports=[report], first_seen=now, updated_at=now, policy=policy,
        )  # fmt: skip
        change = EventChange(added_report=True)
        return EventDecision("new", event, report, change=change, rejected=tuple(rejected))
    best = min(fits, key=lambda e: (abs((report.date - e.date).days), e.date, e.key))
    after = _record(
        key=best.key, kind=best.kind, parties=best.parties, family=best.family,
        anchor=best.anchor, reports=[*best.reports, report], first_seen=best.first_seen,
        updated_at=now, policy=policy,
    )  # fmt: skip
    return EventDecision(
        "join", after, report, before=best, change=diff(best, after), rejected=tuple(rejected)
    )


def diff(before: EventRecord, after: EventRecord) -> EventChange:
    """What changed between two states of one event."""
    known = {name_key(o) for o in before.officials}
    confirmed = {c.casefold() for c in before.confirmed_by}
    return EventChange(
        added_report=after.report_count > before.report_count,
        officials_added=tuple(o for o in after.officials if name_key(o) not in known),
        place=(before.place, after.place) if before.place != after.place else None,
        status=(before.status, after.status) if before.status != after.status else None,
        date=(before.date, after.date) if before.date != after.date else None,
        confirmed_by_added=tuple(c for c in after.confirmed_by if c.casefold() not in confirmed),
    )


def rebuild(event: EventRecord, policy: ClusterPolicy | None = None) -> EventRecord:
    """Recompute the derived state (after a change of policy or of the place table)."""
    return _record(
        key=event.key, kind=event.kind, parties=event.parties, family=event.family,
        anchor=event.anchor, reports=event.reports, first_seen=event.first_seen,
        updated_at=event.updated_at, policy=policy or ClusterPolicy(),
    )  # fmt: skip
