"""Read-only views of the store for operators and the desk: leases held, source activity,
event versions. Plain records, no I/O; ``base`` re-exports them with the Store protocol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """A lease some node holds (``bilat status``, the leases gauge)."""

    name: str  # "source:<id>" (a poll in flight), "stream:<id>", "notifier:<name>"
    owner: str  # the node's id (hostname:pid:random)
    until: datetime
    mine: bool  # held by this process


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


__all__ = ["EventStamp", "LeaseHolder", "SourceActivity"]
