"""The progress bar of long offline commands: drawn on a terminal, absent elsewhere."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

from monitor.commands.progress import Progress
from tests.conftest import ROOT, WriteConfig, cli_env
from tests.events.test_event_cli import desk_config, write_items


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_the_bar_then_a_clean_line() -> None:
    out = Terminal()
    with Progress("replay", 3, out) as bar:
        for _ in range(3):
            bar.advance()
    text = out.getvalue()
    assert "\rreplay [########################] 3/3 (100%)" in text
    assert text.endswith("\r\x1b[2K")  # erased: the command's summary takes the line


def test_piped_output_gets_no_bar() -> None:
    out = io.StringIO()
    with Progress("replay", 1000, out) as bar:
        for _ in range(1000):
            bar.advance()
    assert out.getvalue() == ""


def test_the_line_says_how_far_and_how_long() -> None:
    bar = Progress("train", 200, Terminal())
    bar.done = 50
    assert bar.line(10.0) == "train [######------------------] 50/200 (25%) 10 s, ~30 s left"


def test_replay_on_a_terminal_shows_progress_and_piped_does_not(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    config = write_config(desk_config())
    items = write_items(tmp_path / "items.jsonl")
    args = [sys.executable, "-m", "monitor", "replay", str(items), "--dry-run", "-c", str(config)]
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            args, cwd=ROOT, env=cli_env(None), stdout=subprocess.PIPE, stderr=slave, timeout=120
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the pty's other end is closed: everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    on_terminal = b"".join(chunks).decode()
    assert proc.returncode == 0
    assert "replay [" in on_terminal and "31/31 (100%)" in on_terminal
    assert "replayed 31 item(s)" in on_terminal
    piped = subprocess.run(args, cwd=ROOT, env=cli_env(None), capture_output=True, timeout=120)
    assert piped.returncode == 0
    assert "replay [" not in piped.stderr.decode() and "\r" not in piped.stderr.decode()
