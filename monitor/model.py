"""The vocabulary of bilat: Item, Meeting, Match, Event, Alert.

Data flows one way: Source -> Item -> Rule -> Match -> Event -> Alert -> Notifier.
Everything here is a frozen dataclass so values can be shared between tasks and hashed, and
each type round-trips through plain JSON (``to_json``/``from_json``) for the store and the
outbox. Times are timezone-aware UTC ``datetime``s; codes for parties are ISO 3166-1 alpha-2
for countries and short uppercase codes for organisations (UN, EU, NATO, ASEAN ...).
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeVar

MeetingStatus = Literal["held", "scheduled", "call", "cancelled"]
MEETING_STATUSES: tuple[MeetingStatus, ...] = ("held", "scheduled", "call", "cancelled")

AlertKind = Literal["new", "update", "confirmed"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def stable_hash(*parts: str, length: int = 24) -> str:
    """A short, stable hex digest of ``parts`` (ids that must survive restarts)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


_D = TypeVar("_D")


def positional_pickle(cls: type[_D]) -> type[_D]:
    """Pickle a slotted dataclass as the tuple of its field values, restored by position.

    The default for slotted dataclasses (Python 3.11) calls ``dataclasses.fields`` for every
    instance pickled and unpickled: with the worker pool, items and matches cross its pipes
    both ways, and that took twice the time of the rest of the round trip."""
    names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    values = operator.attrgetter(*names)

    def __getstate__(self: Any) -> tuple[Any, ...]:
        state = values(self)
        return state if len(names) > 1 else (state,)

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    setattr(cls, "__getstate__", __getstate__)  # noqa: B010 (mypy refuses the assignment)
    setattr(cls, "__setstate__", __setstate__)  # noqa: B010
    return cls


@positional_pickle
@dataclass(frozen=True, slots=True)
class Item:
    """One normalised post or article from one source.

    ``id`` is stable within its source (feed guid, else link, else a content hash; a post id
    for social sources); ``key`` is unique across sources.
    """

    id: str
    source_id: str
    title: str
    text: str
    url: str | None = None
    published_at: datetime | None = None
    author: str | None = None  # display name, or the handle when no name is known
    author_handle: str | None = None  # "@DrSJaishankar", "@user@mastodon.social", a DID ...
    lang: str | None = None  # BCP 47 / ISO 639-1 as given by the source, lower-case
    fetched_at: datetime = field(default_factory=utcnow)
    official: bool = False  # the source is an official one (a ministry, an official's account)
    # the publisher's country (``country`` on the source): whose "the foreign minister" it is
    country: str | None = None

    @property
    def key(self) -> str:
        return f"{self.source_id}:{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source_id": self.source_id,
            "title": self.title,
            "text": self.text,
            "url": self.url,
            "published_at": _iso(self.published_at),
            "author": self.author,
            "author_handle": self.author_handle,
            "lang": self.lang,
            "fetched_at": _iso(self.fetched_at),
            "official": self.official,
            "country": self.country,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        return cls(
            id=data["id"],
            source_id=data["source_id"],
            title=data.get("title") or "",
            text=data.get("text") or "",
            url=data.get("url"),
            published_at=_dt(data.get("published_at")),
            author=data.get("author"),
            author_handle=data.get("author_handle"),
            lang=data.get("lang"),
            fetched_at=_dt(data.get("fetched_at")) or utcnow(),
            official=bool(data.get("official", False)),
            country=data.get("country"),
        )


@positional_pickle
@dataclass(frozen=True, slots=True)
class SeenItem:
    """What the store's record of seen items keeps of an item (key, source, date): an item a
    poll brought again, sent back from a worker without its text."""

    key: str
    source_id: str
    published_at: datetime | None = None


