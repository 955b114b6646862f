"""Who holds a SQLite poll claim: a process named by its pid and its start time, so that a
later start can tell a crashed claimant from a live one (a reused pid has another start)."""

from __future__ import annotations

import os


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (``/proc/PID/stat``, field 22)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def this_process() -> str:
    pid = os.getpid()
    return f"{pid}:{_started(pid) or ''}"


def alive(owner: str) -> bool:
    """False only when the claimant is surely gone: no such process, or another one with its
    pid. Where the system cannot tell (no ``/proc``), the claim is left to run out."""
    pid_text, _, started = owner.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, as another user
    now_started = _started(pid)
    return not started or now_started is None or now_started == started
