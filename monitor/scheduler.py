"""The in-process ticker: APScheduler 3 drives short periodic jobs; due times live in the store.

Jobs (``misfire_grace_time=None`` so a stalled loop runs a late tick instead of skipping it,
``coalesce=True`` so a backlog of ticks runs once, ``max_instances=1``):
- dispatch (every ``tick_s``): claim the sources whose ``next_due_at`` has come, up to the free
  concurrency slots, and poll each in its own task (several nodes: this node's even share of
  them, see ``monitor.store.postgres_claims``). When a claim filled every free slot (more
  sources may be due), a poll that ends claims again at once instead of at the next tick:
  otherwise a node could never poll more than ``concurrency`` sources a tick, however fast
  the network answers (measured: 20 polls a second, so 10,000 sources took 8 minutes to
  poll once);
- sweep (every ``tick_s``): queue the folded event updates that have come due (``flush``:
  "+12 reports" after the rule's ``realert`` window, updates held by quiet hours), then
  wake the outbox delivery lanes;
- watch (every ``tick_s``; the check itself runs every 30 s or finer, see
  ``monitor/watch/watcher.py``): open and close silent-source episodes and queue their
  operator alerts;
- cleanup (hourly): prune seen items, old alerts and quiet events past ``retention``.

While the store refuses writes (``monitor.store.health``) dispatch starts no polls: it probes
the store with one small write now and then (1 s doubling to 5 s) and, once one goes through,
first re-polls the sources whose commits were refused, then claims as usual.

``plan_sources`` decides where each source enters the schedule at startup: a source seen for
the first time (or whose due time passed while the daemon was down) is spread uniformly over
min(its interval, ``startup_spread``) -- by default a minute: enough to spread thousands of
sources (per-host limits do the rest) without making a person wait a whole interval for the
first poll -- so neither a first start nor a restart polls everything at once; a due time still in
the future (a Retry-After, a long backoff) is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import structlog

from adapters.base import SourceOptions
from monitor import metrics
from monitor.delivery import DeliveryWorker
from monitor.model import stable_hash, utcnow
from monitor.pacing import Cadence
from monitor.poller import Poller
from monitor.store.base import SourcePlan, Store
from monitor.store.health import StoreHealth

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = structlog.get_logger("monitor.scheduler")

STARTUP_SPREAD_S = 60.0
CLEANUP_EVERY_S = 3600.0
# Keys that do not change what is fetched: editing them keeps a source's state.
_STATE_NEUTRAL_KEYS = frozenset({"interval", "enabled", "official", "lang", "expect_every"})


# json.dumps with options builds an encoder per call: most of a fingerprint's cost, paid for
# every configured source at each start. Same text.
_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False)


def fingerprint(options: SourceOptions) -> str:
    """A stable digest of what a source fetches; when it changes, its state starts fresh."""
    data = {
        k: v for k, v in options.model_dump(mode="json").items() if k not in _STATE_NEUTRAL_KEYS
    }
    return stable_hash(_FINGERPRINT_JSON.encode(data))


def plan_sources(
    polled: Mapping[str, tuple[SourceOptions, Cadence]],
    pushed: Mapping[str, SourceOptions],
    now: datetime,
    rng: random.Random | None = None,
    *,
    spread_s: float = STARTUP_SPREAD_S,
) -> dict[str, SourcePlan]:
    """Startup plans for ``Store.sync_sources`` (see the module docstring)."""
    r = rng or random.Random()
    plans: dict[str, SourcePlan] = {}
    for sid, (options, cadence) in polled.items():
        offset = r.uniform(0.0, min(cadence.base, spread_s))
        plans[sid] = SourcePlan(fingerprint(options), now + timedelta(seconds=offset))
    if plans and spread_s > 0:
        # The earliest source goes at once: a daemon that just started shows a result
        # within seconds, not after a silent stretch of the spread.
        first = min(plans, key=lambda sid: plans[sid].first_due_at or now)
        plans[first] = SourcePlan(plans[first].fingerprint, now)
    for sid, options in pushed.items():
        plans[sid] = SourcePlan(fingerprint(options), None)
    return plans


class Scheduler:
    """Runs the ticker jobs; ``stop`` drains in-flight polls within a grace period."""

    def __init__(
        self,
        store: Store,
        poller: Poller,
        delivery: DeliveryWorker,
        *,
        concurrency: int,
        retention_s: float,
        lease_s: float,
        tick_s: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        flush: Callable[[], Awaitable[object]] | None = None,
        watch: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        self.store = store
        self.health: StoreHealth = poller.health
        self.flush = flush
        self.watch = watch
        self.poller = poller
        self.delivery = delivery
        self.concurrency = concurrency
        self.retention = timedelta(seconds=retention_s)
        self.lease_s = lease_s
        self.tick_s = tick_s
        self.clock = clock
        self._inflight: dict[str, asyncio.Task[bool]] = {}
        self._aps: AsyncIOScheduler | None = None
        self._accepting = False
        self._running: set[Awaitable[object]] = set()  # ticker jobs under way
        self._claims_failing = False
        self.last_tick: float | None = None  # loop time of the last dispatch (readiness)
        self._claiming = asyncio.Lock()  # one claim at a time: the tick's or a refill's
        self._backlog = False  # the last claim filled every free slot: more may be due
        self._refill: asyncio.Task[None] | None = None

    @property
    def accepting(self) -> bool:
        """Started and not stopping: new polls are being dispatched."""
        return self._accepting

    def tick_age(self) -> float | None:
        """Seconds since the ticker last dispatched, or None before its first tick."""
        if self.last_tick is None:
            return None
        return asyncio.get_running_loop().time() - self.last_tick

    @property
    def inflight(self) -> frozenset[str]:
        return frozenset(self._inflight)

    def start(self) -> None:
        # Imported here: APScheduler costs a fifth of a second to import, and ``bilat once``
        # (which never ticks) should not pay it.
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        now = datetime.now(UTC)
        tick = self.tick_s
        aps.add_job(
            self._job(self.dispatch), "interval", seconds=tick, id="dispatch", next_run_time=now
        )
        aps.add_job(self._job(self.sweep), "interval", seconds=tick, id="sweep", next_run_time=now)
        if self.watch is not None:
            watch = functools.partial(self.watch, tick)
            aps.add_job(self._job(watch), "interval", seconds=tick, id="watch", next_run_time=now)
        aps.add_job(
            self._job(self.cleanup),
            "interval",
            seconds=CLEANUP_EVERY_S,
            id="cleanup",
            next_run_time=now + timedelta(seconds=60),
        )
        self._accepting = True
        aps.start()
        self._aps = aps

    def _job(self, run: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
        """A ticker job that shutting the ticker down never cancels half-way (a claim, a
        flush's transaction): it runs shielded and ``stop`` waits for it; the wrapper APScheduler
        cancels ends quietly (it would log a cancelled job as an error)."""

        async def job() -> None:
            if not self._accepting:
                return
            running = asyncio.ensure_future(run())
            self._running.add(running)
            running.add_done_callback(self._running.discard)
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(running)

        return job

    async def dispatch(self) -> int:
        """Start polls for the due sources; returns how many were started."""
        self.last_tick = asyncio.get_running_loop().time()
        async with self._claiming:
            return await self._claim_and_start(heartbeat=True)

    async def _claim_and_start(self, *, heartbeat: bool) -> int:
        # Claimed even with no free slot (a claim of none): on PostgreSQL every claim is this
        # node's heartbeat, and a busy node is still alive (its polls in flight stay its own).
        free = max(0, self.concurrency - len(self._inflight))
        if not await self._store_writable():
            self._backlog = False
            return 0
        again = self.poller.take_rolled_back(free)
        try:
            claimed = await self.store.claim_due_sources(
                self.clock(), free - len(again), self.lease_s, heartbeat=heartbeat
            )
            due = again + claimed
            if free > len(again):  # a claim of none (every slot busy) tells nothing
                self._backlog = len(claimed) >= free - len(again)
        except Exception as exc:
            self._backlog = False
            self.poller.rolled_back.update(again)
            # Every tick fails while the store is unreachable: the traceback once, then quiet.
            metrics.store_error("claim")
            if self.health.refused(exc):
                return 0
            if self._claims_failing:
                log.debug("scheduler.claim_failed", error=f"{type(exc).__name__}: {exc}")
            else:
                log.exception("scheduler.claim_failed")
            self._claims_failing = True
            return 0
        if self._claims_failing:
            log.info("scheduler.claim_recovered")
            self._claims_failing = False
        started = 0
        for sid in due:
            if sid in self._inflight or sid not in self.poller.sources:
                continue
            task = asyncio.create_task(self.poller.poll(sid), name=f"poll:{sid}")
            self._inflight[sid] = task
            task.add_done_callback(functools.partial(self._done, sid))
            started += 1
        return started

    async def _store_writable(self) -> bool:
        """False while the store refuses writes; probes it when a probe is due."""
        if self.health.store_healthy:
            return True
        if not self.health.probe_due():
            return False
        try:
            await self.store.probe_write()
        except Exception as exc:
            if not self.health.refused(exc):
                log.warning("store.probe_failed", error=f"{type(exc).__name__}: {exc}")
            return False
        self.health.wrote()
        return True

    def _done(self, source_id: str, task: asyncio.Task[bool]) -> None:
        self._inflight.pop(source_id, None)
        if not task.cancelled() and task.exception() is not None:
            # poll() catches everything a source raises; this is a bug in bilat itself.
            log.error("scheduler.poll_crashed", source_id=source_id, exc_info=task.exception())
        if self._backlog and self._accepting and (self._refill is None or self._refill.done()):
            self._refill = asyncio.ensure_future(self._refill_slots())
            self._running.add(self._refill)  # stop() waits for a claim under way
            self._refill.add_done_callback(self._running.discard)

    async def _refill_slots(self) -> None:
        """Claim for the slots freed since the last claim while sources may still be due;
        the polls that end meanwhile are served by the same loop (one claim per batch)."""
        await asyncio.sleep(0)  # the polls ending in this turn of the loop join one claim
        while self._backlog and self._accepting and len(self._inflight) < self.concurrency:
            async with self._claiming:
                if not self._accepting or len(self._inflight) >= self.concurrency:
                    return
                try:
                    started = await self._claim_and_start(heartbeat=False)
                except Exception:
                    # _claim_and_start logs store failures itself; a bug must not stop ticks.
                    log.exception("scheduler.refill_failed")
                    return
            if not started:
                return

    async def sweep(self) -> None:
        if self.flush is not None:
            try:
                await self.flush()
            except Exception as exc:
                # The store failed; the threads stay due and the next tick tries again.
                if not self.health.refused(exc):
                    log.exception("events.flush_failed")
        self.delivery.kick()

    async def cleanup(self) -> None:
        try:
            report = await self.store.prune(before=self.clock() - self.retention)
        except Exception as exc:
            if not self.health.refused(exc):
                log.exception("store.prune_failed")
            return
        if report.seen or report.matches or report.alerts or report.events:
            log.info(
                "store.pruned",
                seen=report.seen,
                matches=report.matches,
                alerts=report.alerts,
                events=report.events,
            )

    async def stop(self, grace_s: float) -> None:
        """No new polls; wait up to ``grace_s`` for polls in flight, then cancel them (their
        transactions roll back and they are polled again after restart)."""
        self._accepting = False
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        if self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)
        names = {task: sid for sid, task in self._inflight.items()}
        if not names:
            return
        log.info("scheduler.draining", polls=len(names), grace_s=grace_s)
        _, pending = await asyncio.wait(names, timeout=grace_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*names, return_exceptions=True)
        if pending:
            cancelled = sorted(names[task] for task in pending)
            log.warning("scheduler.cancelled", polls=len(pending), sources=cancelled)
