"""The data of the event layer: reports, event records, what a decision changed. Every
type round-trips through plain JSON (the store keeps ``EventRecord.to_json()``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, TypedDict

from monitor.model import Event, Match, ReportRef

Family = Literal["meeting", "call", "item"]
Action = Literal["new", "join", "duplicate"]
OfficialCountry = Callable[[str], str | None]  # canonical official name -> country code


def name_key(name: str) -> str:
    """The form names compare in: casefolded letters and digits, accents dropped."""
    text = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in text if c.isalnum())


@dataclass(frozen=True, slots=True)
class EventReport:
    """One report of an event: the item, the rule's match, and the date it was filed under."""

    ref: ReportRef
    match: Match
    date: date
    date_source: str = "published"  # rules.dates.meeting.DateSource
    confirmer: str | None = None  # label when this report confirms officially

    @property
    def status(self) -> str:
        return self.match.meeting.status if self.match.meeting else "reported"

    @property
    def officials(self) -> tuple[str, ...]:
        return self.match.meeting.officials if self.match.meeting else ()

    @property
    def place(self) -> str | None:
        return self.match.meeting.location if self.match.meeting else None

    @property
    def dated_by_text(self) -> bool:
        return self.date_source != "published"

    @property
    def order(self) -> tuple[str, str]:
        published = self.ref.published_at.isoformat() if self.ref.published_at else ""
        return (published, self.ref.item_key)

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref.to_json(),
            "match": self.match.to_json(),
            "date": self.date.isoformat(),
            "date_source": self.date_source,
            "confirmer": self.confirmer,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EventReport:
        return cls(
            ref=ReportRef.from_json(data["ref"]),
            match=Match.from_json(data["match"]),
            date=date.fromisoformat(data["date"]),
            date_source=data.get("date_source", "published"),
            confirmer=data.get("confirmer"),
        )


class EventHead(TypedDict):
    """An event's own facts as its stored JSON holds them beside its reports."""

    key: str
    kind: str
    parties: tuple[str, ...]
    family: Family
    anchor: date
    status: str
    officials: tuple[str, ...]
    place: str | None
    date: date
    confirmed_by: tuple[str, ...]
    first_seen: datetime
    updated_at: datetime


def parse_head(data: dict[str, Any]) -> EventHead:
    """The facts of ``EventRecord.to_json()``'s document (reports or not): what
    ``EventRecord.from_json`` and the store's event summaries (``summary_from_row``) read."""
    return EventHead(
        key=data["key"],
        kind=data["kind"],
        parties=tuple(data["parties"]),
        family=data["family"],
        anchor=date.fromisoformat(data["anchor"]),
        status=data["status"],
        officials=tuple(data["officials"]),
        place=data.get("place"),
        date=date.fromisoformat(data["date"]),
        confirmed_by=tuple(data["confirmed_by"]),
        first_seen=datetime.fromisoformat(data["first_seen"]),
        updated_at=datetime.fromisoformat(data["updated_at"]),
    )


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event with its reports and the state derived from them (what the store keeps)."""

    key: str
    kind: str
    parties: tuple[str, ...]
    family: Family
    anchor: date  # the date in the key: the founding report's
    reports: tuple[EventReport, ...]
    status: str
    officials: tuple[str, ...]
    place: str | None
    date: date
    confirmed_by: tuple[str, ...]
    first_seen: datetime
    updated_at: datetime

    @property
    def pair(self) -> str:
        return "-".join(self.parties)

    @property
    def report_count(self) -> int:
        return len(self.reports)

    def has_item(self, item_key: str) -> bool:
        return any(r.ref.item_key == item_key for r in self.reports)

    def view(self) -> Event:
        """The event in the shared vocabulary (render, ``bilat events``)."""
        return Event(
            key=self.key,
            kind=self.kind,
            parties=self.parties,
            status=self.status,
            officials=self.officials,
            date=self.date,
            place=self.place,
            reports=tuple(r.ref for r in self.reports),
            confirmed_by_official=bool(self.confirmed_by),
            first_seen=self.first_seen,
            updated_at=self.updated_at,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "parties": list(self.parties),
            "family": self.family,
            "anchor": self.anchor.isoformat(),
            "reports": [r.to_json() for r in self.reports],
            "status": self.status,
            "officials": list(self.officials),
            "place": self.place,
            "date": self.date.isoformat(),
            "confirmed_by": list(self.confirmed_by),
            "first_seen": self.first_seen.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EventRecord:
        return cls(
            **parse_head(data), reports=tuple(EventReport.from_json(r) for r in data["reports"])
        )


@dataclass(frozen=True, slots=True)
class EventChange:
    """What a decision changed in the event (all empty for a duplicate)."""

    added_report: bool = False
    officials_added: tuple[str, ...] = ()
    place: tuple[str | None, str | None] | None = None  # (before, after)
    status: tuple[str, str] | None = None
    date: tuple[date, date] | None = None
    confirmed_by_added: tuple[str, ...] = ()

    @property
    def newly_confirmed(self) -> bool:
        return bool(self.confirmed_by_added)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A candidate the report could not join, and why (for logs and ``bilat events``)."""

    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class EventDecision:
    action: Action
    event: EventRecord
    report: EventReport
    before: EventRecord | None = None
    change: EventChange = field(default_factory=EventChange)
    rejected: tuple[Rejection, ...] = ()
