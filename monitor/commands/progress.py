"""A one-line progress bar for long offline commands (``bilat replay``, ``make train``).

Only on a terminal: piped or redirected output (a log file, CI) stays free of carriage
returns. Redrawn at most ten times a second, so the bar costs nothing next to the work.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 24
_EVERY_S = 0.1


class Progress:
    """``with Progress("replay", total) as p: ... p.advance()``"""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.total > 0 and _is_terminal(self.stream)
        self._started = time.monotonic()
        self._drawn = 0.0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def advance(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._drawn >= _EVERY_S or self.done == self.total:
            self._drawn = now
            self.stream.write("\r" + self.line(now - self._started))
            self.stream.flush()

    def line(self, elapsed: float) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = int(share * _WIDTH)
        bar = "#" * filled + "-" * (_WIDTH - filled)
        left = ""
        if 0 < self.done < self.total:
            left = f", ~{elapsed / self.done * (self.total - self.done):.0f} s left"
        return (
            f"{self.label} [{bar}] {self.done:,}/{self.total:,} ({share:.0%}) {elapsed:.0f} s{left}"
        )

    def close(self) -> None:
        if self.enabled:
            # the finished line is erased: the command's own summary follows
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.enabled = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
