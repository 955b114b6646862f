"""The outbox delivery worker: every queued alert reaches its notifier, once, in order.

One task per notifier takes that notifier's oldest pending outbox row, waits until it is due
(its retry time, and never before its ``not_before``: alerts held by quiet hours) and until
``min_interval`` has passed since the previous attempt (pacing), and sends it. The row stays
pending until the send succeeded, so a crash mid-send repeats at most that one message and
loses nothing. Outcomes:
- ``sent``: the row is marked sent with the notifier's remote id (a Slack ts, for threads);
- ``retry``: the row waits, then is tried again until ``retry_for`` has passed since its first
  failure, then becomes dead. The wait is the server's ``Retry-After`` when it gave one (a
  429 pauses the whole notifier exactly that long: the row is the head of its queue), else
  exponential backoff with jitter, capped;
- ``dead``: dead-lettered with one clear error line (``delivery.dead``) and the metric.
Later rows wait behind a row that is retrying: order matters (a thread reply must follow its
parent), and an outage affects every message to that destination anyway.

Threads: an "update"/"confirmed" alert is sent with ``parent_remote_id`` = the remote id
stored when its parent (the "new" alert of the same event and notifier) was sent. Strict
order per notifier means the parent was settled first: sent (its id is used) or dead /
pruned / never queued (the update goes top-level, as a full message).

Digests: a notifier with ``digest_interval`` set (email ``digest = "15m"``) is not sent row by
row. Its window opens with the oldest pending row; when the window has passed the worker
takes every due row (up to ``DIGEST_MAX``), calls ``send_digest`` once and settles all those
rows with that one outcome in one write. Rows stay pending until then, so a crash during a
digest repeats that digest (the only duplicate) and loses nothing.

Why not tenacity's loop here: a delivery's retry state (attempts, next attempt, first failure)
must survive ``kill -9`` and restarts for a day, so it lives in the outbox rows and this worker
is the state machine over them; an in-memory retry loop would forget it. The waits come from
the one retry policy (``monitor.retry.Backoff``, a tenacity wait strategy), the same curve as
every other retry. POSTs are never retried inside a call.

Several nodes (PostgreSQL state): a notifier's lane runs on one node at a time, the holder of
its lease (``notifier_lease``), renewed in the background; the other nodes' lanes wait and one
takes over within about ``lease_s`` after the holder dies. So no two nodes ever send the same
alert at once, and the order holds across nodes.

A notifier outage is logged once (``delivery.failing``) and its end once
(``delivery.recovered``); retries in between are debug lines.

Which alerts a notifier is sent at all (updates on or off) is decided before queueing, by the
event layer's notifier policy (``monitor/events/alerts.py``); a notifier's ``accepts`` is only the
last line of defence at send time.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

import structlog
from prometheus_client import Counter

from monitor import metrics
from monitor.leases import LeaseKeeper
from monitor.logs import mask_text
from monitor.model import Alert, utcnow
from monitor.notifiers.base import Delivery, DigestNotifier, Notifier, NotifierOptions
from monitor.retry import Backoff
from monitor.store.base import OutboxRow, Store, notifier_lease

log = structlog.get_logger("monitor.delivery")

RETRY_BASE_S = 2.0
RETRY_CAP_S = 300.0
IDLE_WAKE_S = 30.0  # re-check the outbox now and then even without a kick
DIGEST_MAX = 200  # alerts per digest message; the rest go in the next one, right after
LANE_LEASE_S = 30.0  # a dead node's notifier lanes move to another node after about this long

DELIVERIES = Counter(
    "bilat_deliveries_total", "Alert delivery attempts by outcome", ["notifier", "outcome"]
)


# -- routing: only what a notifier accepts is queued for it ---------------------------------


# -- the worker ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Lane:
    """One notifier's delivery state in this process."""

    name: str
    notifier: Notifier
    options: NotifierOptions
    digest: DigestNotifier | None = None  # set when the notifier sends digests
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    last_attempt: float | None = None  # monotonic
    failing_since: datetime | None = None
    task: asyncio.Task[None] | None = None
    keeper: LeaseKeeper | None = None  # this node's turn at the notifier (several nodes)
    keeper_task: asyncio.Task[None] | None = None

    @property
    def digest_s(self) -> float | None:
        return self.digest.digest_interval if self.digest is not None else None


