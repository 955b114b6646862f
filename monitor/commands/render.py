"""``bilat render ALERT_ID [-c FILE] | --sample``: print an alert's Slack, email and webhook
payloads (and its console text) without sending anything.

ALERT_ID (from a log line such as ``delivery.dead``) is looked up in the state named by the
configuration; its delivery record (notifier, state, attempts, last error, remote id) is
printed first. Exit 1 when the state holds no such alert, 2 on a configuration error.
``--sample`` uses the built-in sample alert (Jaishankar meets Wang Yi in Astana).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from monitor import render
from monitor.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    add_config_option,
    load_or_report,
)
from monitor.model import Alert
from monitor.render.sample import sample_alert
from monitor.settings import Settings
from monitor.store import OutboxRow, open_store

CHANNELS = ("slack", "email", "webhook", "console")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def render_all(alert: Alert) -> dict[str, str]:
    """Every channel's rendering of ``alert``, as printable text, keyed by channel.

    "slack": the Block Kit payload(s) a Slack notifier would send (for an update or a
    confirmation: the thread reply, and for a confirmation also the edited parent);
    "email": subject, plain text and HTML; "webhook": the bilat.alert/1 document;
    "console": the console text.
    """
    if alert.kind == "new":
        slack = _json(render.slack_message(alert))
    else:
        slack = "// thread reply (chat.postMessage with thread_ts)\n" + _json(
            render.slack_reply(alert)
        )
        if alert.kind == "confirmed":
            slack += "\n// edit of the parent message (chat.update)\n" + _json(
                render.slack_message(alert)
            )
    mail = render.email(alert)
    email_text = (
        f"Subject: {mail.subject}\n\n--- text/plain ---\n{mail.text}\n--- text/html ---\n"
        f"{mail.html}\n"
    )
    return {
        "slack": slack,
        "email": email_text,
        "webhook": _json(render.webhook(alert)),
        "console": render.console(alert),
    }


def _print(rendered: dict[str, str], only: str | None) -> None:
    for channel in CHANNELS:
        if only and channel != only:
            continue
        print(f"===== {channel} =====")
        print(rendered[channel])
        print()


def delivery_record(alert: Alert, row: OutboxRow | None) -> str:
    """What the outbox knows about ``alert``: notifier, state, attempts, error, remote id."""
    lines = [
        f"alert:     {alert.id} ({alert.kind}, rule {alert.rule_id}, event {alert.event_key})",
        f"notifier:  {alert.notifier}",
    ]
    if alert.parent_id:
        lines.append(f"parent:    {alert.parent_id}")
    if row is None:
        lines.append("state:     not in the outbox (pruned, or never queued)")
        return "\n".join(lines)
    lines.append(f"state:     {row.state} after {row.attempts} attempt(s)")
    lines.append(f"queued:    {row.created_at.isoformat()}")
    if row.not_before is not None:
        lines.append(f"held:      not before {row.not_before.isoformat()}")
    if row.state == "pending" and row.attempts:
        lines.append(f"next try:  {row.next_attempt_at.isoformat()}")
    if row.sent_at is not None:
        lines.append(f"sent:      {row.sent_at.isoformat()}")
    if row.remote_id:
        lines.append(f"remote id: {row.remote_id}")
    if row.last_error:
        lines.append(f"error:     {row.last_error}")
    return "\n".join(lines)


async def render_stored(settings: Settings, alert_id: str, only: str | None) -> int:
    """Print the stored alert ``alert_id`` (and its delivery record); the exit code."""
    store = await open_store(settings.state_url)
    try:
        row = await store.outbox_row(alert_id)
        alert = row.alert if row is not None else await store.get_alert(alert_id)
    finally:
        await store.close()
    if alert is None:
        print(
            f"bilat render: no alert {alert_id!r} in {settings.state_url}; ids appear in the "
            "alert.delivered and delivery.dead log lines",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if only is None:
        print("===== delivery =====")
        print(delivery_record(alert, row))
        print()
    _print(render_all(alert), only)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.sample:
        _print(render_all(sample_alert(kind=args.kind)), args.channel)
        return EXIT_OK
    settings = load_or_report(args)
    if settings is None:
        return EXIT_CONFIG
    return asyncio.run(render_stored(settings, args.alert_id, args.channel))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "render",
        help="print an alert's Slack, email and webhook payloads without sending",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("alert_id", nargs="?", metavar="ALERT_ID", help="an alert in the store")
    target.add_argument("--sample", action="store_true", help="render the built-in sample alert")
    parser.add_argument(
        "--kind",
        choices=("new", "update", "confirmed"),
        default="new",
        help="with --sample: which kind of alert to render (default: new)",
    )
    parser.add_argument("--channel", choices=CHANNELS, help="print only this channel")
    add_config_option(parser)
    parser.set_defaults(func=run)
