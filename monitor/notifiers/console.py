"""The ``console`` notifier: prints each alert as a readable block on stdout.

Logs go to stderr, so stdout carries only alerts and can be piped or captured.
"""

from __future__ import annotations

import sys
from typing import ClassVar, TextIO

from monitor.contracts import HttpClient
from monitor.model import Alert
from monitor.notifiers.base import Delivery, NotifierOptions

_RULE = "─" * 72


class ConsoleOptions(NotifierOptions):
    """``[notifiers.NAME]`` with ``type = "console"``: no options beyond the common ones."""


def format_alert(alert: Alert) -> str:
    """The multi-line text block the console shows for one alert."""
    report = alert.report
    when = report.published_at.isoformat() if report.published_at else "unknown"
    lines = [
        _RULE,
        f"[{alert.kind.upper()}] {alert.headline}",
        f"  rule:      {alert.rule_id} ({alert.match.kind})",
        f"  source:    {report.source_id}" + (" (official)" if report.official else ""),
        f"  title:     {report.title}",
    ]
    if report.url:
        lines.append(f"  link:      {report.url}")
    lines.append(f"  published: {when}")
    lines.append(f"  alerted:   {alert.created_at.isoformat()}")
    if alert.match.meeting:
        m = alert.match.meeting
        pair = " – ".join(m.parties)
        lines.append(f"  meeting:   {pair} {m.status}, confidence {m.confidence:.2f}")
        if m.officials:
            lines.append(f"  officials: {', '.join(m.officials)}")
        if m.location:
            lines.append(f"  location:  {m.location}")
    if alert.report_count > 1:
        lines.append(f"  reports:   {alert.report_count}")
    for i, sentence in enumerate(alert.match.evidence):
        label = "evidence:" if i == 0 else ""
        lines.append(f"  {label:<10} “{sentence}”")
    return "\n".join(lines) + "\n"


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
