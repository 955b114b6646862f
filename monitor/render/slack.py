"""Alert → Slack Block Kit message (PURE).

Two shapes:
- ``message(alert)``: the full alert (header with flags, who/officials/where/when/status/
  confidence fields, the evidence as a quote, source link and time). Used for "new" alerts,
  for ``chat.update`` of the parent on a confirmation, and when no thread exists.
- ``reply(alert)``: a short thread reply for an "update" or "confirmed" alert.

Both carry a plain ``text`` fallback (notifications, screen readers). Slack's limits are
enforced here, measured in UTF-16 units: ≤ 50 blocks, header ≤ 150, section text ≤ 3,000,
fields ≤ 10 of ≤ 2,000 each, context ≤ 10 elements. User text is mrkdwn-escaped (``&<>``).
"""

from __future__ import annotations

from typing import Any

from monitor.model import Alert
from monitor.render.facts import AlertView, view
from monitor.render.fit import fit_mrkdwn, mrkdwn_escape, slack_link, truncate, utf16_len

MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_CONTEXT = 3000
MAX_LINK = 1700  # a longer link is dropped (the label stays) so no element can overflow
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK = 3000
MAX_EVIDENCE_ITEMS = 3

Block = dict[str, Any]


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(text)}


def _field(label: str, value: str) -> dict[str, str]:
    head = f"*{label}*\n"
    return _mrkdwn(head + fit_mrkdwn(value, MAX_FIELD - utf16_len(head)))


def _header(v: AlertView) -> Block:
    text = f"{v.flags} {v.headline}".strip() if v.flags else v.headline
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": truncate(text, MAX_HEADER), "emoji": True},
    }


def _fields(v: AlertView) -> list[dict[str, str]]:
    fields: list[dict[str, str]] = []
    if v.is_meeting:
        if v.parties:
            fields.append(_field("Who", v.pair_label))
        if v.officials:
            fields.append(_field("Officials", ", ".join(v.officials)))
        if v.place:
            fields.append(_field("Where", v.place))
        if v.when:
            fields.append(_field("When", v.when))
        fields.append(_field("Status", v.status or ""))
    if v.confidence:
        fields.append(_field("Confidence", v.confidence))
    if not v.is_meeting:
        fields.append(_field("Rule", "operator note" if v.is_operator_note else v.rule_id))
    return fields[:MAX_FIELDS]


def _quote(v: AlertView, limit: int = MAX_SECTION, items: int = MAX_EVIDENCE_ITEMS) -> str | None:
    """The evidence as a mrkdwn block quote, each sentence on its own ``>`` line."""
    lines: list[str] = []
    budget = limit
    for sentence in v.evidence[:items]:
        room = budget - 2  # ">" + "\n"
        if room < 20:
            break
        line = ">" + fit_mrkdwn(sentence, room - 1)
        lines.append(line)
        budget -= utf16_len(line) + 1
    return "\n".join(lines) if lines else None


def _timestamp(v: AlertView) -> str | None:
    """Slack's date token: shown in each reader's own time zone, with a UTC fallback."""
    if v.published_at is None or v.published_label is None:
        return None
    unix = int(v.published_at.timestamp())
    return f"<!date^{unix}^{{date_short_pretty}} {{time}}|{v.published_label}>"


def _source(v: AlertView) -> str:
    """ "<url|title> · source_id", at most ~2,200 units: never truncated (it is markup)."""
    label = truncate(v.source_title, 100)
    src = f"*{mrkdwn_escape(label)}*"
    if v.url and utf16_len(link := slack_link(v.url, label)) <= MAX_LINK:
        src = link
    if v.source_id and v.source_id != v.source_title:
        src += f" · {mrkdwn_escape(truncate(v.source_id, 100))}"
    return src


def _context(v: AlertView, *, with_counts: bool) -> Block:
    elements = [_mrkdwn(_source(v))]
    stamp = _timestamp(v)
    if stamp:
        elements.append(_mrkdwn(stamp))
    if v.is_operator_note:
        elements.append(_mrkdwn("operator note"))
    else:
        elements.append(_mrkdwn(f"rule `{mrkdwn_escape(truncate(v.rule_id, 100))}`"))
    if with_counts:
        elements.append(_mrkdwn(mrkdwn_escape(v.reports_line)))
    return {"type": "context", "elements": elements[:MAX_CONTEXT_ELEMENTS]}


def fallback_text(v: AlertView, *, reply: bool = False) -> str:
    """The plain ``text`` of a message: what notifications and screen readers show.

    Each part is fitted on its own (head ≤ 700, evidence ≤ 500, link ≤ 1,700 units) so the
    whole stays under 3,000 and no entity or link is ever cut in half.
    """
    if reply:
        head = f"{v.change_line} · {v.headline}"
    else:
        head = f"{v.flags} {v.headline}".strip()
        if v.status:
            head += f" ({v.status}, {v.confidence})"
        if v.confirmed_line:
            head += f" · {v.confirmed_line}"
    parts = [fit_mrkdwn(head, 700)]
    if v.evidence and not reply:
        parts.append("“" + fit_mrkdwn(v.evidence[0], 500) + "”")
    label = truncate(v.source_title, 100)
    source = mrkdwn_escape(label)
    if v.url and utf16_len(link := slack_link(v.url, label)) <= MAX_LINK:
        source = link
    parts.append(source)
    return "\n".join(parts)


def _cap(blocks: list[Block]) -> list[Block]:
    return blocks[:MAX_BLOCKS]


def message(alert: Alert) -> dict[str, Any]:
    """The full message: ``{"text": ..., "blocks": [...]}`` (add ``channel`` etc. to send)."""
    v = view(alert)
    blocks: list[Block] = [_header(v)]
    if v.confirmed_line:
        blocks.append(_section(":white_check_mark: *" + fit_mrkdwn(v.confirmed_line, 2900) + "*"))
    if not v.is_meeting and v.summary and v.summary != v.headline:
        blocks.append(_section(fit_mrkdwn(v.summary, MAX_SECTION)))
    blocks.append({"type": "section", "fields": _fields(v)})
    quote = _quote(v)
    if quote:
        blocks.append(_section(quote))
    blocks.append(_context(v, with_counts=v.kind != "new" or v.report_count > 1))
    return {"text": fallback_text(v), "blocks": _cap(blocks)}


def reply(alert: Alert) -> dict[str, Any]:
    """A short thread reply for an update or a confirmation: what changed, the new source."""
    v = view(alert)
    icon = ":white_check_mark:" if v.kind == "confirmed" else ":heavy_plus_sign:"
    blocks: list[Block] = [_section(f"{icon} *{fit_mrkdwn(v.change_line, 2900)}*")]
    quote = _quote(v, limit=600, items=1)
    if quote:
        blocks.append(_section(quote))
    elements = [_mrkdwn(_source(v))]
    stamp = _timestamp(v)
    if stamp:
        elements.append(_mrkdwn(stamp))
    blocks.append({"type": "context", "elements": elements})
    return {"text": fallback_text(v, reply=True), "blocks": _cap(blocks)}


def standalone_update(alert: Alert) -> dict[str, Any]:
    """An update posted where no thread exists (incoming webhooks): reply + the headline."""
    v = view(alert)
    payload = reply(alert)
    head = {
        "type": "context",
        "elements": [_mrkdwn(fit_mrkdwn(f"{v.flags} {v.headline}".strip(), MAX_CONTEXT))],
    }
    payload["blocks"] = _cap([head, *payload["blocks"]])
    return payload
