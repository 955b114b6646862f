"""Notifiers (console, Slack, email, webhook), registered here by ``type`` name."""

from __future__ import annotations

from monitor.notifiers.base import NotifierType
from monitor.notifiers.console import ConsoleNotifier

# type name -> notifier class. Adding a notifier = one module + one line here.
NOTIFIERS: dict[str, NotifierType] = {
    "console": ConsoleNotifier,
}
