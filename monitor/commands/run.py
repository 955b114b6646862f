"""``bilat run [-c FILE]``: the daemon; SIGINT/SIGTERM stop it gracefully (exit 0)."""

from __future__ import annotations

import argparse
import asyncio
import sys

import structlog

from monitor import daemon
from monitor.commands.common import EXIT_CONFIG, EXIT_FAILED, add_config_option, load_or_report
from monitor.config_errors import ConfigError


def run(args: argparse.Namespace) -> int:
    settings = load_or_report(args)
    if settings is None:
        return EXIT_CONFIG
    try:
        return asyncio.run(daemon.run(settings))
    except ConfigError as exc:
        print(f"bilat: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except Exception:
        structlog.get_logger("monitor.daemon").exception("daemon.crashed")
        return EXIT_FAILED


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="run the daemon (SIGINT/SIGTERM stop it gracefully)", description=__doc__
    )
    add_config_option(parser)
    parser.set_defaults(func=run)
