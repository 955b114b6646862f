"""When did (or will) the meeting happen? The date a report should be filed under. PURE.

Reads what the text says (``rules/dates/find.py`` finds explicit dates, weekdays, relative
days and relative weekdays in many languages, with word lists from CLDR via
``rules/dates/lexicon.py``) relative to the item's publish time, and agency datelines
("NAIROBI, Oct 3 (AFP) --"). Falls back to None; ``date_of`` then uses the publish
(or fetch) date.

Tense comes from the meeting status: reports of held meetings and calls look back,
scheduled and cancelled ones forward, and a held meeting is never placed more than
``tolerance_days`` after the reference date.

Where to look, in order: the detector's evidence sentences, the title, the lead of the
text (after any dateline), then the dateline itself; within one place the most specific
expression wins (a full date over a day-of-month over a weekday over "today"). A
dateline's date, when close to the publish time, is the reference for relative words
(the wire copy was written that day).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Literal

from monitor.model import Item, Match
from rules.dates.find import (
    RANK,
    DateMention,
    Tense,
    find_dates,
    languages_for,
    plausible,
    tense_for_status,
)

__all__ = [
    "DateMention",
    "DateSource",
    "MeetingDate",
    "Tense",
    "date_of",
    "dateline_date",
    "extract_meeting_date",
    "find_dates",
    "languages_for",
    "meeting_date",
    "split_dateline",
    "tense_for_status",
]

DateSource = Literal["detector", "text", "dateline", "published"]

LEAD_CHARS = 400  # how much of the text counts as its lead
DATELINE_CHARS = 100  # a dateline ends within this many characters
DATELINE_MAX_SKEW = 3  # days between a dateline and the publish time for it to be trusted


@dataclass(frozen=True, slots=True)
class MeetingDate:
    """A meeting date and where it came from (``published`` = no date in the text)."""

    value: date
    source: DateSource
    evidence: str = ""  # the date expression, folded, when read from the text


_DATELINE_END = re.compile(r"\s--|--\s|\s[-–—]\s|\)\s*[-–—:.]+|[-–—]{1,2}\s*\(|:\s")


def split_dateline(
    text: str, *, reference: date, lang: str | None = None
) -> tuple[date | None, int]:
    """An agency dateline at the start of ``text`` ("NAIROBI, Oct 3 (AFP) --",
    "Santo Domingo (08 Agosto 2023).-"): its date (None when it carries none) and where
    the body starts (0 when there is no dateline)."""
    end = _DATELINE_END.search(text[: DATELINE_CHARS + 10])
    if end is None or end.start() > DATELINE_CHARS:
        return None, 0
    head = text[: end.end()]
    for mention in find_dates(head, reference=reference, lang=lang, tense="any"):
        if mention.kind in {"full", "month_day"}:
            return mention.value, end.end()
    return None, 0


def dateline_date(text: str, *, reference: date, lang: str | None = None) -> date | None:
    """The date of the agency dateline at the start of ``text``, when there is one."""
    return split_dateline(text, reference=reference, lang=lang)[0]


def _best(mentions: Sequence[DateMention]) -> DateMention | None:
    return min(mentions, key=lambda x: (-RANK[x.kind], x.start), default=None)


def _as_date(when: datetime | date, tz: tzinfo | None) -> date:
    if isinstance(when, datetime):
        if when.tzinfo is not None:
            when = when.astimezone(tz or UTC)
        return when.date()
    return when


def extract_meeting_date(
    text: str,
    *,
    published: datetime | date,
    title: str = "",
    lang: str | None = None,
    status: str | None = None,
    evidence: Sequence[str] = (),
    tolerance_days: int = 2,
    tz: tzinfo | None = None,
) -> MeetingDate | None:
    """The meeting date the text states, or None (the caller then uses the publish time).

    ``tz`` is the source's time zone when known: "today" in a Delhi paper published at
    01:00 IST is the Delhi date, not the UTC one.
    """
    ref = _as_date(published, tz)
    dateline, body_at = split_dateline(text, reference=ref, lang=lang)
    prefix = text[:body_at]
    if dateline is not None and abs((dateline - ref).days) <= DATELINE_MAX_SKEW:
        ref = dateline
    tense = tense_for_status(status)
    sample = " ".join([title, text[:LEAD_CHARS]])
    language = lang or languages_for(None, sample)[0]

    def scan(part: str) -> list[DateMention]:
        if not part.strip():
            return []
        return find_dates(
            part, reference=ref, lang=language, tense=tense, tolerance_days=tolerance_days
        )

    # The dateline is the report's date, not the meeting's: read around it.
    bodies = [ev.replace(prefix, " ") if prefix else ev for ev in evidence]
    tiers = [
        [m for body in bodies for m in scan(body)],
        scan(title),
        scan(text[body_at : body_at + LEAD_CHARS]),
    ]
    for mentions in tiers:
        best = _best(mentions)
        if best is not None:
            return MeetingDate(best.value, "text", best.text)
    if dateline is not None and plausible(dateline, ref, tense, tolerance_days):
        return MeetingDate(dateline, "dateline")
    return None


def meeting_date(
    text: str,
    *,
    published: datetime | date,
    title: str = "",
    lang: str | None = None,
    status: str | None = None,
    evidence: Sequence[str] = (),
    tolerance_days: int = 2,
    tz: tzinfo | None = None,
) -> date | None:
    """The meeting date the text states (see ``extract_meeting_date``), or None."""
    found = extract_meeting_date(
        text,
        published=published,
        title=title,
        lang=lang,
        status=status,
        evidence=evidence,
        tolerance_days=tolerance_days,
        tz=tz,
    )
    return found.value if found else None


def date_of(item: Item, match: Match, *, tz: tzinfo | None = None) -> MeetingDate:
    """The date an event layer should file ``match`` under: the detector's own date when
    it set one, else the text's, else the item's publish (or fetch) date."""
    meeting = match.meeting
    if meeting is not None and meeting.meeting_date is not None:
        return MeetingDate(meeting.meeting_date, "detector")
    published = item.published_at or item.fetched_at
    found = extract_meeting_date(
        item.text,
        published=published,
        title=item.title,
        lang=item.lang,
        status=meeting.status if meeting else None,
        evidence=match.evidence or (meeting.evidence if meeting else ()),
        tz=tz,
    )
    return found or MeetingDate(_as_date(published, tz), "published")
