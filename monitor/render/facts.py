"""What a person needs to read from an Alert, computed once for every channel (PURE).

``AlertView`` holds plain (unescaped) strings: who met whom, where, when, status,
confidence, evidence, source and link, plus the update/confirmation line. Each channel
(Slack, email, webhook, console) escapes and lays them out its own way.

Flags: a country code becomes its regional-indicator emoji; the EU and the UN have flags of
their own (🇪🇺 🇺🇳); other organisations (NATO, ASEAN, SCO ...) get none. Country names come
from CLDR (Babel), English.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from babel import Locale

from monitor.model import Alert
from monitor.render.fit import one_line, safe_url

# CLDR territories that are not places with a flag of their own.
_NO_FLAG = frozenset({"EZ", "QO", "XA", "XB", "ZZ"})
# Codes people and detectors use that are not ISO 3166-1.
_ALIASES = {"UK": "GB"}
_ORGANISATIONS = {
    "ASEAN": "ASEAN",
    "BRICS": "BRICS",
    "G7": "G7",
    "G20": "G20",
    "GCC": "Gulf Cooperation Council",
    "NATO": "NATO",
    "OPEC": "OPEC",
    "OSCE": "OSCE",
    "SAARC": "SAARC",
    "SCO": "Shanghai Cooperation Organisation",
    "WHO": "World Health Organization",
    "WTO": "World Trade Organization",
}
STATUS_LABELS = {
    "held": "held",
    "scheduled": "scheduled",
    "call": "phone/video call",
    "cancelled": "cancelled",
}


@cache
def _territories() -> dict[str, str]:
    names = Locale.parse("en").territories
    return {code: str(name) for code, name in names.items() if len(code) == 2 and code.isalpha()}


def flag(code: str) -> str:
    """The flag emoji for a party code ("IN" → 🇮🇳, "EU" → 🇪🇺, "UN" → 🇺🇳), or "" if none."""
    code = _ALIASES.get(code.upper(), code.upper())
    if len(code) != 2 or code in _NO_FLAG or code not in _territories():
        return ""
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in code)


def party_name(code: str) -> str:
    """A readable English name for a party code; the code itself when unknown."""
    upper = code.upper()
    canon = _ALIASES.get(upper, upper)
    return _territories().get(canon) or _ORGANISATIONS.get(upper) or code


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    name: str
    flag: str

    @property
    def label(self) -> str:
        """ "🇮🇳 India" (or just the name when there is no flag)."""
        return f"{self.flag} {self.name}" if self.flag else self.name


@dataclass(frozen=True, slots=True)
class AlertView:
    """The facts of one alert, plain text, ready to lay out."""

    kind: str
    headline: str
    parties: tuple[Party, ...]
    officials: tuple[str, ...]
    place: str | None
    when: str | None  # the meeting date, "3 Jul 2024"
    status: str | None  # a STATUS_LABELS value; None for non-meeting matches
    confidence: str  # "92%"; "" for the operator's notes, which no detector scored
    evidence: tuple[str, ...]
    summary: str
    source_title: str
    source_id: str
    url: str | None  # only absolute http(s)
    published_at: datetime | None
    rule_id: str
    report_count: int
    confirmed_by: tuple[str, ...]

    @property
    def flags(self) -> str:
        """ "🇮🇳 🇨🇳" for the parties that have flags."""
        return " ".join(p.flag for p in self.parties if p.flag)

    @property
    def pair_label(self) -> str:
        """ "🇮🇳 India – 🇨🇳 China"."""
        return " – ".join(p.label for p in self.parties)

    @property
    def is_meeting(self) -> bool:
        return self.status is not None

    @property
    def is_operator_note(self) -> bool:
        """bilat's own alerts to its operator (a silent source): rule ids starting with "~"
        are reserved for them, no configured rule can have one."""
        return is_operator_rule(self.rule_id)

    @property
    def rule_line(self) -> str:
        """ "rule india-desk", or "operator note" for bilat's own alerts."""
        return "operator note" if self.is_operator_note else f"rule {self.rule_id}"

    @property
    def rule_caption(self) -> str:
        """``rule_line`` opening a sentence (the rule id's own case kept)."""
        return "Operator note" if self.is_operator_note else f"Rule {self.rule_id}"

    @property
    def confirmed_line(self) -> str | None:
        """ "Confirmed by MEA and by @DrSJaishankar" when there are official confirmations."""
        if not self.confirmed_by:
            return None
        return "Confirmed by " + " and by ".join(self.confirmed_by)

    @property
    def reports_line(self) -> str:
        """ "13 reports so far" (``report_count`` is the event's total)."""
        n = self.report_count
        return f"{n} report so far" if n == 1 else f"{n} reports so far"

    @property
    def change_line(self) -> str:
        """One line saying what an update/confirmation adds, e.g. for a thread reply."""
        parts = []
        if self.kind == "confirmed":
            parts.append(self.confirmed_line or "Confirmed by an official source")
        else:
            parts.append(f"Update: {self.reports_line}")
            if self.confirmed_by:
                parts.append("confirmed by " + " and by ".join(self.confirmed_by))
        return ", ".join(parts)

    @property
    def published_label(self) -> str | None:
        """ "2024-07-03 14:05 UTC"."""
        if self.published_at is None:
            return None
        return self.published_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _date_label(alert: Alert) -> str | None:
    meeting = alert.match.meeting
    if meeting is None or meeting.meeting_date is None:
        return None
    d = meeting.meeting_date
    return f"{d.day} {d.strftime('%b %Y')}"


