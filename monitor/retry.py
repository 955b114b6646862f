"""The one retry policy: exponential backoff with jitter, as a tenacity wait strategy.

Every retry in bilat waits by this curve, configured here: quick retries of one HTTP request
(``monitor.net.edgeretry``, inside tenacity's loop), a failing source's next poll
(``monitor.pacing``), a stream's reconnect (``adapters.streaming``), a push source's restart
(``monitor.daemon``) and an alert's next delivery attempt (``monitor.delivery``). The last four
are not loops that can sleep in place (their retry state lives in the store or spans
connections), so they ask the same object for the n-th delay instead of running tenacity.

Attempt 1 waits ``base``; each further attempt doubles the ceiling up to ``cap``, and the
wait is drawn from the upper half of the ceiling ("equal jitter"): it keeps growing (never
collapses to ~0, as full jitter can) while many sources retrying together still drift apart.
"""

from __future__ import annotations

import random

from tenacity import RetryCallState
from tenacity.wait import wait_base

# Quick retries of one request: short, because the scheduler owns the longer backoff.
EDGE_BASE_S = 0.25
# Reconnecting a stream that dropped.
STREAM_BASE_S = 1.0
STREAM_CAP_S = 300.0
# Restarting a push source whose run() ended or raised.
PUSH_RESTART_BASE_S = 5.0
PUSH_RESTART_CAP_S = 300.0


class Backoff(wait_base):
    """Exponential backoff with equal jitter between ``base_s`` and ``cap_s``."""

    def __init__(self, base_s: float, cap_s: float, rng: random.Random | None = None) -> None:
        self.base_s = max(0.0, base_s)
        self.cap_s = max(cap_s, self.base_s)
        self._rng = rng

    def delay(self, attempt: int) -> float:
        """Seconds to wait after the ``attempt``-th consecutive failure (1 = the first)."""
        ceiling = min(self.cap_s, self.base_s * 2.0 ** min(max(0, attempt - 1), 60))
        if ceiling <= self.base_s:
            return ceiling
        rng = self._rng or random
        return rng.uniform(ceiling / 2.0, ceiling)

    def __call__(self, retry_state: RetryCallState) -> float:
        return self.delay(retry_state.attempt_number)


class BackoffCounter:
    """A ``Backoff`` that counts its own attempts (for a stream that reconnects in a loop)."""

    def __init__(
        self,
        base_s: float = STREAM_BASE_S,
        cap_s: float = STREAM_CAP_S,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = Backoff(base_s, cap_s, rng or random.Random())
        self.attempt = 0

    @property
    def cap_s(self) -> float:
        return self.policy.cap_s

    def next_delay(self) -> float:
        self.attempt += 1
        return self.policy.delay(self.attempt)

    def longest(self) -> float:
        """The cap (after errors that retrying soon cannot fix, e.g. a bad token)."""
        self.attempt += 1
        return self.policy.cap_s

    def reset(self) -> None:
        self.attempt = 0
