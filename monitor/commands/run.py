"""``bilat run [-c FILE]``: the daemon; SIGINT/SIGTERM stop it gracefully (exit 0)."""

from __future__ import annotations

import argparse

from monitor import daemon
from monitor.commands.common import add_config_option, run_async


def run(args: argparse.Namespace) -> int:
    return run_async(args, daemon.run, "daemon")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="run the daemon (SIGINT/SIGTERM stop it gracefully)", description=__doc__
    )
    add_config_option(parser)
    parser.set_defaults(func=run)