@positional_pickle
@dataclass(frozen=True, slots=True)
class Meeting:
    """A bilateral meeting as the detector read it from one text.

    ``parties`` is sorted so that the same pair always compares equal. ``evidence`` holds
    exact substrings of the input text (sentences or clauses).
    """

    parties: tuple[str, str]
    status: MeetingStatus
    officials: tuple[str, ...] = ()
    location: str | None = None
    confidence: float = 0.0
    evidence: tuple[str, ...] = ()
    meeting_date: date | None = None  # when the text says (or implies) when it happened

    @property
    def pair(self) -> str:
        return "-".join(sorted(self.parties))

    def to_json(self) -> dict[str, Any]:
        return {
            "parties": list(self.parties),
            "status": self.status,
            "officials": list(self.officials),
            "location": self.location,
            "confidence": round(self.confidence, 3),
            "evidence": list(self.evidence),
            "meeting_date": self.meeting_date.isoformat() if self.meeting_date else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Meeting:
        a, b = data["parties"]
        md = data.get("meeting_date")
        return cls(
            parties=(a, b),
            status=data["status"],
            officials=tuple(data.get("officials") or ()),
            location=data.get("location"),
            confidence=float(data.get("confidence", 0.0)),
            evidence=tuple(data.get("evidence") or ()),
            meeting_date=date.fromisoformat(md) if md else None,
        )


@positional_pickle
@dataclass(frozen=True, slots=True)
class Match:
    """What one rule found in one item. ``meeting`` is set for bilateral-meeting rules."""

    rule_id: str
    item_key: str
    kind: str  # "keyword" | "bilateral_meeting" | a plugin's kind
    summary: str  # one line a person can read: "IN–CN held: Jaishankar met Wang Yi"
    evidence: tuple[str, ...] = ()
    meeting: Meeting | None = None
    confidence: float = 1.0

    @property
    def key(self) -> str:
        """Unique per (rule, item, meeting pair) so re-processing an item is idempotent."""
        pair = self.meeting.pair if self.meeting else ""
        return stable_hash(self.rule_id, self.item_key, pair)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "item_key": self.item_key,
            "kind": self.kind,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "meeting": self.meeting.to_json() if self.meeting else None,
            "confidence": self.confidence,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Match:
        m = data.get("meeting")
        return cls(
            rule_id=data["rule_id"],
            item_key=data["item_key"],
            kind=data["kind"],
            summary=data.get("summary", ""),
            evidence=tuple(data.get("evidence") or ()),
            meeting=Meeting.from_json(m) if m else None,
            confidence=float(data.get("confidence", 1.0)),
        )


@positional_pickle
@dataclass(frozen=True, slots=True)
class ReportRef:
    """One report (item) that contributed to an event."""

    item_key: str
    source_id: str
    url: str | None
    title: str
    published_at: datetime | None
    lang: str | None = None
    official: bool = False
    author_handle: str | None = None

    @classmethod
    def of(cls, item: Item) -> ReportRef:
        return cls(
            item_key=item.key,
            source_id=item.source_id,
            url=item.url,
            title=item.title,
            published_at=item.published_at,
            lang=item.lang,
            official=item.official,
            author_handle=item.author_handle,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "item_key": self.item_key,
            "source_id": self.source_id,
            "url": self.url,
            "title": self.title,
            "published_at": _iso(self.published_at),
            "lang": self.lang,
            "official": self.official,
            "author_handle": self.author_handle,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportRef:
        return cls(
            item_key=data["item_key"],
            source_id=data["source_id"],
            url=data.get("url"),
            title=data.get("title") or "",
            published_at=_dt(data.get("published_at")),
            lang=data.get("lang"),
            official=bool(data.get("official", False)),
            author_handle=data.get("author_handle"),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """One real-world happening (a meeting), however many reports describe it."""

    key: str
    kind: str
    parties: tuple[str, ...]
    status: str
    officials: tuple[str, ...] = ()
    date: date | None = None
    place: str | None = None
    reports: tuple[ReportRef, ...] = ()
    confirmed_by_official: bool = False
    first_seen: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "parties": list(self.parties),
            "status": self.status,
            "officials": list(self.officials),
            "date": self.date.isoformat() if self.date else None,
            "place": self.place,
            "reports": [r.to_json() for r in self.reports],
            "confirmed_by_official": self.confirmed_by_official,
            "first_seen": _iso(self.first_seen),
            "updated_at": _iso(self.updated_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        d = data.get("date")
        return cls(
            key=data["key"],
            kind=data["kind"],
            parties=tuple(data.get("parties") or ()),
            status=data["status"],
            officials=tuple(data.get("officials") or ()),
            date=date.fromisoformat(d) if d else None,
            place=data.get("place"),
            reports=tuple(ReportRef.from_json(r) for r in data.get("reports") or ()),
            confirmed_by_official=bool(data.get("confirmed_by_official", False)),
            first_seen=_dt(data.get("first_seen")) or utcnow(),
            updated_at=_dt(data.get("updated_at")) or utcnow(),
        )


@dataclass(frozen=True, slots=True)
class Alert:
    """A message to one notifier about one event (or one keyword match).

    ``id`` is deterministic (rule, notifier, event, kind, sequence) so writing the same
    decision twice is a no-op in the store: that is what makes re-processing safe.
    """

    id: str
    notifier: str
    rule_id: str
    kind: AlertKind
    event_key: str
    headline: str  # "IN–CN: Jaishankar met Wang Yi in Astana"
    match: Match
    report: ReportRef
    created_at: datetime = field(default_factory=utcnow)
    report_count: int = 1
    confirmed_by: tuple[str, ...] = ()  # sources/handles that confirmed it officially
    parent_id: str | None = None  # the "new" alert this update/confirmation belongs to

    @staticmethod
    def make_id(notifier: str, rule_id: str, event_key: str, kind: str, seq: int = 0) -> str:
        return stable_hash(notifier, rule_id, event_key, kind, str(seq))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "notifier": self.notifier,
            "rule_id": self.rule_id,
            "kind": self.kind,
            "event_key": self.event_key,
            "headline": self.headline,
            "match": self.match.to_json(),
            "report": self.report.to_json(),
            "created_at": _iso(self.created_at),
            "report_count": self.report_count,
            "confirmed_by": list(self.confirmed_by),
            "parent_id": self.parent_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Alert:
        return cls(
            id=data["id"],
            notifier=data["notifier"],
            rule_id=data["rule_id"],
            kind=data["kind"],
            event_key=data["event_key"],
            headline=data["headline"],
            match=Match.from_json(data["match"]),
            report=ReportRef.from_json(data["report"]),
            created_at=_dt(data.get("created_at")) or utcnow(),
            report_count=int(data.get("report_count", 1)),
            confirmed_by=tuple(data.get("confirmed_by") or ()),
            parent_id=data.get("parent_id"),
        )
