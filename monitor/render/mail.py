"""Alert → email subject, plain text and HTML; many alerts → one digest (PURE).

Subjects are scannable in an inbox: the headline itself ("IN–CN: Jaishankar met Wang Yi in
Astana"); updates and confirmations reuse it behind "Re: " so clients that thread by subject
agree with the ``In-Reply-To``/``References`` headers the notifier sets. The first body line
says what changed, so the inbox preview shows it.

HTML: every value is escaped, styles are inline, nothing is loaded from outside (no images,
fonts or stylesheets); links are only http(s).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.model import Alert
from monitor.render.facts import AlertView, view
from monitor.render.fit import truncate

MAX_SUBJECT = 200
_FONT = "font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif"
_MUTED = "color:#555;font-size:13px"


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
    lines += ["", f"Rule {v.rule_id} · {v.reports_line} · alert {alert.id}"]
    return "\n".join(lines) + "\n"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_block(v: AlertView, *, short: bool = False) -> str:
    parts: list[str] = []
    if not short:
        cells = "".join(
            f'<tr><td style="padding:2px 12px 2px 0;{_MUTED};vertical-align:top">{_e(label)}</td>'
            f'<td style="padding:2px 0">{_e(value)}</td></tr>'
            for label, value in _rows(v)
        )
        parts.append(f'<table style="border-collapse:collapse;margin:8px 0">{cells}</table>')
    for sentence in v.evidence[: 1 if short else 3]:
        parts.append(
            '<blockquote style="margin:8px 0;padding:4px 12px;border-left:3px solid #ccc;'
            f'color:#333">{_e(sentence)}</blockquote>'
        )
    source = _e(v.source_title)
    if v.url:
        source = f'<a href="{_e(v.url)}" style="color:#1a5fb4">{source}</a>'
    extra = f" ({_e(v.source_id)})" if v.source_id != v.source_title else ""
    when = f" — {_e(v.published_label)}" if v.published_label else ""
    parts.append(f'<p style="margin:8px 0;{_MUTED}">Source: {source}{extra}{when}</p>')
    return "".join(parts)


def _html_page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title></head>"
        f'<body style="{_FONT};font-size:15px;color:#111;margin:0;padding:16px">{body}</body>'
        "</html>"
    )


def html_body(alert: Alert) -> str:
    v = view(alert)
    parts: list[str] = []
    if v.kind != "new" or v.confirmed_line:
        note = v.change_line if v.kind != "new" else (v.confirmed_line or "")
        parts.append(f'<p style="margin:0 0 8px;font-weight:bold">{_e(note)}</p>')
    parts.append(f'<h2 style="margin:0 0 4px;font-size:18px">{_e(v.flags)} {_e(v.headline)}</h2>')
    parts.append(_html_block(v, short=v.kind != "new"))
    parts.append(
        f'<p style="margin:12px 0 0;{_MUTED}">Rule {_e(v.rule_id)} · {_e(v.reports_line)}'
        f" · alert {_e(alert.id)}</p>"
    )
    return _html_page(v.headline, "".join(parts))


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
    parts: list[str] = []
    for group in groups:
        lead = view(group[-1])  # the latest alert carries the most enriched headline
        text += [f"■ {lead.flags} {lead.headline}".replace("  ", " "), ""]
        parts.append(
            '<h2 style="margin:20px 0 4px;font-size:18px;border-top:1px solid #ddd;'
            f'padding-top:12px">{_e(lead.flags)} {_e(lead.headline)}</h2>'
        )
        for alert in group:
            v = view(alert)
            short = v.kind != "new"
            if short:
                text.append(f"  {v.change_line}")
                parts.append(f'<p style="margin:8px 0 0;font-weight:bold">{_e(v.change_line)}</p>')
            text += ["  " + line if line else "" for line in _text_block(v, short=short)]
            text.append("")
            parts.append(_html_block(v, short=short))
    ids = ", ".join(a.id for a in sorted(alerts, key=lambda a: (a.created_at, a.id)))
    text.append(f"Alerts: {ids}")
    parts.append(f'<p style="margin:16px 0 0;{_MUTED}">Alerts: {_e(ids)}</p>')
    title = digest_subject(alerts)
    return EmailContent(title, "\n".join(text) + "\n", _html_page(title, "".join(parts)))