def _lane(name: str, notifier: Notifier, options: NotifierOptions) -> _Lane:
    interval = getattr(notifier, "digest_interval", None)
    has_digest = interval is not None and callable(getattr(notifier, "send_digest", None))
    digest = cast(DigestNotifier, notifier) if has_digest else None
    return _Lane(name, notifier, options, digest)


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
        self._lanes = {name: _lane(name, n, o) for name, (n, o) in notifiers.items()}
        for lane in self._lanes.values():
            lane.keeper = LeaseKeeper(store, notifier_lease(lane.name), ttl_s=lease_s, clock=clock)
        self._stopping = False
        self.sent_total = 0  # rows delivered by this worker, daemon and burst mode alike

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
        """Send the lane's next message if it is due; else return how long to sleep."""
        if not await self._my_turn(lane):
            return IDLE_WAKE_S  # another node delivers; a kick or the sweep tick retries
        head = await self._head(lane, flush=False)
        if head is None:
            return IDLE_WAKE_S
        due, row = head
        wait = max((due - self.clock()).total_seconds(), self._pace_wait(lane))
        if wait > 0:
            return min(wait, IDLE_WAKE_S)
        await self._send(lane, row)
        return None

    # -- burst mode (bilat once) ---------------------------------------------------------

    async def drain(self, deadline_s: float) -> DrainReport:
        """Deliver every row that is or becomes due within ``deadline_s``, then return.
        Digests do not wait for their window: what is due goes now, in one message."""
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
            head = await self._head(lane, flush=True)
            if head is None:
                return DrainReport(sent, dead, 0)
            due, row = head
            wait = max((due - self.clock()).total_seconds(), self._pace_wait(lane))
            if not turn or time.monotonic() + wait > stop_at:
                left = await self.store.outbox(notifier=lane.name, state="pending", limit=10_000)
                return DrainReport(sent, dead, len(left))
            if wait > 0:
                await asyncio.sleep(wait)
            s, d = await self._send(lane, row)
            sent += s
            dead += d

    # -- what is next, and when ----------------------------------------------------------

    async def _head(self, lane: _Lane, *, flush: bool) -> tuple[datetime, OutboxRow] | None:
        """The lane's oldest pending row and when the next send may happen (None: idle).
        A digest lane waits for its window (opened by that row) unless ``flush``; a row
        already retried waits for its retry time only."""
        row = await self.store.next_outbox(lane.name)
        if row is None:
            return None
        digest_s = lane.digest_s
        if digest_s is None or flush or row.attempts:
            return row.due_at, row
        return max(row.due_at, row.created_at + timedelta(seconds=digest_s)), row

    def _pace_wait(self, lane: _Lane) -> float:
        if lane.last_attempt is None:
            return 0.0
        return max(0.0, lane.last_attempt + lane.options.min_interval - time.monotonic())

    async def _send(self, lane: _Lane, head: OutboxRow) -> tuple[int, int]:
        """One message: the head row, or a digest of every due row. Returns (sent, dead)."""
        if lane.digest is None:
            return await self._attempt(lane, head)
        digest = lane.digest
        rows = await self.store.due_outbox(lane.name, now=self.clock(), limit=DIGEST_MAX)
        if not rows:
            return 0, 0
        alerts = [r.alert for r in rows]
        return await self._settle(lane, rows, await self._call(lane, digest.send_digest(alerts)))

    # -- one attempt ---------------------------------------------------------------------

    async def _parent_remote_id(self, lane: _Lane, alert: Alert) -> str | None:
        """The remote id to thread ``alert`` under, or None to send it top-level."""
        if not alert.parent_id:
            return None
        parent = await self.store.outbox_row(alert.parent_id)
        if parent is None or parent.state == "dead":
            return None  # never queued, pruned or dead-lettered: the update stands alone
        if parent.state == "pending":
            # Cannot happen in order (the parent is queued first, to the same notifier);
            # waiting for a row behind this one would block the queue for good.
            log.warning(
                "delivery.parent_pending",
                notifier=lane.name,
                alert_id=alert.id,
                parent_id=alert.parent_id,
            )
            return None
        return parent.remote_id

    async def _attempt(self, lane: _Lane, row: OutboxRow) -> tuple[int, int]:
        alert = row.alert
        parent_remote_id = await self._parent_remote_id(lane, alert)
        sending = lane.notifier.send(alert, parent_remote_id=parent_remote_id)
        return await self._settle(lane, [row], await self._call(lane, sending))

    async def _call(self, lane: _Lane, sending: Awaitable[Delivery]) -> Delivery:
        lane.last_attempt = time.monotonic()
        try:
            return await sending
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # A notifier bug must not stop delivery: treat it as transient and say so.
            log.exception("delivery.error", notifier=lane.name)
            return Delivery("retry", detail=f"{type(exc).__name__}: {exc}")

    async def _settle(
        self, lane: _Lane, rows: list[OutboxRow], delivery: Delivery
    ) -> tuple[int, int]:
        """Record one outcome for ``rows`` (one row, or a digest's); returns (sent, dead)."""
        now = self.clock()
        detail = mask_text(delivery.detail)
        ids = [r.alert.id for r in rows]
        attempt = max(r.attempts for r in rows) + 1

        def ctx(subset: list[OutboxRow]) -> dict[str, object]:
            if lane.digest is None:
                alert = subset[0].alert
                return {"notifier": lane.name, "alert_id": alert.id, "attempt": attempt}
            return {
                "notifier": lane.name,
                "alerts": len(subset),
                "alert_ids": [r.alert.id for r in subset],
                "attempt": attempt,
            }

        if delivery.outcome == "sent":
            await self.store.mark_sent_many(ids, at=now, remote_id=delivery.remote_id)
            DELIVERIES.labels(lane.name, "sent").inc(len(ids))
            metrics.delivered(lane.name, [r.created_at for r in rows], now)
            oldest = min(r.created_at for r in rows)
            latency = round((now - oldest).total_seconds(), 3)
            # One line per alert is a debug line (a busy desk gets thousands); a digest, one
            # message for many alerts, stays at info.
            if lane.digest is None:
                log.debug("alert.delivered", **ctx(rows), latency_s=latency)
            else:
                log.info("digest.delivered", **ctx(rows), latency_s=latency)
            if lane.failing_since is not None:
                down = (now - lane.failing_since).total_seconds()
                log.info("delivery.recovered", notifier=lane.name, downtime_s=round(down))
                lane.failing_since = None
            self.sent_total += len(ids)
            return len(ids), 0

        def expired(row: OutboxRow) -> bool:
            first_failed = row.first_failed_at or now
            return (now - first_failed).total_seconds() >= lane.options.retry_for

        dead = rows if delivery.outcome == "dead" else [r for r in rows if expired(r)]
        retry = [r for r in rows if r not in dead]
        if dead:
            reason = detail if delivery.outcome == "dead" else f"gave up after retrying: {detail}"
            await self.store.mark_dead_many([r.alert.id for r in dead], at=now, error=reason[:1000])
            DELIVERIES.labels(lane.name, "dead").inc(len(dead))
            metrics.dead(lane.name, len(dead))
            extra = {"headline": dead[0].alert.headline} if lane.digest is None else {}
            log.error("delivery.dead", **ctx(dead), reason=reason, **extra)
        if retry:
            if delivery.retry_after_s:
                # The server said when (a 429's Retry-After): that is the pause, not a hint.
                delay = delivery.retry_after_s
            else:
                delay = Backoff(self.retry_base_s, self.retry_cap_s, self.rng).delay(attempt)
            next_at = now + timedelta(seconds=delay)
            await self.store.mark_retry_many(
                [r.alert.id for r in retry], at=now, next_attempt_at=next_at, error=detail[:1000]
            )
            DELIVERIES.labels(lane.name, "retry").inc(len(retry))
            if lane.failing_since is None:
                lane.failing_since = now
                log.warning(
                    "delivery.failing", **ctx(retry), reason=detail, retry_in_s=round(delay, 1)
                )
            else:
                log.debug("delivery.retry", **ctx(retry), reason=detail, retry_in_s=round(delay, 1))
        return 0, len(dead)
