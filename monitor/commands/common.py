"""What the subcommands share: the ``-c FILE`` option and loading settings with exit code 2."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import structlog

from monitor.config_errors import ConfigError
from monitor.logs import configure_logging
from monitor.settings import DEFAULT_CONFIG, Settings, load_settings
from monitor.store import StoreUnavailable
from monitor.store.checks import StateError

EXIT_OK = 0
EXIT_FAILED = 1  # ran, but something did not work (a source failed, an alert undelivered)
EXIT_CONFIG = 2  # the configuration (or the command line) is wrong


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-c",
        "--config",
        default=DEFAULT_CONFIG,
        metavar="FILE",
        help=f"the TOML settings file (default: {DEFAULT_CONFIG}); BILAT_* variables override it",
    )


def load_or_report(args: argparse.Namespace, *, logging: bool = True) -> Settings | None:
    """The settings named by ``args.config``; on a config error, print it and return None."""
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"bilat: {exc}", file=sys.stderr)
        return None
    if logging:
        configure_logging(settings.monitor.log_level, settings.monitor.log_format)
    return settings


def run_async(
    args: argparse.Namespace, main: Callable[[Settings], Coroutine[Any, Any, int]], name: str
) -> int:
    """Load the settings, run ``main(settings)`` in an event loop, map failures to exit codes
    (a config error found while starting -> 2, anything unexpected -> 1, logged)."""
    settings = load_or_report(args)
    if settings is None:
        return EXIT_CONFIG
    try:
        return asyncio.run(main(settings))
    except (ConfigError, StateError) as exc:
        print(f"bilat: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except (BrokenPipeError, StoreUnavailable):
        raise  # ``cli.main`` ends these quietly / in one line
    except Exception:
        structlog.get_logger("monitor.daemon").exception(f"{name}.crashed")
        return EXIT_FAILED
