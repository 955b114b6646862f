"""What the ``events`` row keeps beside the record so the meetings list reads rows only
(PURE): the reports' languages, the rules that matched, the headline report, and the event's
text folded for search (``fold``). Both stores compute the columns here on every write and
turn rows back into ``EventSummary`` here, so they agree to the character.

Search text is kept in two columns: ``facts_folded`` (place and officials, rewritten with
the row) and ``reports_folded`` (every report's title and evidence, one line each, appended
as reports join, so a big event's join never folds its older reports again). A search is
a substring test on both, in SQL; ``mentions`` is the same test on a whole record.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from monitor.events.record import EventRecord, EventReport, parse_head
from monitor.store.webreads import EventSummary, LeadReport

SUMMARIES_MIGRATION = "0006_event_summaries"  # the rows it finds are filled on open
# The summary columns of ``events`` (migration 0006 in both stores). ``reports_folded`` is
# the one a join appends to; the others are rewritten with the row.
SUMMARY_COLUMNS = ("languages", "rule_ids", "lead_json", "facts_folded")
# json.dumps(..., ensure_ascii=False, separators=(",", ":")) without a JSONEncoder per call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def fold(text: str) -> str:
    """The form texts are searched in: NFKC, case folded (so "WANG yi" finds "Wang Yi")."""
    return unicodedata.normalize("NFKC", text).casefold()


def _lines(texts: Iterable[str]) -> str:
    # One text per line: a search text never holds a line break (filters collapse
    # whitespace), so a match never spans two texts.
    return "".join(fold(" ".join(t.split())) + "\n" for t in texts if t)


def report_folded(report: EventReport) -> str:
    """A report's searchable text: its title and evidence, folded, one per line."""
    return _lines([report.ref.title, *report.match.evidence])


def facts_folded(event: EventRecord) -> str:
    return _lines([event.place or "", *event.officials])


def lead_of(event: EventRecord) -> EventReport | None:
    """The headline report: the first in report order (published time, then item key)."""
    return min(event.reports, key=lambda r: r.order, default=None)


def _lead_json(report: EventReport) -> str:
    ref = report.ref
    data = {
        "item_key": ref.item_key,
        "source_id": ref.source_id,
        "url": ref.url,
        "title": ref.title,
        "published_at": ref.published_at.isoformat() if ref.published_at else None,
        "lang": ref.lang,
        "confirmer": report.confirmer,
        "summary": report.match.summary,
        "evidence": next(iter(report.match.evidence), None),
    }
    return _COMPACT(data)


def summary_columns(event: EventRecord) -> dict[str, str]:
    """The values of ``SUMMARY_COLUMNS`` for ``event`` (with all its reports)."""
    langs = sorted({(r.ref.lang or "").split("-")[0] for r in event.reports} - {""})
    lead = lead_of(event)
    return {
        "languages": ",".join(langs),
        "rule_ids": "\n".join(sorted({r.match.rule_id for r in event.reports})),
        "lead_json": _lead_json(lead) if lead is not None else "",
        "facts_folded": facts_folded(event),
    }


def backfilled(key: str, event: EventRecord | None) -> dict[str, str]:
    """The summary columns (``reports_folded`` included) of a row written before they
    existed, from its record (None: a row without reports, left empty, never read again)."""
    if event is None:
        return {"event_key": key, **dict.fromkeys(SUMMARY_COLUMNS, ""), "reports_folded": ""}
    folded = "".join(report_folded(r) for r in event.reports)
    return {"event_key": key, **summary_columns(event), "reports_folded": folded}


def mentions(event: EventRecord, text: str) -> bool:
    """Whether ``text`` (folded) occurs in the event's place, officials or any report's
    title or evidence: what the stores' search finds, on a whole record."""
    wanted = fold(text)
    return wanted in facts_folded(event) or any(wanted in report_folded(r) for r in event.reports)


def _lead(raw: str | None) -> LeadReport | None:
    if not raw:
        return None
    d = json.loads(raw)
    published = d["published_at"]
    return LeadReport(
        item_key=d["item_key"],
        source_id=d["source_id"],
        url=d["url"],
        title=d["title"],
        published_at=datetime.fromisoformat(published) if published else None,
        lang=d["lang"],
        confirmer=d["confirmer"],
        summary=d["summary"],
        evidence=d["evidence"],
    )


def summary_from_row(
    record_json: str,
    *,
    report_count: int,
    languages: str | None,
    rule_ids: str | None,
    lead_json: str | None,
) -> EventSummary:
    """An ``EventSummary`` from an ``events`` row (``record_json`` is the record without
    its reports)."""
    return EventSummary(
        **parse_head(json.loads(record_json)),
        report_count=report_count,
        languages=tuple(languages.split(",")) if languages else (),
        rule_ids=tuple(rule_ids.split("\n")) if rule_ids else (),
        lead=_lead(lead_json),
    )


def summary_of(event: EventRecord) -> EventSummary:
    """What ``summary_from_row`` reads back for ``event`` once stored (tests compare)."""
    head = event.to_json()
    del head["reports"]
    cols = summary_columns(event)
    return summary_from_row(
        json.dumps(head),
        report_count=event.report_count,
        languages=cols["languages"],
        rule_ids=cols["rule_ids"],
        lead_json=cols["lead_json"],
    )
