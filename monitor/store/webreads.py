"""Values the store's read-only queries for the desk's web page return (``Store.source_activity``,
``Store.event_stamps``, ``Store.event_summaries_between``; see ``monitor/web``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class SourceActivity:
    """What the items a source brought say about it (the desk's sources page): how many it
    brought in the window, when, and when it last brought anything new at all."""

    source_id: str
    items: int  # items first seen at or after the window's start
    first_item_at: datetime | None  # the earliest of those
    last_item_at: datetime | None  # the newest item ever first seen (within retention)


@dataclass(frozen=True, slots=True)
class EventStamp:
    """An event's version, cheap to read: the live page compares these to see what changed."""

    key: str
    updated_at: datetime
    report_count: int
    status: str


@dataclass(frozen=True, slots=True)
class LeadReport:
    """An event's headline report (its first, in report order) as the meetings list shows it."""

    item_key: str
    source_id: str
    url: str | None
    title: str  # the item's title as published ("" for a post)
    published_at: datetime | None
    lang: str | None
    confirmer: str | None
    summary: str  # the rule's one-line summary (the headline of a plain keyword match)
    evidence: str | None  # the first evidence sentence (stands in for a missing title)


@dataclass(frozen=True, slots=True)
class EventSummary:
    """An event as its ``events`` row holds it: its own facts, how many reports in which
    languages, the rules that matched them, and its headline report. Read without reading
    or parsing any report (the meetings list of a window; the reports come on demand)."""

    key: str
    kind: str
    parties: tuple[str, ...]
    family: str
    anchor: date
    status: str
    officials: tuple[str, ...]
    place: str | None
    date: date
    confirmed_by: tuple[str, ...]
    first_seen: datetime
    updated_at: datetime
    report_count: int
    languages: tuple[str, ...]  # the reports' language codes without region, sorted
    rule_ids: tuple[str, ...]  # the rules whose matches are reports of it, sorted
    lead: LeadReport | None  # None only for a row written by a release without summaries

    @property
    def pair(self) -> str:
        return "-".join(self.parties)
