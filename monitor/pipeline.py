"""The pipeline: new items -> rules -> matches -> alert decisions -> one store transaction.

``Pipeline.process(state, items)`` is called by the poller with the source's next state (new
cursor, validators, due time) and by push sources (``process_items``) with their cursor.
Inside one transaction it drops items already seen, runs every rule that accepts an item,
records matches, asks ``decide`` for alerts, queues them in the outbox and saves the source's
state. A crash anywhere before the commit leaves nothing behind; the cursor advances only with
the items.

Backfill (first run does not flood): an item published more than ``backfill`` ago never
alerts; on a source's first successful poll, undated items do not alert either (their age is
unknown). Such items are still marked seen and still matched (so event clustering can learn
from them), but ``decide`` receives them with ``backfill=True``.

``decide`` is the one place that turns matches into alerts. The default sends one "new" alert
per match to each enabled notifier in the rule's ``notify`` list; event clustering replaces it
with a function of the same signature that reads and writes its events in the same
transaction.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from monitor.contracts import SourceCursor
from monitor.model import Alert, Item, Match, ReportRef, utcnow
from monitor.store.base import SourceState, Store, Transaction
from rules.base import Rule, RuleOptions

log = structlog.get_logger(__name__)


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


Decide = Callable[[Transaction, Sequence[RoutedMatch], DecideContext], Awaitable[list[Alert]]]


async def decide(
    tx: Transaction, matches: Sequence[RoutedMatch], ctx: DecideContext
) -> list[Alert]:
    """One "new" alert per (match, enabled notifier of its rule); the match is the event."""
    alerts: list[Alert] = []
    for routed in matches:
        if routed.backfill:
            continue
        m = routed.match
        for notifier in routed.rule.notify:
            if notifier not in ctx.notifiers:
                continue
            alerts.append(
                Alert(
                    id=Alert.make_id(notifier, m.rule_id, m.key, "new"),
                    notifier=notifier,
                    rule_id=m.rule_id,
                    kind="new",
                    event_key=m.key,
                    headline=m.summary,
                    match=m,
                    report=ReportRef.of(routed.item),
                    created_at=ctx.now,
                )
            )
    return alerts


@dataclass(frozen=True, slots=True)
class Outcome:
    """What processing one batch did (for the canonical poll log line)."""

    fetched: int
    new: int
    matched: int
    alerts: list[str] = field(default_factory=list)  # ids of newly queued alerts


class Pipeline:
    """Runs rules over new items and commits the result with the source's state."""

    def __init__(
        self,
        store: Store,
        rules: Sequence[Rule],
        *,
        notifiers: frozenset[str],
        backfill_s: float,
        decide: Decide = decide,
        on_alerts: Callable[[list[str]], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.rules = list(rules)
        self.notifiers = notifiers
        self.backfill = timedelta(seconds=backfill_s)
        self.decide = decide
        self.on_alerts = on_alerts  # e.g. wake the delivery worker
        self.clock = clock

    async def process(
        self, state: SourceState, items: Sequence[Item], *, first_poll: bool = False
    ) -> Outcome:
        """Process ``items`` of ``state.source_id`` and save ``state``, in one transaction."""
        now = self.clock()
        # Several entries with one id (feeds do that) count once: the first wins.
        unique = list({item.key: item for item in reversed(items)}.values())[::-1]
        async with self.store.transaction() as tx:
            fresh = await tx.unseen([item.key for item in unique])
            new_items = [item for item in unique if item.key in fresh]
            if unique:
                await tx.mark_seen(unique, now)
            routed = self._evaluate(new_items, now, first_poll)
            if routed:
                await tx.add_matches([(r.match, r.item) for r in routed], now)
            alerts = await self.decide(tx, routed, DecideContext(now, self.notifiers))
            queued = await tx.add_alerts(alerts) if alerts else []
            await tx.save_source_state(state)
        if queued and self.on_alerts:
            self.on_alerts(queued)
        return Outcome(fetched=len(items), new=len(new_items), matched=len(routed), alerts=queued)

    async def process_items(
        self, source_id: str, items: Sequence[Item], cursor: SourceCursor
    ) -> Outcome:
        """For push sources: process a batch and persist ``cursor`` with it."""
        state = await self.store.source_state(source_id)
        now = self.clock()
        next_state = state.evolve(
            cursor=cursor, last_ok_at=now, last_polled_at=now, failures=0, failing_since=None
        )
        return await self.process(next_state, items, first_poll=state.last_ok_at is None)

    def _evaluate(
        self, items: Sequence[Item], now: datetime, first_poll: bool
    ) -> list[RoutedMatch]:
        routed: list[RoutedMatch] = []
        cutoff = now - self.backfill
        for item in items:
            published = item.published_at
            backfill = first_poll if published is None else published < cutoff
            for rule in self.rules:
                opts = rule.options
                if not opts.enabled or not opts.accepts(item):
                    continue
                t0 = time.perf_counter()
                try:
                    matches = rule.evaluate(item)
                except Exception:
                    # A broken rule must not stop the poll (or the other rules).
                    log.exception("rule.failed", rule_id=opts.id, item_key=item.key)
                    continue
                elapsed = time.perf_counter() - t0
                if elapsed > 0.5:
                    log.warning("rule.slow", rule_id=opts.id, item_key=item.key, s=elapsed)
                routed += [RoutedMatch(m, item, opts, backfill) for m in matches]
        return routed
