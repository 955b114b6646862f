"""Notifiers (console, Slack, email, webhook), registered here by ``type`` name."""

from __future__ import annotations

from monitor.notifiers.base import NotifierType
from monitor.notifiers.console import ConsoleNotifier
from monitor.notifiers.email import EmailNotifier
from monitor.notifiers.slack import SlackNotifier
from monitor.notifiers.webhook import WebhookNotifier

# type name -> notifier class. Adding a notifier = one module + one line here.
NOTIFIERS: dict[str, NotifierType] = {
    "console": ConsoleNotifier,
    "email": EmailNotifier,
    "slack": SlackNotifier,
    "webhook": WebhookNotifier,
}
