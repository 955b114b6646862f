"""Read-only views of the store for operators: the leases held (``bilat status``, metrics).
A plain record, no I/O; ``base`` re-exports it with the Store protocol."""

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


__all__ = ["LeaseHolder"]
