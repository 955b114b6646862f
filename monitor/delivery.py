"""The outbox delivery worker: every queued alert reaches its notifier, once, in order.

One task per notifier takes that notifier's oldest pending outbox row, waits until it is due
and until ``min_interval`` has passed since the previous attempt (pacing), and sends it. The
row stays pending until the send succeeded, so a crash mid-send repeats at most that one
message and loses nothing. Outcomes:
- ``sent``: the row is marked sent with the notifier's remote id (a Slack ts, for threads);
- ``retry``: the row waits max(Retry-After, exponential backoff with jitter, capped) and is
  tried again until ``retry_for`` has passed since its first failure, then becomes dead;
- ``dead``: dead-lettered with one clear error line.
Later rows wait behind a row that is retrying: order matters (a thread reply must follow its
parent), and an outage affects every message to that destination anyway.

Several nodes (PostgreSQL state): a notifier's lane runs on one node at a time, the holder of
its lease (``notifier_lease``), renewed in the background; the other nodes' lanes wait and one
takes over within about ``lease_s`` after the holder dies. So no two nodes ever send the same
alert at once, and the order holds across nodes.

A notifier outage is logged once (``delivery.failing``) and its end once
(``delivery.recovered``); retries in between are debug lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from prometheus_client import Counter

from monitor.leases import LeaseKeeper
from monitor.logs import mask_text
from monitor.model import utcnow
from monitor.notifiers.base import Delivery, Notifier, NotifierOptions
from monitor.pacing import backoff
from monitor.store.base import OutboxRow, Store, notifier_lease

log = structlog.get_logger("monitor.delivery")

RETRY_BASE_S = 2.0
RETRY_CAP_S = 300.0
IDLE_WAKE_S = 30.0  # re-check the outbox now and then even without a kick
LANE_LEASE_S = 30.0  # a dead node's notifier lanes move to another node after about this long

DELIVERIES = Counter(
    "bilat_deliveries_total", "Alert delivery attempts by outcome", ["notifier", "outcome"]
)


@dataclass(slots=True)
class _Lane:
    """One notifier's delivery state in this process."""

    name: str
    notifier: Notifier
    options: NotifierOptions
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    last_attempt: float | None = None  # monotonic
    failing_since: datetime | None = None
    task: asyncio.Task[None] | None = None
    keeper: LeaseKeeper | None = None  # this node's turn at the notifier (several nodes)
    keeper_task: asyncio.Task[None] | None = None


@dataclass(frozen=True, slots=True)
class DrainReport:
    sent: int = 0
    dead: int = 0
    pending: int = 0  # still waiting (retrying) when the drain ended


