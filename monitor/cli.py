"""The ``bilat`` command line (also ``python -m monitor``).

Each subcommand lives in ``monitor/commands/<name>.py`` (a dash in the command's name is an
underscore in the module's: ``notify-test`` -> ``notify_test.py``) and exposes
``register(subparsers) -> None``, which adds its parser and sets ``func(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from monitor import __version__

# Subcommand modules, in the order ``bilat --help`` lists them.
COMMANDS: list[str] = [
    "run",
    "once",
    "check",
    "events",
    "replay",
    "render",
    "notify-test",
    "outbox",
    "sources",
    "scan",
    "state",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bilat",
        description="Watch news feeds and officials' posts; alert on bilateral meetings.",
    )
    parser.add_argument("--version", action="version", version=f"bilat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"monitor.commands.{name.replace('-', '_')}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    result: int = func(args)
    return result
