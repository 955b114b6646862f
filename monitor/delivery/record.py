"""Recording one delivery outcome in the outbox: sent, retry (with its wait) or dead.

The worker (``worker.py``) calls ``Recorder.settle`` after every send, for one row or a
digest's rows. The retry wait comes from the one retry policy (``monitor.retry.Backoff``),
unless the server said when (a 429's Retry-After).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from prometheus_client import Counter

from monitor import metrics
from monitor.delivery.lanes import Lane
from monitor.logs import mask_text
from monitor.notifiers.base import Delivery
from monitor.retry import Backoff
from monitor.store.base import OutboxRow, Store

log = structlog.get_logger("monitor.delivery")

RETRY_BASE_S = 2.0
RETRY_CAP_S = 300.0

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
    ) -> None:
        self.store = store
        self.clock = clock
        self.rng = rng
        self.retry_base_s = retry_base_s
        self.retry_cap_s = retry_cap_s
        self.sent_total = 0  # rows delivered, daemon and burst mode alike

    async def settle(
        self, lane: Lane, rows: list[OutboxRow], delivery: Delivery
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
