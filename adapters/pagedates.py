"""Dates as press-release pages print them (pure): "Apr 14, 2015", "05 MAR 2024 5:22PM",
"12/03/2024" with a configured layout, ISO 8601, RFC 2822.

Layouts that can be read two ways (05.06.2024: May or June?) are never guessed: without a
configured ``date_format`` they give None, and the html_list source notes it once per poll.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime

# Date layouts that cannot be read two ways; anything else needs ``date_format``.
_DATE_FORMATS = (
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%B %d, %Y %I:%M %p",
    "%d %b %Y %I:%M%p",
    "%d %b %Y %I:%M %p",
    "%d %B %Y %H:%M",
    "%A, %B %d, %Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
_WS = re.compile(r"\s+")


def _read_date(value: str, date_format: str | None) -> datetime | None:
    if date_format:
        try:
            return datetime.strptime(value, date_format)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def parse_listing_date(
    text: str | None, *, date_format: str | None = None, tz: tzinfo | None = None
) -> datetime | None:
    """A date from a listing: ``date_format`` (strptime) when given, else ISO 8601, RFC 2822
    or one of a few unambiguous layouts. Naive results are taken in ``tz`` (default UTC)."""
    if not text:
        return None
    when = _read_date(_WS.sub(" ", text).strip().replace("Sept ", "Sep "), date_format)
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz or UTC)
    return when.astimezone(UTC)
