"""Values the store's read-only queries for the desk's web page return (``Store.source_activity``,
``Store.event_stamps``; see ``monitor/web``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
