"""Reading a server's wishes from headers (pure): Retry-After, rate-limit resets, freshness,
and redacting URLs for logs."""

from __future__ import annotations

from email.utils import formatdate

import pytest
from multidict import CIMultiDict

from monitor.net.client import redact_url
from monitor.net.serverhints import retry_after_s, server_delay_s

NOW = 1_800_000_000.0


def _date(offset: float) -> str:
    return formatdate(NOW + offset, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": _date(300)}, 300.0),
        ({"Retry-After": _date(-300)}, 0.0),  # a date in the past: go now
        ({"x-rate-limit-reset": str(int(NOW + 45))}, 45.0),  # X: Unix time
        ({"X-RateLimit-Reset": "2027-01-15T08:00:30Z"}, None),  # Mastodon: ISO (checked below)
        ({"RateLimit-Reset": "30"}, 30.0),  # IETF draft: delta seconds
        ({"Retry-After": "10", "x-rate-limit-reset": str(int(NOW + 999))}, 10.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    """Retry-After (seconds or HTTP-date) wins; else the rate-limit reset headers."""
    got = retry_after_s(CIMultiDict(headers), now=NOW)
    if "X-RateLimit-Reset" in headers:
        assert got is not None and got > 0
    else:
        assert got == expected


def test_iso_reset_exact() -> None:
    """An ISO 8601 X-RateLimit-Reset is read as an absolute time."""
    got = retry_after_s({"X-RateLimit-Reset": "2027-01-15T08:00:30.000Z"}, now=1_800_000_000)
    assert got == 1_800_000_030 - 1_800_000_000


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Cache-Control": "public, max-age=600"}, 600.0),
        ({"Cache-Control": "max-age=600, no-cache"}, None),
        ({"Cache-Control": "no-store"}, None),
        ({"Expires": _date(900), "Date": _date(0)}, 900.0),
        ({"Expires": _date(900), "Date": _date(-100)}, 1000.0),  # relative to the server's Date
        ({"Expires": "0"}, 0.0),  # invalid Expires = already stale
        ({"Cache-Control": "max-age=60", "Expires": _date(900), "Date": _date(0)}, 60.0),
        ({"Cache-Control": "max-age=60", "Retry-After": "300"}, 300.0),
        ({"Retry-After": "30", "Cache-Control": "max-age=600"}, 600.0),
        ({"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW + 700))}, 700.0),
        ({"x-rate-limit-remaining": "5", "x-rate-limit-reset": str(int(NOW + 700))}, None),
        ({"content-type": "application/rss+xml"}, None),
    ],
)
def test_server_delay(headers: dict[str, str], expected: float | None) -> None:
    """The next-poll wish is the largest of Retry-After, freshness and a spent budget's reset;
    the same from aiohttp's case-insensitive headers (which skip the parsing when none of the
    headers it reads is there), whatever the names' case."""
    assert server_delay_s(headers, now=NOW) == expected
    assert server_delay_s(CIMultiDict(headers), now=NOW) == expected
    lowered = CIMultiDict({k.lower(): v for k, v in headers.items()})
    assert server_delay_s(lowered, now=NOW) == expected


def test_server_delay_case_insensitive_plain_dict() -> None:
    """Header names match case-insensitively even in a plain dict."""
    assert server_delay_s({"cache-control": "max-age=5"}, now=NOW) == 5.0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://u:pw@example.com/f?x=1", "https://example.com/f?x=1"),
        ("https://e.com/a?access_token=abc&lang=hi", "https://e.com/a?access_token=***&lang=hi"),
        (
            "https://api.telegram.org/bot123:AAH-x_y/getUpdates",
            "https://api.telegram.org/bot***/getUpdates",
        ),
        ("https://e.com/feed#frag", "https://e.com/feed"),
        (
            "https://hooks.slack.com/services/T0AB12CD3/B0CD45EF6/abcDEF123ghiJKL456mnoPQR7",
            "https://hooks.slack.com/services/T0AB12CD3/B0CD45EF6/***",
        ),
        (
            "https://e.com/2025/04/02/india-china-ministers-meet-1234567",
            "https://e.com/2025/04/02/india-china-ministers-meet-1234567",
        ),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    """Userinfo, secret query values, bot tokens and webhook path secrets never reach logs;
    article slugs stay readable."""
    assert redact_url(url) == expected
