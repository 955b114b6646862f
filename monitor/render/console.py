"""Alert → a few lines of plain text for a terminal or a log (PURE)."""

from __future__ import annotations

from monitor.model import Alert
from monitor.render.facts import view


def console(alert: Alert) -> str:
    """E.g.::

    🇮🇳 🇨🇳 IN–CN: Jaishankar met Wang Yi in Astana
      held · 92% · 3 Jul 2024 · Astana · S. Jaishankar, Wang Yi
      “External Affairs Minister S. Jaishankar met …”
      The Hindu (thehindu) — 2024-07-03 14:05 UTC https://…
    """
    v = view(alert)
    lines: list[str] = []
    if v.kind != "new":
        lines.append(v.change_line)
    lines.append(f"{v.flags} {v.headline}".strip())
    facts = [v.status, v.confidence, v.when, v.place, ", ".join(v.officials) or None]
    if not v.is_meeting:
        facts = [v.summary if v.summary != v.headline else None, v.confidence, v.rule_line]
    if v.kind == "new" and v.confirmed_line:
        facts.append(v.confirmed_line)
    lines.append("  " + " · ".join(f for f in facts if f))
    lines += [f"  “{sentence}”" for sentence in v.evidence[:1]]
    source = (
        v.source_title if v.source_id == v.source_title else f"{v.source_title} ({v.source_id})"
    )
    if v.published_label:
        source += f" — {v.published_label}"
    if v.url:
        source += f" {v.url}"
    lines.append("  " + source)
    return "\n".join(lines)