class DeliveryWorker:
    """Delivers outbox rows, one task per enabled notifier."""

    def __init__(
        self,
        store: Store,
        notifiers: Mapping[str, tuple[Notifier, NotifierOptions]],
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        retry_base_s: float = RETRY_BASE_S,
        retry_cap_s: float = RETRY_CAP_S,
        lease_s: float = LANE_LEASE_S,
    ) -> None:
        self.store = store
        self.clock = clock
        self.rng = rng or random.Random()
        self.retry_base_s = retry_base_s
        self.retry_cap_s = retry_cap_s
        self._lanes = {name: _Lane(name, n, o) for name, (n, o) in notifiers.items()}
        for lane in self._lanes.values():
            lane.keeper = LeaseKeeper(store, notifier_lease(lane.name), ttl_s=lease_s, clock=clock)
        self._stopping = False

    # -- daemon mode ---------------------------------------------------------------------

    def start(self) -> None:
        for lane in self._lanes.values():
            if lane.task is None:
                lane.task = asyncio.create_task(self._run(lane), name=f"deliver:{lane.name}")
            if lane.keeper_task is None and lane.keeper is not None:
                lane.keeper_task = asyncio.create_task(lane.keeper.run(), name=f"lease:{lane.name}")

    def kick(self, _alert_ids: object = None) -> None:
        """Wake every lane (new rows were queued, or a sweep tick)."""
        for lane in self._lanes.values():
            lane.wake.set()

    async def stop(self, grace_s: float) -> None:
        """Stop taking new rows; let a send in progress finish for up to ``grace_s``."""
        self._stopping = True
        self.kick()
        tasks = [lane.task for lane in self._lanes.values() if lane.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._release_lanes()

    async def _release_lanes(self) -> None:
        keeping = [lane.keeper_task for lane in self._lanes.values() if lane.keeper_task]
        for task in keeping:
            task.cancel()
        await asyncio.gather(*keeping, return_exceptions=True)
        for lane in self._lanes.values():
            lane.keeper_task = None
            if lane.keeper is not None:
                await lane.keeper.release()

    async def _my_turn(self, lane: _Lane) -> bool:
        """Whether this node holds the notifier's lane (always, with one node)."""
        keeper = lane.keeper
        return keeper is None or keeper.held or await keeper.acquire()

    async def _run(self, lane: _Lane) -> None:
        while not self._stopping:
            # Cleared before looking at the outbox, so a kick during the step is not lost.
            lane.wake.clear()
            try:
                wait = await self._step(lane)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The store failed; keep the lane alive and try again shortly.
                log.exception("delivery.worker_error", notifier=lane.name)
                wait = 5.0
            if wait is None or self._stopping:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lane.wake.wait(), timeout=wait)

    async def _step(self, lane: _Lane) -> float | None:
        """Deliver the head row if it is due; else return how long to sleep."""
        if not await self._my_turn(lane):
            return IDLE_WAKE_S  # another node delivers; a kick or the sweep tick retries
        row = await self.store.next_outbox(lane.name)
        if row is None:
            return IDLE_WAKE_S
        due_in = (row.next_attempt_at - self.clock()).total_seconds()
        if due_in > 0:
            return min(due_in, IDLE_WAKE_S)
        pace = self._pace_wait(lane)
        if pace > 0:
            return pace
        await self._attempt(lane, row)
        return None

    # -- burst mode (bilat once) ---------------------------------------------------------

    async def drain(self, deadline_s: float) -> DrainReport:
        """Deliver every row that is or becomes due within ``deadline_s``, then return."""
        stop_at = time.monotonic() + deadline_s
        try:
            reports = await asyncio.gather(
                *(self._drain_lane(lane, stop_at) for lane in self._lanes.values())
            )
        finally:
            await self._release_lanes()
        return DrainReport(
            sent=sum(r.sent for r in reports),
            dead=sum(r.dead for r in reports),
            pending=sum(r.pending for r in reports),
        )

    async def _drain_lane(self, lane: _Lane, stop_at: float) -> DrainReport:
        sent = dead = 0
        while True:
            # Renewed before every attempt (no background keeper in a burst).
            turn = lane.keeper is None or await lane.keeper.acquire()
            row = await self.store.next_outbox(lane.name)
            if row is None:
                return DrainReport(sent, dead, 0)
            wait = max((row.next_attempt_at - self.clock()).total_seconds(), self._pace_wait(lane))
            if not turn or time.monotonic() + wait > stop_at:
                left = await self.store.outbox(notifier=lane.name, state="pending", limit=10_000)
                return DrainReport(sent, dead, len(left))
            if wait > 0:
                await asyncio.sleep(wait)
            outcome = await self._attempt(lane, row)
            sent += outcome == "sent"
            dead += outcome == "dead"

    # -- one attempt ---------------------------------------------------------------------

    def _pace_wait(self, lane: _Lane) -> float:
        if lane.last_attempt is None:
            return 0.0
        return max(0.0, lane.last_attempt + lane.options.min_interval - time.monotonic())

    async def _attempt(self, lane: _Lane, row: OutboxRow) -> str:
        alert = row.alert
        parent_remote_id = None
        if alert.parent_id:
            parent_remote_id = await self.store.alert_remote_id(alert.parent_id)
        lane.last_attempt = time.monotonic()
        try:
            delivery = await lane.notifier.send(alert, parent_remote_id=parent_remote_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # A notifier bug must not stop delivery: treat it as transient and say so.
            log.exception("delivery.error", notifier=lane.name, alert_id=alert.id)
            delivery = Delivery("retry", detail=f"{type(exc).__name__}: {exc}")
        now = self.clock()
        detail = mask_text(delivery.detail)
        ctx = {"notifier": lane.name, "alert_id": alert.id, "attempt": row.attempts + 1}
        if delivery.outcome == "sent":
            await self.store.mark_sent(alert.id, at=now, remote_id=delivery.remote_id)
            DELIVERIES.labels(lane.name, "sent").inc()
            latency = (now - row.created_at).total_seconds()
            log.info("alert.delivered", **ctx, latency_s=round(latency, 3))
            if lane.failing_since is not None:
                down = (now - lane.failing_since).total_seconds()
                log.info("delivery.recovered", notifier=lane.name, downtime_s=round(down))
                lane.failing_since = None
            return "sent"
        first_failed = row.first_failed_at or now
        expired = (now - first_failed).total_seconds() >= lane.options.retry_for
        if delivery.outcome == "dead" or expired:
            reason = detail if delivery.outcome == "dead" else f"gave up after retrying: {detail}"
            await self.store.mark_dead(alert.id, at=now, error=reason[:1000])
            DELIVERIES.labels(lane.name, "dead").inc()
            log.error("delivery.dead", **ctx, reason=reason, headline=alert.headline)
            return "dead"
        delay = max(
            delivery.retry_after_s or 0.0,
            backoff(self.retry_base_s, self.retry_cap_s, row.attempts + 1, self.rng),
        )
        next_at = now + timedelta(seconds=delay)
        await self.store.mark_retry(alert.id, at=now, next_attempt_at=next_at, error=detail[:1000])
        DELIVERIES.labels(lane.name, "retry").inc()
        if lane.failing_since is None:
            lane.failing_since = now
            log.warning("delivery.failing", **ctx, reason=detail, retry_in_s=round(delay, 1))
        else:
            log.debug("delivery.retry", **ctx, reason=detail, retry_in_s=round(delay, 1))
        return "retry"
