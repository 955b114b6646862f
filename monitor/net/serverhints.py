"""What a server's response headers say about when to come back (pure, no I/O).

``retry_after_s`` reads a 429/503 wish (``Retry-After`` as seconds or HTTP-date, else the
rate-limit reset headers X, GitHub and Mastodon send). ``server_delay_s`` is the wish for the
next poll after any response: the largest of Retry-After, ``Cache-Control: max-age`` (else
``Expires``) and an exhausted rate-limit budget's reset. Adapters put it in
``PollResult.min_delay_s``; the scheduler caps it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|[,\s])(?:no-cache|no-store)(?:$|[,\s=])", re.IGNORECASE)
# A bare number this large is a Unix time, not a number of seconds (2001-09-09).
_EPOCH_THRESHOLD = 1_000_000_000
_RESET_HEADERS = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
_REMAINING_HEADERS = ("x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining")
# Every header ``server_delay_s`` reads (a budget's reset counts only with its remaining).
_HINT_HEADERS = ("Retry-After", "Cache-Control", "Expires", *_REMAINING_HEADERS)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None and not hasattr(headers, "getall"):
        # A plain dict: fall back to a case-insensitive scan (CIMultiDict needs none).
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value.strip() if isinstance(value, str) else None


def http_date(value: str) -> datetime | None:
    """An HTTP-date (RFC 9110, incl. the obsolete forms) as an aware UTC datetime."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _iso_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _seconds_until(value: str, now: float, *, bare_number_is_epoch: bool) -> float | None:
    """Seconds from ``now`` to the time ``value`` names: a number of seconds, a Unix time, an
    HTTP-date or an ISO 8601 time. None when unreadable."""
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        number = float(value)
        if bare_number_is_epoch or number >= _EPOCH_THRESHOLD:
            return max(0.0, number - now)
        return number
    when = http_date(value) or _iso_time(value)
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


def retry_after_s(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """How long a 429/503 response asks us to wait: ``Retry-After`` (seconds or HTTP-date),
    else ``x-rate-limit-reset`` / ``X-RateLimit-Reset`` (Unix time or ISO 8601 time)."""
    now = time.time() if now is None else now
    value = _header(headers, "Retry-After")
    if value:
        return _seconds_until(value, now, bare_number_is_epoch=False)
    return _rate_limit_reset_s(headers, now)


def _rate_limit_reset_s(headers: Mapping[str, str], now: float) -> float | None:
    for name in _RESET_HEADERS:
        value = _header(headers, name)
        if value:
            # IETF draft "RateLimit-Reset" is delta seconds; the X- forms are Unix times
            # (X, GitHub) or ISO times (Mastodon).
            return _seconds_until(value, now, bare_number_is_epoch=name.startswith("x-"))
    return None


def _budget_exhausted(headers: Mapping[str, str]) -> bool:
    for name in _REMAINING_HEADERS:
        value = _header(headers, name)
        if value is not None:
            try:
                return float(value) <= 0
            except ValueError:
                return False
    return False


def freshness_s(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """How long the response stays fresh: ``Cache-Control: max-age`` (which wins), else
    ``Expires`` minus the response's own ``Date`` (so clock skew does not matter)."""
    cache_control = _header(headers, "Cache-Control") or ""
    if _NO_CACHE.search(cache_control):
        return None
    if m := _MAX_AGE.search(cache_control):
        return float(m.group(1))
    expires = _header(headers, "Expires")
    if expires is None:
        return None
    expires_at = http_date(expires)
    if expires_at is None:
        return 0.0  # RFC 9111: an invalid Expires (e.g. "0") means already expired
    date_text = _header(headers, "Date")
    origin = http_date(date_text) if date_text else None
    reference = origin.timestamp() if origin else (time.time() if now is None else now)
    return max(0.0, expires_at.timestamp() - reference)


def server_delay_s(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """The server's wish for the delay before the next poll, or None when it states none.

    The largest of: Retry-After; freshness (max-age, else Expires); the reset time of a
    rate-limit budget that is used up. The scheduler takes max(interval, this), capped.
    """
    if hasattr(headers, "getall") and not any(name in headers for name in _HINT_HEADERS):
        # Most responses (every plain 304) carry none of them: one lookup each, no parsing.
        return None
    now = time.time() if now is None else now
    wishes: list[float] = []
    value = _header(headers, "Retry-After")
    if value and (delay := _seconds_until(value, now, bare_number_is_epoch=False)) is not None:
        wishes.append(delay)
    if (fresh := freshness_s(headers, now=now)) is not None:
        wishes.append(fresh)
    if _budget_exhausted(headers) and (reset := _rate_limit_reset_s(headers, now)) is not None:
        wishes.append(reset)
    return max(wishes) if wishes else None
