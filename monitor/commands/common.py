"""What the subcommands share: the ``-c FILE`` option and loading settings with exit code 2."""

from __future__ import annotations

import argparse
import sys

from monitor.config_errors import ConfigError
from monitor.logs import configure_logging
from monitor.settings import DEFAULT_CONFIG, Settings, load_settings

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
