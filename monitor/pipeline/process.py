"""The pipeline: new items -> rules -> matches -> events -> alert decisions -> one transaction.

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

``decide`` is the one place that turns matches into alerts. The default is
``monitor.pipeline.decide.EventDecide``: matches cluster into events (one per real meeting; a
keyword match is an event of its own) and each notifier gets one "new" alert per event, then
updates and confirmations in its thread, all read and written in the poll's transaction. A
decide may hold alerts (quiet hours): ``QueuedAlert.not_before``. ``flush_due`` is the
scheduler's tick for the folded updates a decide scheduled (``decide.flush``).

``replay`` processes stored items offline (``bilat replay``): the same transaction without a
source state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog

from monitor import metrics
from monitor.contracts import ParsedDocument, SourceCursor
from monitor.model import Alert, Item, SeenItem, utcnow
from monitor.pipeline.decide import EventDecide, decisions_logged_after_commit, log_decided
from monitor.pipeline.feedjob import INLINE_BYTES, FeedJob, InlineBudget, feed_job
from monitor.pipeline.routing import (
    Decide,
    DecideContext,
    Flush,
    QueuedAlert,
    RoutedMatch,
    queue,
)
from monitor.store.base import SourceState, Store
from monitor.workers import SLOW_RULE_S, RuleOutcome, WorkPool, evaluate_rules
from rules.base import Rule

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What processing one batch did (for the canonical poll log line)."""

    fetched: int
    new: int
    matched: int
    alerts: list[str] = field(default_factory=list)  # ids of newly queued alerts


def _queued(decided: Sequence[QueuedAlert], ids: Sequence[str]) -> list[Alert]:
    """The alerts among ``decided`` that ``queue`` really added (not already queued)."""
    added = set(ids)
    return [d.alert for d in decided if d.alert.id in added]


