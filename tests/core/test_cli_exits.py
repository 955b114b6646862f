"""Clean exits: a closed pipe ends a command quietly with status 0 (like ``git log | head``),
an unreachable database is one line naming the URL without its password (exit 2), and
``-c FILE`` works before or after the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, WriteConfig, cli_env, run_cli


def _into_closed_pipe(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run ``bilat ARGS`` with stdout a pipe nobody reads any more (its reader closed)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "monitor", *args],
            cwd=ROOT,
            env=cli_env(),
            input=stdin,
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize("command", [["outbox"], ["events"], ["check"]])
def test_a_closed_pipe_ends_quietly_with_0(write_config: WriteConfig, command: list[str]) -> None:
    """`bilat outbox | head -1` and friends: exit 0 and no traceback on stderr."""
    config = write_config({})
    done = _into_closed_pipe(*command, "-c", str(config))
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr
    assert b"BrokenPipe" not in done.stderr


def test_scan_jsonl_into_a_closed_pipe_ends_quietly() -> None:
    """`bilat scan --jsonl` with its reader gone stops quietly with 0."""
    lines = "".join(
        json.dumps({"id": str(i), "text": "Jaishankar met Wang Yi in Astana."}) + "\n"
        for i in range(50)
    )
    done = _into_closed_pipe("scan", "--jsonl", stdin=lines.encode())
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b""


@pytest.mark.parametrize("command", ["events", "outbox", "run", "once"])
async def test_an_unreachable_database_is_one_line_without_the_password(
    write_config: WriteConfig, command: str
) -> None:
    """PostgreSQL refusing connections: one line naming the URL, password masked, exit 2."""
    url = "postgresql://bilat:hunter2secret@127.0.0.1:1/bilat"
    config = write_config({"monitor": {"state": url}})
    result = await run_cli(command, "-c", str(config))
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bilat: cannot open PostgreSQL state at ")
    assert "postgresql://bilat:***@127.0.0.1:1/bilat" in lines[0]
    assert "hunter2secret" not in result.stderr + result.stdout


async def test_a_sqlite_file_that_cannot_be_created_is_one_line(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """A state directory that cannot be created: one line naming the file, exit 2."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be")
    config = write_config({"monitor": {"state": f"sqlite:///{blocker}/bilat.db"}})
    result = await run_cli("outbox", "-c", str(config))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        line for line in result.stderr.strip().splitlines() if line.startswith("bilat: cannot open")
    ]
    assert str(blocker) in result.stderr


@pytest.mark.parametrize("before", [True, False])
async def test_c_goes_before_or_after_the_command(
    write_config: WriteConfig, tmp_path: Path, before: bool
) -> None:
    """`bilat -c FILE check` and `bilat check -c FILE` read the same file."""
    config = write_config(
        {"sources": [{"id": "only-here", "type": "feed", "url": "https://x.invalid/f"}]}
    )
    args = ["-c", str(config), "check"] if before else ["check", "-c", str(config)]
    result = await run_cli(*args)
    assert result.returncode == 0, result.stderr
    assert "only-here" in result.stdout


def test_check_prints_keys_as_the_file_spells_them(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check` shows an email notifier's `from=` (the key in the file), never `from_=`, and
    where the endpoint listens."""
    from monitor.commands.check import summary
    from monitor.settings import load_settings

    monkeypatch.setenv("BILAT_TEST_SMTP_PASSWORD", "pw")
    config = write_config(
        {
            "notifiers": {
                "mail": {
                    "type": "email",
                    "host": "127.0.0.1",
                    "from": "bilat@example.org",
                    "to": ["desk@example.org"],
                    "username": "bilat",
                    "password_env": "BILAT_TEST_SMTP_PASSWORD",
                }
            }
        }
    )
    text = summary(load_settings(config))
    assert "from=bilat@example.org" in text
    assert "from_=" not in text
    assert "endpoint:  http://127.0.0.1:0" in text
