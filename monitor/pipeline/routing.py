"""What the pipeline hands to a ``decide`` and what it gets back: the contract between the
pipeline (``process``) and the event decisions (``decide``), kept apart so neither imports the
other's module."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from monitor.model import Alert, Item, Match
from monitor.store.base import Transaction
from rules.base import RuleOptions


@dataclass(frozen=True, slots=True)
class RoutedMatch:
    """A match with what ``decide`` needs to route it."""

    match: Match
    item: Item
    rule: RuleOptions
    backfill: bool = False  # too old (or undated on a first poll): record, do not alert


@dataclass(frozen=True, slots=True)
class DecideContext:
    now: datetime
    notifiers: frozenset[str]  # enabled notifier names


@dataclass(frozen=True, slots=True)
class QueuedAlert:
    """An alert to queue; a held one (quiet hours) is not sent before ``not_before``."""

    alert: Alert
    not_before: datetime | None = None


Decide = Callable[[Transaction, Sequence[RoutedMatch], DecideContext], Awaitable[list[QueuedAlert]]]


class Flush(Protocol):
    """A decide's ``flush``: the alerts that have come due by ``now`` (folded updates)."""

    def __call__(
        self, tx: Transaction, now: datetime, *, notifiers: frozenset[str]
    ) -> Awaitable[list[QueuedAlert]]: ...


async def queue(tx: Transaction, alerts: Sequence[QueuedAlert]) -> list[str]:
    """Write ``alerts`` to the outbox (held ones with their release time); the new ids."""
    if not alerts:
        return []
    holds = {q.alert.id: q.not_before for q in alerts if q.not_before is not None}
    return await tx.add_alerts([q.alert for q in alerts], not_before=holds or None)
