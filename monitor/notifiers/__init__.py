"""Notifiers (console, Slack, email, webhook), registered here by ``type`` name.

Each module is imported when its type is first looked up (``rules.registry``): the console
alone never imports the e-mail client or its templates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.registry import Registry

if TYPE_CHECKING:
    from monitor.notifiers.base import NotifierType

# type name -> notifier class. Adding a notifier = one module + one line here.
NOTIFIERS: Registry[NotifierType] = Registry(
    {
        "console": "monitor.notifiers.console:ConsoleNotifier",
        "email": "monitor.notifiers.email:EmailNotifier",
        "slack": "monitor.notifiers.slack:SlackNotifier",
        "webhook": "monitor.notifiers.webhook:WebhookNotifier",
    }
)
