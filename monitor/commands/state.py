"""``bilat state backup FILE``: a consistent copy of the state while the daemon runs.

SQLite: SQLite's online backup API copies the live database page by page into ``FILE`` (a
new SQLite file), consistent as of one moment, without stopping ``bilat run``. PostgreSQL:
the database server owns the data; the command prints the ``pg_dump`` line to use instead.
Restoring is described in README "State".
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from monitor.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    add_config_option,
    load_or_report,
)
from monitor.store.base import display_url
from monitor.store.checks import StateError, check_sqlite_state


def backup(url: str, target: Path) -> int:
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        shown = display_url(url)
        print(
            f"bilat: the state is PostgreSQL ({shown}); back it up with the server's tools:\n"
            f"  pg_dump --format=custom --file={target} '{shown}'\n"
            "and restore with pg_restore --clean --dbname=... (see README 'State')",
            file=sys.stderr,
        )
        return EXIT_FAILED
    source = Path(url[len("sqlite:///") :])
    if not source.is_file():
        print(f"bilat: state {source}: no such file, nothing to back up", file=sys.stderr)
        return EXIT_CONFIG
    try:
        check_sqlite_state(source)
    except StateError as exc:
        print(f"bilat: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if target.exists():
        print(f"bilat: {target} exists; choose a new file name", file=sys.stderr)
        return EXIT_CONFIG
    # Read-only on the live file (``mode=ro``): the backup never writes to the state.
    src = sqlite3.connect(
        f"{source.resolve().as_uri().replace('file://', 'file:', 1)}?mode=ro", uri=True
    )
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=1024)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        print(f"bilat: backup of {source} failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        src.close()
    print(f"backed up {source} to {target} ({target.stat().st_size} bytes)")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    settings = load_or_report(args, logging=False)
    if settings is None:
        return EXIT_CONFIG
    return backup(settings.state_url, Path(args.file))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "state",
        help="back up the state (SQLite online backup; pg_dump advice for PostgreSQL)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    copy = actions.add_parser("backup", help="copy the live state into FILE")
    copy.add_argument("file", metavar="FILE", help="the backup file to create")
    add_config_option(copy)
    copy.set_defaults(func=run)
