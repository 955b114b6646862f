"""``bilat once [-c FILE]``: poll every enabled source once, process, deliver, exit.

Exit 0 when every source was polled and every alert delivered; 1 when a source failed or an
alert is still pending or dead (details in the log); 2 on a configuration error.
"""

from __future__ import annotations

import argparse

from monitor import daemon
from monitor.commands.common import add_config_option, run_async


def run(args: argparse.Namespace) -> int:
    return run_async(args, daemon.once, "once")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "once",
        help="poll every source once, deliver, exit (0 = all fine, 1 = something failed)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    # The collector stays off through start-up until ``daemon.once`` settles the heap.
    parser.set_defaults(func=run, settles_heap=True)
