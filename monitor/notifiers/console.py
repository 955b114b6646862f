"""The ``console`` notifier: prints each alert as a readable block on stdout, rendered by
``monitor.render.console`` like the other channels.

Logs go to stderr, so stdout carries only alerts and can be piped or captured.
"""

from __future__ import annotations

import sys
from typing import ClassVar, TextIO

from monitor import render
from monitor.contracts import HttpClient
from monitor.model import Alert
from monitor.notifiers.base import Delivery, NotifierOptions

_RULE = "─" * 72


class ConsoleOptions(NotifierOptions):
    """``[notifiers.NAME]`` with ``type = "console"``: no options beyond the common ones."""


def format_alert(alert: Alert) -> str:
    """The block the console shows for one alert: a separator line, then the same text as
    every other channel's rendering (``render.console``: flags and headline, facts, the
    evidence sentence, the source and its link)."""
    return f"{_RULE}\n{render.console(alert)}\n"


class ConsoleNotifier:
    """Writes alerts to stdout (or a given stream); a write error is retried later."""

    type_name: ClassVar[str] = "console"
    Options: ClassVar[type[NotifierOptions]] = ConsoleOptions

    def __init__(
        self,
        name: str,
        options: NotifierOptions,
        http: HttpClient | None = None,
        *,
        stream: TextIO | None = None,
    ) -> None:
        self.name = name
        self.options = options
        self._stream = stream

    def __repr__(self) -> str:
        target = "stdout" if self._stream is None else type(self._stream).__name__
        return f"ConsoleNotifier(name={self.name!r}, stream={target})"

    async def send(self, alert: Alert, *, parent_remote_id: str | None = None) -> Delivery:
        out = self._stream or sys.stdout
        try:
            out.write(format_alert(alert))
            out.flush()
        except OSError as exc:
            return Delivery("retry", detail=f"cannot write to the console: {exc}")
        return Delivery("sent")

    async def aclose(self) -> None:
        return None
