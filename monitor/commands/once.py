"""``bilat once [-c FILE]``: poll every enabled source once, process, deliver, exit.

Exit 0 when every source was polled and every alert delivered; 1 when a source failed or an
alert is still pending or dead (details in the log); 2 on a configuration error.
"""

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
        return asyncio.run(daemon.once(settings))
    except ConfigError as exc:
        print(f"bilat: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except Exception:
        structlog.get_logger("monitor.daemon").exception("once.crashed")
        return EXIT_FAILED


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "once",
        help="poll every source once, deliver, exit (0 = all fine, 1 = something failed)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    parser.set_defaults(func=run)
