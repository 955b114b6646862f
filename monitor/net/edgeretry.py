"""Quick retries at the edge of one request (tenacity).

A GET that failed with a transient error (network, 5xx) is tried again a couple of times with the
one retry policy's waits (``monitor.retry``) capped at a few seconds; 429 and other 4xx are never
retried here, and neither is a server error whose Retry-After asks for more than that cap: the
scheduler owns the longer backoff between polls. Attempts stop once the call has used its whole
timeout.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
)
from tenacity.stop import stop_base

from monitor.contracts import FetchError, NetworkError, ServerError
from monitor.retry import EDGE_BASE_S, Backoff

log = structlog.get_logger("monitor.http")

T = TypeVar("T")


class _OutOfTime(stop_base):
    """Stop once the call has used its whole timeout budget: an attempt that timed out is
    not repeated within the same call."""

    def __init__(self, started: float, budget_s: float | None) -> None:
        self.started = started
        self.budget_s = budget_s

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.budget_s is not None and time.monotonic() - self.started >= self.budget_s


class EdgeRetry:
    """The retry policy of one client. ``attempts`` counts the first attempt; ``stopped``
    tells when the client is closing (then nothing is retried)."""

    def __init__(self, attempts: int, max_wait_s: float, stopped: Callable[[], bool]) -> None:
        self.attempts = max(1, attempts)
        self.max_wait_s = max_wait_s
        self._stopped = stopped

    def retryable(self, exc: BaseException) -> bool:
        if self.attempts < 2 or self._stopped():
            return False
        if not isinstance(exc, NetworkError | ServerError):
            return False
        # A server that asks for a longer pause gets it from the scheduler, not from us.
        return exc.retry_after_s is None or exc.retry_after_s <= self.max_wait_s

    async def after_failure(
        self,
        attempt: Callable[[], Awaitable[T]],
        first_failure: FetchError,
        *,
        started: float,
        budget_s: float | None,
    ) -> T:
        """Attempts 2.. of a call whose first attempt (made outside tenacity, so the common
        successful path pays nothing) failed with ``first_failure``. Tenacity's attempt 1
        replays that failure so its wait policy applies before the first real retry."""
        backoff = Backoff(EDGE_BASE_S, self.max_wait_s)
        pending: FetchError | None = first_failure

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            server_wish = getattr(exc, "retry_after_s", None) or 0.0
            return max(float(backoff(state)), float(server_wish))

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.debug(
                "http.retry",
                url=getattr(exc, "url", None),
                attempt=state.attempt_number,
                error=type(exc).__name__,
                wait_s=round(state.upcoming_sleep, 3),
            )

        async def replay_then_attempt() -> T:
            nonlocal pending
            if pending is not None:
                failure, pending = pending, None
                raise failure
            return await attempt()

        retrying = AsyncRetrying(
            stop=stop_any(stop_after_attempt(self.attempts), _OutOfTime(started, budget_s)),
            wait=wait,
            retry=retry_if_exception(self.retryable),
            before_sleep=before_sleep,
            reraise=True,
        )
        result: T = await retrying(replay_then_attempt)
        return result