def _ordered(codes: tuple[str, ...], headline: str) -> tuple[str, ...]:
    """Parties in the order the headline names them ("IN–CN: …" → IN, CN); a meeting stores
    them sorted, but the flags should read like the headline."""
    prefix = headline.split(":", 1)[0].upper()

    def position(code: str) -> int:
        at = prefix.find(code.upper())
        return at if at >= 0 else len(prefix) + 1

    return tuple(sorted(codes, key=position))


def is_operator_rule(rule_id: str) -> bool:
    """bilat's own notes to its operator (``monitor.watch.notes``): configured rule ids
    cannot start with "~"."""
    return rule_id.startswith("~")


def view(alert: Alert) -> AlertView:
    """Compute the readable facts of ``alert``."""
    meeting = alert.match.meeting
    evidence = tuple(one_line(e) for e in (meeting.evidence if meeting else ()) if e.strip())
    if not evidence:
        evidence = tuple(one_line(e) for e in alert.match.evidence if e.strip())
    confidence = meeting.confidence if meeting else alert.match.confidence
    codes = _ordered(meeting.parties, alert.headline) if meeting else ()
    parties = tuple(Party(c, party_name(c), flag(c)) for c in codes)
    return AlertView(
        kind=alert.kind,
        headline=one_line(alert.headline) or one_line(alert.match.summary) or "bilat alert",
        parties=parties,
        officials=tuple(one_line(o) for o in (meeting.officials if meeting else ()) if o.strip()),
        place=one_line(meeting.location) if meeting and meeting.location else None,
        when=_date_label(alert),
        status=STATUS_LABELS.get(meeting.status, meeting.status) if meeting else None,
        confidence=""
        if is_operator_rule(alert.rule_id)
        else f"{round(max(0.0, min(1.0, confidence)) * 100)}%",
        evidence=evidence,
        summary=one_line(alert.match.summary),
        source_title=one_line(alert.report.title) or alert.report.source_id,
        source_id=alert.report.source_id,
        url=safe_url(alert.report.url),
        published_at=alert.report.published_at,
        rule_id=alert.rule_id,
        report_count=alert.report_count,
        confirmed_by=tuple(one_line(c) for c in alert.confirmed_by if c.strip()),
    )
