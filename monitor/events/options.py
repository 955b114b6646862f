"""Config models for alert decisions (pure pydantic; the settings loader includes them):

- ``Silence``: one ``[[silences]]`` table (top level of the settings file);
- ``RealertOptions``: the ``realert`` key every ``[[rules]]`` table accepts (mix-in);
- ``NotifierAlertOptions``: ``quiet_hours``, ``timezone``, ``updates`` for every
  ``[notifiers.NAME]`` table (mix-in);
- ``QuietHours``: the parsed quiet window, with the arithmetic the decisions need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from monitor.units import Seconds

DEFAULT_REALERT_S = 3600.0
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
_PAIR_SPLIT = re.compile(r"\s*[-–—/,]\s*|\s+")
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def normalise_pair(value: str) -> str:
    """ "in-cn", "IN–CN", "CN/IN" -> "CN-IN" (sorted: the pair is unordered)."""
    parts = [p.upper() for p in _PAIR_SPLIT.split(value.strip()) if p]
    if len(parts) != 2 or not all(_CODE.match(p) for p in parts) or parts[0] == parts[1]:
        raise ValueError(f"not a pair of two party codes: {value!r} (use e.g. 'IN-CN')")
    return "-".join(sorted(parts))


def _known_parties(codes: list[str]) -> None:
    """A silence on a code the detector never emits would silence nothing: refuse it."""
    from rules.vocabulary import check_all, check_party  # lazily: rules imports this module

    check_all(codes, check_party)


class Silence(BaseModel):
    """Send nothing for what this silence selects, until ``until`` (RFC 3339, with an
    offset; absent = until removed). Selectors combine with AND; at least one is needed.
    ``party`` takes a code ("IN") or a pair ("IN-CN", which becomes ``pair``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    party: str | None = None
    pair: str | None = None
    official: str | None = None
    source: str | None = None
    rule: str | None = None
    notifier: str | None = None  # optional scope: only this notifier
    until: AwareDatetime | None = None
    reason: str = Field(default="", max_length=500)

    @model_validator(mode="before")
    @classmethod
    def _party_pair(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("party"), str):
            party = data["party"].strip()
            if _PAIR_SPLIT.search(party) and not data.get("pair"):
                data = {**data, "party": None, "pair": party}
        return data

    @field_validator("party")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip().upper()
        if not _CODE.match(code):
            raise ValueError(f"not a party code: {value!r} (use e.g. 'IN', 'UN')")
        _known_parties([value.strip()])
        return code

    @field_validator("pair")
    @classmethod
    def _pair(cls, value: str | None) -> str | None:
        if value is None:
            return None
        pair = normalise_pair(value)
        _known_parties(pair.split("-"))
        return pair

    @field_validator("official")
    @classmethod
    def _known_official(cls, value: str | None) -> str | None:
        from rules.vocabulary import check_official  # lazily: rules imports this module

        if value is not None and (reason := check_official(value.strip())):
            raise ValueError(reason)
        return value

    @field_validator("official", "source", "rule", "notifier")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value.strip() if value is not None else None

    @model_validator(mode="after")
    def _selects_something(self) -> Silence:
        if not any((self.party, self.pair, self.official, self.source, self.rule)):
            raise ValueError("a silence needs party, pair, official, source or rule")
        return self

    def active(self, now: datetime) -> bool:
        return self.until is None or now < self.until

    def describe(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("party", self.party),
                ("pair", self.pair),
                ("official", self.official),
                ("source", self.source),
                ("rule", self.rule),
                ("notifier", self.notifier),
            )
            if value
        ]
        until = f" until {self.until.astimezone(UTC).isoformat()}" if self.until else ""
        reason = f" ({self.reason})" if self.reason else ""
        return f"silence {' '.join(parts)}{until}{reason}"


class RealertOptions(BaseModel):
    """``realert``: after an alert about an event, further *routine* updates (more reports,
    added officials or place) to the same notifier wait until this long after the last one
    and go out as one update. Status changes and official confirmation never wait."""

    realert: Seconds = DEFAULT_REALERT_S


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window ("22:00-07:00", may cross midnight) in a time zone."""

    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, timezone: str = "UTC") -> QuietHours:
        m = _CLOCK.match(spec)
        if m is None:
            raise ValueError(f"quiet_hours must look like '22:00-07:00', not {spec!r}")
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"not a time of day in quiet_hours: {spec!r}")
        if (h1, m1) == (h2, m2):
            raise ValueError(f"quiet_hours start and end are the same: {spec!r}")
        return cls(time(h1, m1), time(h2, m2), zone_of(timezone))

    def _crosses_midnight(self) -> bool:
        return self.start > self.end

    def contains(self, when: datetime) -> bool:
        local = when.astimezone(self.zone).time().replace(tzinfo=None)
        if self._crosses_midnight():
            return local >= self.start or local < self.end
        return self.start <= local < self.end

    def release(self, when: datetime) -> datetime | None:
        """The end of the quiet window ``when`` falls in (UTC), or None outside one."""
        if not self.contains(when):
            return None
        local = when.astimezone(self.zone)
        day = local.date()
        if self._crosses_midnight() and local.time().replace(tzinfo=None) >= self.start:
            day += timedelta(days=1)
        end = datetime.combine(day, self.end, tzinfo=self.zone)
        return end.astimezone(UTC)

    def next_open(self, when: datetime) -> datetime:
        """``when`` itself, or the end of the quiet window it falls in."""
        return self.release(when) or when


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as 'Asia/Kolkata')"
        ) from exc


class NotifierAlertOptions(BaseModel):
    """Per-notifier alert policy. ``updates``: send follow-ups about an event already
    alerted (None = the type's default: on for slack, email and console, off for webhook)."""

    quiet_hours: str | None = None
    timezone: str = "UTC"
    updates: bool | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone_of(value)
        return value

    @model_validator(mode="after")
    def _window(self) -> NotifierAlertOptions:
        if self.quiet_hours is not None:
            QuietHours.parse(self.quiet_hours, self.timezone)
        return self

    def quiet(self) -> QuietHours | None:
        return QuietHours.parse(self.quiet_hours, self.timezone) if self.quiet_hours else None

    def updates_policy(self) -> bool | None:
        """Whether follow-ups go to this notifier (None: the type's default). A notifier type
        whose default depends on its other options (Slack: threads only in bot mode)
        overrides this, so alert decisions and the notifier's ``accepts`` agree."""
        return self.updates
