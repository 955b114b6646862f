"""Alert → the webhook JSON document, schema ``bilat.alert/1`` (PURE).

The schema is versioned: fields are only ever added within ``bilat.alert/1``; renaming or
removing one bumps it to ``/2``. Every key is always present (``null`` when unknown)::

    {
      "schema": "bilat.alert/1",
      "id": "3f2a…",                    # stable per alert: use it to de-duplicate
      "kind": "new" | "update" | "confirmed",
      "parent_id": null | "…",          # the "new" alert an update/confirmation belongs to
      "event_key": "…",                 # one real-world meeting, across sources and languages
      "notifier": "hooks", "rule_id": "bilateral",
      "created_at": "2024-07-03T14:06:10+00:00",
      "headline": "IN–CN: Jaishankar met Wang Yi in Astana",
      "text": "…",                      # the same alert as plain text, ready to show
      "meeting": null | {
        "parties": [{"code": "IN", "name": "India", "flag": "🇮🇳"}, …],
        "officials": ["S. Jaishankar", "Wang Yi"], "location": "Astana" | null,
        "status": "held" | "scheduled" | "call" | "cancelled",
        "date": "2024-07-03" | null, "confidence": 0.92, "evidence": ["…"]
      },
      "match": {"kind": "bilateral_meeting" | "keyword" | …, "summary": "…",
                "evidence": ["…"], "confidence": 0.92},
      "report": {"url": …, "title": …, "source_id": …, "published_at": …, "lang": …,
                 "official": false, "author_handle": null | "@…"},
      "report_count": 13,               # reports of the event so far
      "confirmed_by": ["MEA", "@DrSJaishankar"]
    }
"""

from __future__ import annotations

from typing import Any

from monitor.model import Alert
from monitor.render.console import console
from monitor.render.facts import flag, party_name

SCHEMA = "bilat.alert/1"


def payload(alert: Alert) -> dict[str, Any]:
    """The ``bilat.alert/1`` document for ``alert`` (JSON-serialisable)."""
    m = alert.match.meeting
    meeting: dict[str, Any] | None = None
    if m is not None:
        meeting = {
            "parties": [{"code": c, "name": party_name(c), "flag": flag(c)} for c in m.parties],
            "officials": list(m.officials),
            "location": m.location,
            "status": m.status,
            "date": m.meeting_date.isoformat() if m.meeting_date else None,
            "confidence": round(m.confidence, 3),
            "evidence": list(m.evidence),
        }
    r = alert.report
    return {
        "schema": SCHEMA,
        "id": alert.id,
        "kind": alert.kind,
        "parent_id": alert.parent_id,
        "event_key": alert.event_key,
        "notifier": alert.notifier,
        "rule_id": alert.rule_id,
        "created_at": alert.created_at.isoformat(),
        "headline": alert.headline,
        "text": console(alert),
        "meeting": meeting,
        "match": {
            "kind": alert.match.kind,
            "summary": alert.match.summary,
            "evidence": list(alert.match.evidence),
            "confidence": round(alert.match.confidence, 3),
        },
        "report": {
            "url": r.url,
            "title": r.title,
            "source_id": r.source_id,
            "published_at": r.published_at.isoformat() if r.published_at else None,
            "lang": r.lang,
            "official": r.official,
            "author_handle": r.author_handle,
        },
        "report_count": alert.report_count,
        "confirmed_by": list(alert.confirmed_by),
    }
