"""The ``bilat`` command line (also ``python -m monitor``).

Each subcommand lives in ``monitor/commands/<name>.py`` (a dash in the command's name is an
underscore in the module's: ``notify-test`` -> ``notify_test.py``) and exposes
``register(subparsers) -> None``, which adds its parser and sets ``func(args) -> int``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
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
    "status",
    "sources",
    "scan",
    "state",
]


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given the command line, only its command's module is imported (each
    brings its own imports: ``bilat check`` must not pay for the daemon's)."""
    parser = argparse.ArgumentParser(
        prog="bilat",
        description="Watch news feeds and officials' posts; alert on bilateral meetings.",
    )
    parser.add_argument("--version", action="version", version=f"bilat {__version__}")
    # ``bilat -c FILE check`` as well as ``bilat check -c FILE`` (the command's own wins).
    parser.add_argument(
        "-c", "--config", dest="global_config", metavar="FILE", help="the TOML settings file"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = _chosen(argv)
    for name in COMMANDS:
        if chosen is not None and name != chosen:
            continue
        importlib.import_module(f"monitor.commands.{name.replace('-', '_')}").register(sub)
    return parser


def _chosen(argv: Sequence[str] | None) -> str | None:
    """The command named on the line, or None when the parser must know them all: no
    command, an unknown one, or ``-h``/``--version`` before it (the top-level help lists
    every command)."""
    args = iter(sys.argv[1:] if argv is None else argv)
    for arg in args:
        if arg in ("-c", "--config"):
            next(args, None)  # its FILE
        elif arg.startswith("--config=") or (arg.startswith("-c") and len(arg) > 2):
            continue
        elif arg.startswith("-"):
            return None
        else:
            return arg if arg in COMMANDS else None
    return None


def _quiet_stdout() -> None:
    """The reader went away (``bilat outbox | head -1``): point stdout at /dev/null so the
    interpreter's final flush does not raise again, like ``git log | head``."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up allocates long-lived objects by the hundred thousand (the modules, the
    # settings of every source, the rules): the collector's passes over them find next to
    # nothing to free (50-140 ms of a 5,000-source ``bilat once``). It stays off until the
    # command's work starts: for a command that settles its heap (``settles_heap``), until
    # ``warmup.settle_heap`` freezes that heap and turns it back on; for the others, once
    # the command line is parsed. Always on again when ``main`` returns.
    gc.disable()
    try:
        return _run(argv)
    finally:
        gc.enable()


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not getattr(args, "settles_heap", False):
        gc.enable()
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    if args.global_config:
        # Imported here: the configuration's models are no concern of ``bilat scan``.
        from monitor.settings import DEFAULT_CONFIG

        if getattr(args, "config", None) == DEFAULT_CONFIG:
            args.config = args.global_config
    from monitor.warmup import install

    install()
    try:
        result: int = func(args)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except Exception as exc:
        # Only a command that opened a store can have raised this, so its module is loaded
        # then; importing it here would load the store package (and pydantic) for every
        # command, ``bilat scan`` included.
        store = sys.modules.get("monitor.store.ops_types")
        if store is None or not isinstance(exc, store.StoreUnavailable):
            raise
        print(f"bilat: {exc}", file=sys.stderr)
        return 2
    return result
