"""Alert → email subject, plain text and HTML; many alerts → one digest (PURE).

Subjects are scannable in an inbox: the headline itself ("IN–CN: Jaishankar met Wang Yi in
Astana"); updates and confirmations reuse it behind "Re: " so clients that thread by subject
agree with the ``In-Reply-To``/``References`` headers the notifier sets. The first body line
says what changed, so the inbox preview shows it.

HTML comes from Jinja2 templates shipped in the package (``monitor/render/templates/mail``)
with autoescaping on: every value is escaped by the engine, not by hand. Styles are inline,
nothing is loaded from outside (no images, fonts or stylesheets); links are only http(s)
(``AlertView.url`` is None otherwise). Templates are read from the installed package, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from monitor.model import Alert
from monitor.render.facts import AlertView, view
from monitor.render.fit import truncate

MAX_SUBJECT = 200


@dataclass(frozen=True, slots=True)
class EmailContent:
    subject: str
    text: str
    html: str


def subject(alert: Alert) -> str:
    """ "IN–CN: Jaishankar met Wang Yi in Astana"; "Re: …" for updates and confirmations."""
    v = view(alert)
    prefix = "" if v.kind == "new" else "Re: "
    return truncate(prefix + v.headline, MAX_SUBJECT)


def _rows(v: AlertView) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if v.is_meeting:
        if v.parties:
            rows.append(("Who", v.pair_label))
        if v.officials:
            rows.append(("Officials", ", ".join(v.officials)))
        if v.place:
            rows.append(("Where", v.place))
        if v.when:
            rows.append(("When", v.when))
        rows.append(("Status", v.status or ""))
    else:
        rows.append(("Match", v.summary))
    if v.confidence:
        rows.append(("Confidence", v.confidence))
    return rows


def _source_line(v: AlertView) -> str:
    line = f"Source: {v.source_title}"
    if v.source_id != v.source_title:
        line += f" ({v.source_id})"
    if v.published_label:
        line += f" — {v.published_label}"
    return line


def _text_block(v: AlertView, *, short: bool = False) -> list[str]:
    """The plain-text lines for one alert (``short``: for an update inside a thread/digest)."""
    lines: list[str] = []
    if not short:
        width = max(len(label) for label, _ in _rows(v)) + 1
        lines += [f"{(label + ':').ljust(width)} {value}" for label, value in _rows(v)]
        lines.append("")
    for sentence in v.evidence[: 1 if short else 3]:
        lines.append(f"“{sentence}”")
    if v.evidence:
        lines.append("")
    lines.append(_source_line(v))
    if v.url:
        lines.append(v.url)
    return lines


def text_body(alert: Alert) -> str:
    v = view(alert)
    lines: list[str] = []
    if v.kind != "new":
        lines += [v.change_line, ""]
    elif v.confirmed_line:
        lines += [v.confirmed_line, ""]
    lines += [f"{v.flags} {v.headline}".strip(), ""]
    lines += _text_block(v, short=v.kind != "new")
    lines += ["", f"{v.rule_caption} · {v.reports_line} · alert {alert.id}"]
    return "\n".join(lines) + "\n"


@cache
def _templates() -> Environment:
    """The e-mail templates; autoescape on, and a missing value is an error, never blank."""
    return Environment(
        loader=PackageLoader("monitor.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _html(template: str, **context: Any) -> str:
    return _templates().get_template(template).render(**context)


def _entry(v: AlertView, *, short: bool) -> dict[str, Any]:
    """What the ``alert`` macro shows of one alert."""
    return {"v": v, "rows": [] if short else _rows(v), "short": short}


def html_body(alert: Alert) -> str:
    v = view(alert)
    note = v.change_line if v.kind != "new" else v.confirmed_line
    return _html(
        "mail/alert.html",
        title=v.headline,
        note=note or "",
        alert_id=alert.id,
        **_entry(v, short=v.kind != "new"),
    )


def email(alert: Alert) -> EmailContent:
    """Subject, plain text and HTML of one alert."""
    return EmailContent(subject(alert), text_body(alert), html_body(alert))


def _group(alerts: Sequence[Alert]) -> list[list[Alert]]:
    """Alerts grouped by event, events in order of their first alert, alerts in time order."""
    groups: dict[str, list[Alert]] = {}
    for alert in sorted(alerts, key=lambda a: (a.created_at, a.id)):
        groups.setdefault(alert.event_key, []).append(alert)
    return list(groups.values())


def digest_subject(alerts: Sequence[Alert]) -> str:
    """ "bilat: 3 meetings, 5 updates — IN–CN: Jaishankar met Wang Yi in Astana; …"."""
    groups = _group(alerts)
    new = sum(1 for a in alerts if a.kind == "new")
    other = len(alerts) - new
    counts = [f"{new} new"] if new else []
    if other:
        counts.append(f"{other} update" + ("" if other == 1 else "s"))
    heads = "; ".join(view(g[-1]).headline for g in groups)
    return truncate(f"bilat digest ({', '.join(counts)}): {heads}", MAX_SUBJECT)


def digest(alerts: Sequence[Alert]) -> EmailContent:
    """One mail with every alert of a window, grouped by event (updates under their event)."""
    if not alerts:
        raise ValueError("a digest needs at least one alert")
    groups = _group(alerts)
    text: list[str] = []
    html_groups: list[dict[str, Any]] = []
    for group in groups:
        lead = view(group[-1])  # the latest alert carries the most enriched headline
        text += [f"■ {lead.flags} {lead.headline}".replace("  ", " "), ""]
        entries: list[dict[str, Any]] = []
        for alert in group:
            v = view(alert)
            short = v.kind != "new"
            if short:
                text.append(f"  {v.change_line}")
            text += ["  " + line if line else "" for line in _text_block(v, short=short)]
            text.append("")
            entries.append(_entry(v, short=short))
        html_groups.append({"lead": lead, "entries": entries})
    ids = ", ".join(a.id for a in sorted(alerts, key=lambda a: (a.created_at, a.id)))
    text.append(f"Alerts: {ids}")
    title = digest_subject(alerts)
    page = _html("mail/digest.html", title=title, groups=html_groups, ids=ids)
    return EmailContent(title, "\n".join(text) + "\n", page)
