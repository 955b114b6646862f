"""PURE: how long to wait before the next poll or delivery attempt.

Successful polls wait max(interval, the type's minimum, the server's wish), capped at a day, plus up
to 10 % jitter so sources that started together drift apart. Failures back off exponentially
(``monitor.retry``, the one retry policy) between the interval and a cap (min(6 h, 32 x interval)),
so a broken source is retried ever more slowly but never parked; 429 waits at least Retry-After;
non-transient errors (4xx, not a feed, too large, blocked address) retry at a slow cadence (an hour,
at most the backoff cap, never faster than the interval) because someone may fix the URL or the
server.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from monitor.contracts import FetchError, RateLimited
from monitor.retry import Backoff

MAX_POLL_DELAY_S = 86400.0
MAX_BACKOFF_S = 6 * 3600.0
BACKOFF_INTERVALS = 32
SLOW_RETRY_S = 3600.0
SUCCESS_JITTER = 0.10


@dataclass(frozen=True, slots=True)
class Cadence:
    """What the scheduler knows about one source's timing."""

    interval: float
    min_interval: float = 0.0

    @property
    def base(self) -> float:
        return max(self.interval, self.min_interval, 1.0)

    @property
    def backoff_cap(self) -> float:
        return max(self.base, min(MAX_BACKOFF_S, BACKOFF_INTERVALS * self.base))


def after_success(
    cadence: Cadence, min_delay_s: float | None, rng: random.Random | None = None
) -> float:
    """Seconds until the next poll after a successful one."""
    r = rng or random
    delay = max(cadence.base, min_delay_s or 0.0)
    delay = min(delay, MAX_POLL_DELAY_S)
    return delay * (1.0 + r.uniform(0.0, SUCCESS_JITTER))


def after_failure(
    cadence: Cadence,
    failures: int,
    error: BaseException,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next poll after the ``failures``-th consecutive failure (>= 1)."""
    retry_after = getattr(error, "retry_after_s", None) or 0.0
    if isinstance(error, RateLimited):
        return min(max(cadence.base, retry_after), MAX_POLL_DELAY_S)
    if not is_transient(error):
        return max(cadence.base, min(cadence.backoff_cap, SLOW_RETRY_S), retry_after)
    return max(Backoff(cadence.base, cadence.backoff_cap, rng).delay(failures), retry_after)


def is_transient(error: BaseException) -> bool:
    """Transient: worth retrying soon (5xx, 429, timeouts, network). Parse errors and
    non-transient fetch errors are not."""
    if isinstance(error, FetchError):
        return error.transient
    return not isinstance(error, ValueError)
