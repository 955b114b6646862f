"""``bilat render --sample | ALERT_ID``: print an alert's Slack, email and webhook payloads
(and its console text) without sending anything.

``--sample`` uses the built-in sample alert (Jaishankar meets Wang Yi in Astana). Looking an
ALERT_ID up needs the store: the lead wires that to ``render_all(alert)``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from monitor import render
from monitor.model import Alert
from monitor.render.sample import sample_alert

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


def run(args: argparse.Namespace) -> int:
    if args.sample:
        _print(render_all(sample_alert(kind=args.kind)), args.channel)
        return 0
    print(
        f"bilat render: looking up alert {args.alert_id!r} needs the store, which this build "
        "does not wire yet; use --sample",
        file=sys.stderr,
    )
    return 2


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
    parser.set_defaults(func=run)
