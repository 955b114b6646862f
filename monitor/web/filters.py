"""The meetings list's filter, read from and written back to the URL so a desk can share a
view (PURE): the window of meeting dates (``days`` back from ``to``, default the last 7 days
up to today, scheduled meetings ahead included), a country or pair, a status, an official, a
rule, and a text search over reports' headlines and evidence, places and officials (run by
the store on its folded search columns, ``monitor/store/summaries.py``).

Every parameter is optional and a bad value is dropped with a note (the page says which),
never an error page: a link pasted from chat should still open.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from monitor.events.options import normalise_pair
from monitor.store.summaries import fold
from monitor.store.webreads import EventSummary

STATUSES = ("held", "scheduled", "call", "cancelled")
DEFAULT_DAYS = 7
MAX_DAYS = 3660
AHEAD_DAYS = 60  # an open window shows meetings scheduled this far ahead
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
_MAX_TEXT = 200


@dataclass(frozen=True, slots=True)
class Filters:
    """What the meetings list shows; ``notes`` say which parameters were dropped."""

    days: int = DEFAULT_DAYS
    to: date | None = None  # None: up to today (and scheduled meetings ahead)
    country: str | None = None
    pair: str | None = None
    status: str | None = None
    official: str | None = None
    rule: str | None = None
    q: str | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    def window(self, today: date) -> tuple[date, date]:
        """[since, until] of meeting dates this filter shows on ``today``."""
        end = self.to or today
        until = end + timedelta(days=AHEAD_DAYS) if self.to is None else end
        return end - timedelta(days=self.days - 1), until

    def matches(self, event: EventSummary) -> bool:
        """Whether ``event`` passes every filter but the window and the text search (the
        store applies those: ``Store.event_summaries_between``)."""
        if self.country and self.country not in event.parties:
            return False
        if self.pair and event.pair != self.pair:
            return False
        if self.status and event.status != self.status:
            return False
        if self.official:
            wanted = fold(self.official)
            if not any(wanted in fold(o) for o in event.officials):
                return False
        return not self.rule or self.rule in event.rule_ids

    @property
    def active(self) -> bool:
        return any((self.country, self.pair, self.status, self.official, self.rule, self.q))

    @property
    def rest_json(self) -> str:
        """The filters beside the window, the country and the pair, as a JSON list (the
        page's script compares it with a URL's to know whether the list it holds answers
        that URL)."""
        return json.dumps([self.status, self.official, self.rule, self.q], ensure_ascii=False)

    def params(self, **changes: Any) -> dict[str, str]:
        """The URL parameters of this filter with ``changes`` applied (None drops one);
        defaults are left out so shared links stay short."""
        f = replace(self, **changes)
        out = {
            "days": str(f.days) if f.days != DEFAULT_DAYS else None,
            "to": f.to.isoformat() if f.to else None,
            "country": f.country,
            "pair": f.pair,
            "status": f.status,
            "official": f.official,
            "rule": f.rule,
            "q": f.q,
        }
        return {k: v for k, v in out.items() if v}

    def href(self, path: str = "/", **changes: Any) -> str:
        """A link to ``path`` with this filter (and ``changes``)."""
        query = urlencode(self.params(**changes))
        return f"{path}?{query}" if query else path


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())[:_MAX_TEXT]
    return value or None


def parse_filters(query: Mapping[str, str]) -> Filters:
    """A ``Filters`` from URL parameters; bad values are dropped and noted."""
    notes: list[str] = []
    values: dict[str, Any] = {}
    raw_days = (query.get("days") or "").strip()
    if raw_days:
        if raw_days.isdigit() and 1 <= int(raw_days) <= MAX_DAYS:
            values["days"] = int(raw_days)
        else:
            notes.append(f"days must be a whole number from 1 to {MAX_DAYS}")
    raw_to = (query.get("to") or "").strip()
    if raw_to:
        try:
            values["to"] = date.fromisoformat(raw_to)
        except ValueError:
            notes.append("to must be a date like 2025-07-03")
    country = (query.get("country") or "").strip().upper()
    if country:
        if _CODE.match(country):
            values["country"] = country
        else:
            notes.append("country must be a code like IN or ASEAN")
    raw_pair = (query.get("pair") or "").strip()
    if raw_pair:
        try:
            values["pair"] = normalise_pair(raw_pair)
        except ValueError:
            notes.append("pair must be two codes like IN-CN")
    status = (query.get("status") or "").strip().lower()
    if status:
        if status in STATUSES:
            values["status"] = status
        else:
            notes.append("status must be one of " + ", ".join(STATUSES))
    for name in ("official", "rule", "q"):
        text = _text(query.get(name))
        if text:
            values[name] = text
    return Filters(**values, notes=tuple(notes))
