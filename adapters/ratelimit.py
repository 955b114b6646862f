"""What platform API headers say about pacing (pure): rate-limit budgets.

X sends ``x-rate-limit-remaining`` / ``x-rate-limit-reset`` (a Unix time, no Retry-After);
Mastodon sends ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` (an ISO 8601 time); the
Bluesky AppView sends ``ratelimit-remaining`` / ``ratelimit-reset`` (a Unix time). A budget
that is used up means: do not come back before the reset.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

from adapters.posts import parse_time


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that also works on a plain dict."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value.strip() if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Budget:
    """A rate-limit budget as the last response stated it."""

    limit: int | None
    remaining: int | None
    reset_in_s: float | None  # seconds from now until the budget refills

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    @property
    def min_delay_s(self) -> float | None:
        """When used up: wait until the reset (plus a second of slack for clock skew)."""
        if self.exhausted and self.reset_in_s is not None:
            return self.reset_in_s + 1.0
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value is not None else None
    except ValueError:
        return None


def _reset_in(value: str | None, now: float) -> float | None:
    if not value:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return max(0.0, float(value) - now)  # a Unix time
    when = parse_time(value)
    return max(0.0, when.timestamp() - now) if when else None


def budget(
    headers: Mapping[str, str], *, prefix: str = "x-rate-limit-", now: float | None = None
) -> Budget:
    """Read ``<prefix>limit``, ``<prefix>remaining`` and ``<prefix>reset`` (Unix time or ISO
    time, whichever the platform sends)."""
    now = time.time() if now is None else now
    return Budget(
        limit=_int(header(headers, prefix + "limit")),
        remaining=_int(header(headers, prefix + "remaining")),
        reset_in_s=_reset_in(header(headers, prefix + "reset"), now),
    )