class Pipeline:
    """Runs rules over new items and commits the result with the source's state."""

    def __init__(
        self,
        store: Store,
        rules: Sequence[Rule],
        *,
        notifiers: frozenset[str],
        backfill_s: float,
        decide: Decide | None = None,
        on_alerts: Callable[[list[str]], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
        pool: WorkPool | None = None,
    ) -> None:
        self.store = store
        self.rules = list(rules)
        self.notifiers = notifiers
        self.backfill = timedelta(seconds=backfill_s)
        if decide is None:
            decide = EventDecide(rules=[rule.options for rule in self.rules])
        self.decide = decide
        self.on_alerts = on_alerts  # e.g. wake the delivery worker
        self.clock = clock
        self.pool = pool  # rules run in its workers, outside the transaction
        # Per source, the key digests of the items of its last committed feed job: the
        # ``known`` of its next one (``monitor.pipeline.feedjob``). Only committed polls write here.
        self._known: dict[str, bytes] = {}
        # The configured sources (``retain_sources``); None until the schedule is first synced.
        self._sources: frozenset[str] | None = None
        self._job_done: dict[str, float] = {}  # source -> when its feed job returned
        self._inline = InlineBudget()  # small feeds' jobs on the loop (``feed_job``)

    def retain_sources(self, source_ids: Collection[str]) -> None:
        """The configured sources are now ``source_ids`` (``runtime.sync_schedule``, at start
        and on every reload): the hints of the others go, else a daemon whose sources come and
        go keeps every removed feed's digests for its lifetime."""
        self._sources = frozenset(source_ids)
        for sid in self._known.keys() - self._sources:
            del self._known[sid]

    async def feed_job(
        self,
        source_id: str,
        parse: Callable[[], ParsedDocument],
        *,
        country: str | None,
        first_poll: bool,
        size: int = 0,
    ) -> FeedJob:
        """A fetched feed's parse and rules, in one worker job (``monitor.pipeline.feedjob``); its
        result goes to ``process(..., job=...)``. Parse errors propagate. ``size``: the
        document's bytes (0: unknown); a small one may run here (``InlineBudget``)."""
        known = b"" if first_poll else self._known.get(source_id, b"")
        if self.pool is None:
            job = feed_job(self.rules, parse, known, country)
        elif (
            0 < size <= INLINE_BYTES
            and self._inline_ok()
            and self.pool.idle
            and self._inline.allows()
        ):
            t0 = time.perf_counter()
            try:
                job = feed_job(self.rules, parse, known, country)
            finally:
                self._inline.spend(time.perf_counter() - t0)
        else:
            job = await self.pool.with_rules(feed_job, parse, known, country)
        # For the hops of the fetch-to-outbox histogram; the poll's process() takes it.
        self._job_done[source_id] = time.perf_counter()
        return job

    def _inline_ok(self) -> bool:
        """Every rule is cheap on the loop (built whole here, as the keyword rule), not a
        detector that would load its data into this process on its first item."""
        return all(getattr(rule, "inline_ok", False) for rule in self.rules)

    async def process(
        self,
        state: SourceState,
        items: Sequence[Item],
        *,
        first_poll: bool = False,
        received_at: float | None = None,
        job: FeedJob | None = None,
    ) -> Outcome:
        """Process ``items`` of ``state.source_id`` and save ``state``, in one transaction.
        ``received_at`` (``time.perf_counter()``): when the response that brought the items
        was read, for the fetch-to-outbox histogram of the alerts this queues. ``job``: the
        poll's ``feed_job`` instead of ``items`` (its rules have run)."""
        if job is None:
            if not items and state is not None:  # most polls: skip the dedup and the clock
                return await self._state_only(state, 0)
            return await self._process(items, state, first_poll, received_at)
        job_done = self._job_done.pop(state.source_id, None)
        outcome = await self._process(job.fresh, state, first_poll, received_at, job, job_done)
        # Committed: these keys are seen. A poll in flight through a reload that removed its
        # source commits after the prune; its hint would never be read again.
        if self._sources is None or state.source_id in self._sources:
            self._known[state.source_id] = job.digests
        return outcome

    async def replay(self, items: Sequence[Item]) -> Outcome:
        """Process stored items (``bilat replay``): like a poll, but no source state is
        touched; the clock says when they are "seen" (backfill counts from it)."""
        return await self._process(items, None, False)

    async def _state_only(self, state: SourceState, fetched: int) -> Outcome:
        """Nothing to decide (a 304, an empty feed): the state is the whole poll. The store's
        own save, which SQLite commits together with other polls' saves."""
        await self.store.save_source_state(state)
        return Outcome(fetched=fetched, new=0, matched=0)

    async def _process(
        self,
        items: Sequence[Item],
        state: SourceState | None,
        first_poll: bool,
        received_at: float | None = None,
        job: FeedJob | None = None,
        job_done: float | None = None,
    ) -> Outcome:
        now = self.clock()
        seen: list[Item | SeenItem]
        if job is None:
            # Several entries with one id (feeds do that) count once: the first wins.
            unique = list({item.key: item for item in reversed(items)}.values())[::-1]
            seen = list(unique)
            fetched = len(items)
        else:  # the job did that, and split off the items known seen
            unique, fetched = list(items), job.entries
            seen = [*unique, *job.known]
        if not seen and state is not None:
            return await self._state_only(state, fetched)
        early: list[RoutedMatch] | None = None
        if job is not None:
            # Rules ran in the job, before the transaction, over the items not known seen;
            # the transaction keeps the matches of those the store has not seen either.
            early = self._routed(unique, job.outcomes, now, first_poll)
        elif self.pool is not None and self.rules:
            # Rules run in a worker before the transaction (a unit of work never waits on
            # another process), over the items unseen now; the transaction keeps the matches
            # of the items still unseen when it runs. A source's first poll skips that read:
            # its items are all new (but for a source whose config changed), and the
            # transaction's own check keeps the result right either way.
            candidates = unique
            if not first_poll:
                # A read outside any transaction: on SQLite a unit of the group commit would
                # wait for the store's lock and a COMMIT (most of a fresh alert's latency).
                unseen = await self.store.unseen([item.key for item in unique])
                candidates = [item for item in unique if item.key in unseen]
            outcomes = await self.pool.evaluate(candidates)
            early = self._routed(candidates, outcomes, now, first_poll)
        with decisions_logged_after_commit() as notes:
            async with self.store.transaction() as tx:
                unit_start = time.perf_counter()
                fresh = await tx.unseen([item.key for item in unique]) if unique else set()
                new_items = [item for item in unique if item.key in fresh]
                if seen:
                    await tx.mark_seen(seen, now)
                if early is None:
                    routed = self._routed(
                        new_items, evaluate_rules(self.rules, new_items), now, first_poll
                    )
                else:
                    routed = [r for r in early if r.item.key in fresh]
                if routed:
                    await tx.add_matches([(r.match, r.item) for r in routed], now)
                decided = await self.decide(tx, routed, DecideContext(now, self.notifiers))
                queued = await queue(tx, decided)
                if state is not None:
                    await tx.save_source_state(state)
                unit_end = time.perf_counter()
        if queued and received_at is not None:
            committed = time.perf_counter()
            metrics.fetch_to_outbox(committed - received_at, len(queued))
            ready = received_at if job_done is None else job_done
            hops = {"wait": unit_start - ready, "unit": unit_end - unit_start}
            hops["commit"] = committed - unit_end
            if job_done is not None:
                hops["job"] = job_done - received_at
            metrics.fetch_to_outbox_hops(hops)
        log_decided(notes)
        metrics.committed((r.rule.id for r in routed), _queued(decided, queued))
        if queued and self.on_alerts:
            self.on_alerts(queued)
        return Outcome(fetched=fetched, new=len(new_items), matched=len(routed), alerts=queued)

    async def flush_due(self) -> list[str]:
        """The scheduler's tick: queue the folded updates that have come due, one batch in
        one transaction (the next tick takes the rest); returns the ids queued."""
        flush: Flush | None = getattr(self.decide, "flush", None)
        if flush is None:
            return []
        now = self.clock()
        with decisions_logged_after_commit() as notes:
            async with self.store.transaction() as tx:
                flushed = await flush(tx, now, notifiers=self.notifiers)
                queued = await queue(tx, flushed)
        log_decided(notes)
        metrics.committed((), _queued(flushed, queued))
        if queued and self.on_alerts:
            self.on_alerts(queued)
        return queued

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

    def _routed(
        self,
        items: Sequence[Item],
        outcomes: Sequence[RuleOutcome],
        now: datetime,
        first_poll: bool,
    ) -> list[RoutedMatch]:
        """The matches of ``evaluate_rules`` with their routing; failed and slow rules are
        logged here (a worker's log lines would not reach the daemon's)."""
        routed: list[RoutedMatch] = []
        cutoff = now - self.backfill
        for outcome in outcomes:
            item, opts = items[outcome.item], self.rules[outcome.rule].options
            if outcome.error is not None:
                # A broken rule must not stop the poll (or the other rules).
                log.error("rule.failed", rule_id=opts.id, item_key=item.key, error=outcome.error)
                continue
            if outcome.seconds > SLOW_RULE_S:
                log.warning("rule.slow", rule_id=opts.id, item_key=item.key, s=outcome.seconds)
            published = item.published_at
            backfill = first_poll if published is None else published < cutoff
            routed += [RoutedMatch(m, item, opts, backfill) for m in outcome.matches]
        return routed
