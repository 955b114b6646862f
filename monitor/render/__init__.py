"""PURE rendering of alerts for every channel: Slack Block Kit, email (text + HTML, digests),
the webhook JSON document (``bilat.alert/1``) and console text.

``monitor.render`` is a package so each channel stays a small module; import from here::

    from monitor import render
    render.slack_message(alert)   # {"text": ..., "blocks": [...]}
    render.slack_reply(alert)     # a short thread reply for updates/confirmations
    render.email(alert)           # EmailContent(subject, text, html)
    render.email_digest(alerts)   # one EmailContent for many alerts
    render.webhook(alert)         # the bilat.alert/1 document
    render.console(alert)         # plain text
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from monitor.render.console import console
from monitor.render.facts import AlertView, flag, party_name, view
from monitor.render.fit import mrkdwn_escape, truncate, utf16_len
from monitor.render.slack import message as slack_message
from monitor.render.slack import reply as slack_reply
from monitor.render.slack import standalone_update as slack_standalone_update
from monitor.render.webhook import SCHEMA as WEBHOOK_SCHEMA
from monitor.render.webhook import payload as webhook

if TYPE_CHECKING:
    from monitor.render.mail import EmailContent, email
    from monitor.render.mail import digest as email_digest

__all__ = [
    "WEBHOOK_SCHEMA",
    "AlertView",
    "EmailContent",
    "console",
    "email",
    "email_digest",
    "flag",
    "mrkdwn_escape",
    "party_name",
    "slack_message",
    "slack_reply",
    "slack_standalone_update",
    "truncate",
    "utf16_len",
    "view",
    "webhook",
]


def __getattr__(name: str) -> Any:
    # E-mail rendering (and jinja2 with it) is imported on first use: a desk without an
    # e-mail notifier never needs it, and it was a tenth of a start-up's imports.
    if name in ("EmailContent", "email", "email_digest"):
        from monitor.render import mail

        return getattr(mail, "digest" if name == "email_digest" else name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
