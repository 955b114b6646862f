"""Recording one delivery outcome in the outbox: sent, retry (with its wait) or dead.

The worker (``worker.py``) calls ``Recorder.settle`` after every send, for one row or a
digest's rows. The retry wait comes from the one retry policy (``monitor.retry.Backoff``),
unless the server said when (a 429's Retry-After).

When the store cannot record the outcome (a full disk), the outcome is kept in memory on the
lane (``Unrecorded``) and ``retry_record`` writes it later, with backoff: the send itself is
never repeated for it. Only a process that dies before the record succeeds sends that alert
again after its restart: at most one duplicate per fault.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from prometheus_client import Counter

from monitor import metrics
from monitor.delivery.lanes import Lane, Unrecorded
from monitor.logs import debug_enabled, mask_text
from monitor.notifiers.base import Delivery
from monitor.retry import Backoff
from monitor.store.base import OutboxRow, Store
from monitor.store.health import StoreHealth

log = structlog.get_logger("monitor.delivery")

RETRY_BASE_S = 2.0
RETRY_CAP_S = 300.0
RECORD_BASE_S = 0.5  # retrying a record the store refused
RECORD_CAP_S = 30.0

DELIVERIES = Counter(
    "bilat_deliveries_total", "Alert delivery attempts by outcome", ["notifier", "outcome"]
)


class Recorder:
    """Writes outcomes to the store, logs them and counts them."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime],
        rng: random.Random,
        retry_base_s: float = RETRY_BASE_S,
        retry_cap_s: float = RETRY_CAP_S,
        health: StoreHealth | None = None,
    ) -> None:
        self.store = store
        self.health = health or StoreHealth(store.url)
        self.clock = clock
        self.rng = rng
        self.retry_base_s = retry_base_s
        self.retry_cap_s = retry_cap_s
        self.sent_total = 0  # rows delivered, daemon and burst mode alike

    async def settle(
        self, lane: Lane, rows: list[OutboxRow], delivery: Delivery, *, at: datetime | None = None
    ) -> tuple[int, int]:
        """Record one outcome for ``rows`` (one row, or a digest's); returns (sent, dead).
        When the store refuses, the outcome waits on the lane (``retry_record``)."""
        now = at or self.clock()
        try:
            counts = await self._record(lane, rows, delivery, now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._keep(lane, rows, delivery, now, exc)
            return 0, 0
        if lane.unrecorded is not None:
            log.info(
                "delivery.recorded_late",
                notifier=lane.name,
                alert_ids=[r.alert.id for r in rows],
                outcome=delivery.outcome,
                tries=lane.unrecorded.failures + 1,
            )
            lane.unrecorded = None
        self.health.wrote()
        return counts

    async def expire(self, lane: Lane, row: OutboxRow) -> None:
        """Dead-letter ``row`` at its deadline (``retry_for`` after its first failure),
        without another attempt; the reason is its last error."""
        last = row.last_error or "no answer"
        await self.settle(lane, [row], Delivery("dead", f"gave up after retrying: {last}"))

    async def retry_record(self, lane: Lane) -> tuple[int, int]:
        """Try again to record the outcome the store refused (never sends anything)."""
        kept = lane.unrecorded
        if kept is None:
            return 0, 0
        return await self.settle(lane, kept.rows, kept.delivery, at=kept.at)

    def _keep(
        self,
        lane: Lane,
        rows: list[OutboxRow],
        delivery: Delivery,
        at: datetime,
        exc: Exception,
    ) -> None:
        kept = lane.unrecorded or Unrecorded(rows, delivery, at)
        kept.failures += 1
        delay = Backoff(RECORD_BASE_S, RECORD_CAP_S, self.rng).delay(kept.failures)
        kept.retry_at = time.monotonic() + delay
        lane.unrecorded = kept
        fields = {
            "notifier": lane.name,
            "alert_ids": [r.alert.id for r in rows],
            "outcome": delivery.outcome,
            "error": mask_text(f"{type(exc).__name__}: {exc}"),
            "retry_in_s": round(delay, 1),
        }
        # A refusal is announced once by StoreHealth (store.unwritable); anything else is a
        # warning the first time this outcome fails to be recorded.
        if self.health.refused(exc) or kept.failures > 1:
            log.debug("delivery.record_pending", **fields)
        else:
            log.warning("delivery.record_failed", **fields)

    async def _record(
        self, lane: Lane, rows: list[OutboxRow], delivery: Delivery, now: datetime
    ) -> tuple[int, int]:
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
            metrics.child(DELIVERIES, lane.name, "sent").inc(len(ids))
            metrics.delivered(lane.name, [r.created_at for r in rows], now)
            # One line per alert is a debug line (a busy desk gets thousands; its fields are
            # not even built below that level); a digest, one message for many, stays info.
            if lane.digest is not None or debug_enabled():
                oldest = min(r.created_at for r in rows)
                latency = round((now - oldest).total_seconds(), 3)
                line = log.debug if lane.digest is None else log.info
                event = "alert.delivered" if lane.digest is None else "digest.delivered"
                line(event, **ctx(rows), latency_s=latency)
            if lane.failing_since is not None:
                down = (now - lane.failing_since).total_seconds()
                log.info("delivery.recovered", notifier=lane.name, downtime_s=round(down))
                lane.failing_since = None
            self.sent_total += len(ids)
            return len(ids), 0

        def expired(row: OutboxRow) -> bool:
            first_failed = row.first_failed_at or now
            return (now - first_failed).total_seconds() >= lane.options.retry_for

        detail = mask_text(delivery.detail)
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
                # The server said when (a 429's Retry-After): that is the pause, not a hint,
                # and it pauses the destination, not only this row.
                delay = delivery.retry_after_s
                lane.pace.paused_until = max(lane.pace.paused_until, time.monotonic() + delay)
            else:
                delay = Backoff(self.retry_base_s, self.retry_cap_s, self.rng).delay(attempt)
            # Never past the deadline: at first_failed + retry_for the row is dead-lettered
            # (the worker's _past_deadline), not at whatever attempt would come next.
            first_failed = min((r.first_failed_at or now for r in retry), default=now)
            deadline = first_failed + timedelta(seconds=lane.options.retry_for)
            next_at = min(now + timedelta(seconds=delay), max(deadline, now))
            delay = (next_at - now).total_seconds()
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
