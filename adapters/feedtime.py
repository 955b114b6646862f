"""Feed dates -> timezone-aware UTC datetimes, or None. Garbage never raises.

RFC 822 (RSS), RFC 3339 / ISO 8601 (Atom, JSON Feed, dc:date) and the odd formats real feeds
use ("2020/1/10 14:33:00", "Monday, April 15, 2013 - 2:23pm", "EST", "IST"). A date without a
zone is read as UTC: the feed gives no better evidence, and being off by a few hours is better
than losing the date.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

from dateutil import parser as _dateutil

_MIN_YEAR = 1990
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_MAX_LEN = 100
# Hand-typed dates lose spaces: "30Mar 2025", "Mon,31 Mar", "31 Mar 202510:50:41".
_GLUED = re.compile(r"(?<=\d)(?=[A-Za-z]{3})|(?<=[A-Za-z],)(?=\d)|(?<=\b\d{4})(?=\d{1,2}:\d\d)")
# Zone abbreviations seen in feeds that RFC 822 parsing does not know (or knows otherwise).
_TZ: dict[str, timezone] = {
    name: timezone(timedelta(hours=h, minutes=m))
    for name, (h, m) in {
        "UT": (0, 0),
        "GMT": (0, 0),
        "UTC": (0, 0),
        "Z": (0, 0),
        "EST": (-5, 0),
        "EDT": (-4, 0),
        "CST": (-6, 0),
        "CDT": (-5, 0),
        "MST": (-7, 0),
        "MDT": (-6, 0),
        "PST": (-8, 0),
        "PDT": (-7, 0),
        "BST": (1, 0),
        "CET": (1, 0),
        "CEST": (2, 0),
        "EET": (2, 0),
        "EEST": (3, 0),
        "MSK": (3, 0),
        "IST": (5, 30),  # India: the feeds this project watches most
        "PKT": (5, 0),
        "NPT": (5, 45),
        "BDT": (6, 0),
        "HKT": (8, 0),
        "SGT": (8, 0),
        "JST": (9, 0),
        "KST": (9, 0),
        "AEST": (10, 0),
        "AEDT": (11, 0),
    }.items()
}


# The RFC 822 date nearly every RSS feed writes ("Sun, 06 Dec 2026 03:48:26 GMT"), read without
# the email module's general parser: a tenth of its cost, on a date every item carries.
_RFC822_PLAIN = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d\d):(\d\d)(?::(\d\d))?"
    r" (GMT|UTC|UT|Z|[+-]\d{4})\Z"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def _rfc822_plain(m: re.Match[str]) -> datetime | None:
    day, mon, year, hh, mm, ss, zone = m.groups()
    month = _MONTHS.get(mon.lower())
    if month is None:
        return None
    if zone[0] in "+-":
        minutes = int(zone[1:3]) * 60 + int(zone[3:5])
        tz: tzinfo = timezone(timedelta(minutes=minutes if zone[0] == "+" else -minutes))
    else:
        tz = UTC
    try:
        value = datetime(int(year), month, int(day), int(hh), int(mm), int(ss or 0), tzinfo=tz)
    except ValueError:
        return None  # the general parsers decide what "31 Feb" means
    if tz is UTC:  # already what to_utc would return (GMT is nearly every feed's zone)
        return value if value.year >= _MIN_YEAR else None
    return to_utc(value)


def to_utc(value: datetime) -> datetime | None:
    """``value`` in UTC (naive -> assumed UTC); None for years no news item has."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return value if value.year >= _MIN_YEAR else None


# A feed's entries come back poll after poll with the same date texts, and the feeds of one
# CMS share them: each text is read once (the odd formats cost tens of microseconds in
# dateutil). fastfeedparser keeps the same kind of cache for its own reading. Emptied when
# full, which costs one reading per text; datetimes are immutable, so sharing them is safe.
_CACHE: dict[str, datetime | None] = {}
_CACHE_MAX = 8192
_MISS = datetime(1, 1, 1)  # compared by identity: no reading returns this object


def parse_date(text: str | None) -> datetime | None:
    """A UTC datetime from a feed's date text, or None when there is none to be had."""
    if not text:
        return None
    if len(text) > 4 * _MAX_LEN:  # no date (or padded beyond reason): not worth a cache slot
        return _read_date(text)[0]
    if (hit := _CACHE.get(text, _MISS)) is not _MISS:
        return hit
    value, lasting = _read_date(text)
    if lasting:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[text] = value
    return value


def _read_date(text: str) -> tuple[datetime | None, bool]:
    """``parse_date``'s reading, and whether it holds on any day (False: dateutil filled in a
    missing month or day from today's date, so tomorrow's reading differs)."""
    text = text.strip()
    if not text or len(text) > _MAX_LEN:
        return None, True
    if (m := _RFC822_PLAIN.match(text)) and (fast := _rfc822_plain(m)) is not None:
        return fast, True
    try:
        return to_utc(datetime.fromisoformat(text.replace("z", "Z"))), True
    except ValueError:
        pass
    try:
        rfc822 = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    else:
        if rfc822.tzinfo is None:  # a zone name the email module does not know ("IST")
            rfc822 = rfc822.replace(tzinfo=_TZ.get(text.rsplit(None, 1)[-1].upper(), UTC))
        return to_utc(rfc822), True
    text = _GLUED.sub(" ", text.replace(" - ", " "))
    if not _YEAR.search(text):
        return None, True  # dateutil would fill a missing year (or day) from today: worse
    try:
        parsed = _dateutil.parse(text, tzinfos=_zone)
    except (ValueError, OverflowError, TypeError):
        return None, True
    # dateutil takes missing fields from today's date: read again with a default that differs
    # from today in year, month and day; the same result means the text gave all three.
    today = datetime.now()
    other = datetime(
        1999 if today.year != 1999 else 1998,
        1 if today.month != 1 else 2,
        1 if today.day != 1 else 2,
    )
    try:
        lasting = _dateutil.parse(text, tzinfos=_zone, default=other) == parsed
    except (ValueError, OverflowError, TypeError):
        lasting = False
    return to_utc(parsed), lasting


def _zone(name: str | None, offset: int | None) -> tzinfo:
    """dateutil's zone lookup. A callable, not a dict: dateutil then never warns about a zone
    it does not know (and warnings.catch_warnings is not safe in the parse worker thread)."""
    if name and (known := _TZ.get(name.upper())):
        return known
    return timezone(timedelta(seconds=offset)) if offset is not None else UTC
