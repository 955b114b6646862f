"""Is the state file usable? Checked before the store opens it, and by ``bilat check``.

A garbage or truncated file, a file with corrupted pages, or a state directory bilat cannot
write: each is answered with one line (``StateError``) naming the path, the problem and what
to do, and the command exits 2. The check opens the file read-only and immutable (no lock, no
``-wal``/``-shm`` created, nothing written), so a damaged file is left exactly as it was for
whoever repairs it. The page check is SQLite's ``quick_check``, bounded in time
(``QUICK_CHECK_S``): a huge state is checked as far as the budget allows, never for minutes.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

HEADER = b"SQLite format 3\x00"
QUICK_CHECK_S = 2.0  # at start and in `bilat check`
RESTORE = "restore it from a backup (bilat state backup; see README 'State'), or move it away"


class StateError(Exception):
    """The state cannot be used; the message is the one line to show."""


def check_sqlite_state(path: Path, *, budget_s: float = QUICK_CHECK_S) -> None:
    """Raise ``StateError`` when the SQLite state at ``path`` cannot be used as it is."""
    directory = path.parent
    if not path.exists():
        existing = next((p for p in [directory, *directory.parents] if p.exists()), None)
        if existing is not None and not _writable(existing):
            raise StateError(
                f"state {path}: the directory {existing} is not writable, so the state file "
                "cannot be created; make it writable by the user running bilat, or point "
                "[monitor] state elsewhere"
            )
        return
    if not path.is_file():
        raise StateError(f"state {path}: not a file; point [monitor] state at a file path")
    if not _writable(directory) or not _writable(path):
        what = f"the directory {directory}" if not _writable(directory) else "the file"
        raise StateError(
            f"state {path}: {what} is read-only (SQLite needs to write the file and its -wal "
            "and -shm beside it); make both writable by the user running bilat"
        )
    size = path.stat().st_size
    if size == 0:
        return  # an empty file is a new database
    with path.open("rb") as f:
        head = f.read(100)
    if not head.startswith(HEADER):
        raise StateError(f"state {path}: not a SQLite database (unknown content); {RESTORE}")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if len(head) < 100 or page_size < 512 or (pages and size < pages * page_size):
        raise StateError(
            f"state {path}: truncated ({size} bytes, the header says "
            f"{pages * page_size}); {RESTORE}"
        )
    problem = quick_check(path, budget_s)
    if problem:
        raise StateError(f"state {path}: corrupted ({problem}); {RESTORE}")


def quick_check(path: Path, budget_s: float) -> str | None:
    """SQLite's ``quick_check`` on a read-only, immutable view of ``path``: None when it
    found nothing (or ran out of time), else the first problem."""
    deadline = time.monotonic() + budget_s
    uri = f"{path.resolve().as_uri().replace('file://', 'file:', 1)}?immutable=1"
    try:
        db = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        # Stop, without a verdict, when the budget is spent.
        db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        rows = db.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            return None
        return str(exc)
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        db.close()
    found = [
        " ".join(line.strip() for line in str(r[0]).splitlines() if "*** in database" not in line)
        for r in rows
        if r and r[0] != "ok"
    ]
    return "; ".join(f for f in found if f)[:300] if found else None


def _writable(path: Path) -> bool:
    # os.access asks the kernel for this process's real rights (root passes it anyway).
    return os.access(path, os.W_OK | (os.X_OK if path.is_dir() else 0))
