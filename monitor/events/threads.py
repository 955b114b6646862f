"""Alert threads: what one notifier has been told about one event (persisted per event
and notifier). The first alert's id is the thread's ``parent_id``; ``announced`` is the
state the desk last saw, so an update can say exactly what is new."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.events.record import EventRecord


@dataclass(frozen=True, slots=True)
class Announced:
    """What a thread has told the desk so far."""

    report_count: int
    status: str
    officials: tuple[str, ...]
    place: str | None
    confirmed_by: tuple[str, ...]

    @classmethod
    def of(cls, event: EventRecord) -> Announced:
        return cls(
            event.report_count, event.status, event.officials, event.place, event.confirmed_by
        )


@dataclass(frozen=True, slots=True)
class Thread:
    """The alerts one notifier got about one event (persisted with the event)."""

    event_key: str
    notifier: str
    rule_id: str
    parent_id: str
    seq: int  # sequence number of the last update
    announced: Announced
    last_sent_at: datetime  # when the last alert went (or goes, if held) out
    confirmed_sent: bool = False
    flush_at: datetime | None = None  # a folded update is due then

    def to_json(self) -> dict[str, Any]:
        a = self.announced
        return {
            "event_key": self.event_key,
            "notifier": self.notifier,
            "rule_id": self.rule_id,
            "parent_id": self.parent_id,
            "seq": self.seq,
            "announced": {
                "report_count": a.report_count,
                "status": a.status,
                "officials": list(a.officials),
                "place": a.place,
                "confirmed_by": list(a.confirmed_by),
            },
            "last_sent_at": self.last_sent_at.isoformat(),
            "confirmed_sent": self.confirmed_sent,
            "flush_at": self.flush_at.isoformat() if self.flush_at else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Thread:
        a = data["announced"]
        return cls(
            event_key=data["event_key"],
            notifier=data["notifier"],
            rule_id=data["rule_id"],
            parent_id=data["parent_id"],
            seq=int(data["seq"]),
            announced=Announced(
                int(a["report_count"]),
                a["status"],
                tuple(a["officials"]),
                a.get("place"),
                tuple(a["confirmed_by"]),
            ),
            last_sent_at=datetime.fromisoformat(data["last_sent_at"]),
            confirmed_sent=bool(data["confirmed_sent"]),
            flush_at=datetime.fromisoformat(data["flush_at"]) if data.get("flush_at") else None,
        )
