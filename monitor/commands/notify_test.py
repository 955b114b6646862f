"""``bilat notify-test NAME [-c FILE]``: send the built-in sample alert (Jaishankar meets
Wang Yi in Astana, marked "[sample]") through one notifier, now — not through the outbox —
and print exactly what happened: the outcome, the notifier's detail (the server's answer or
the error) and, when sent, the remote id.

Exit 0 when the notifier delivered it; 1 when it did not (``retry``: a transient failure the
daemon would retry; ``dead``: a permanent one it would dead-letter); 2 when the configuration
is wrong, NAME is not a configured notifier, or the notifier cannot start (e.g. its secret's
environment variable is not set). A disabled notifier can be tested too (before enabling it).
A notifier in digest mode sends a digest of the one sample. Secrets are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from monitor.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    add_config_option,
    load_or_report,
)
from monitor.config_errors import display_path
from monitor.logs import mask_text, register_secrets
from monitor.net.client import Http
from monitor.notifiers import NOTIFIERS
from monitor.notifiers.base import Delivery, NotifierOptions
from monitor.render.sample import sample_alert
from monitor.settings import Settings

MEANING = {
    "sent": "delivered",
    "retry": "a transient failure: the daemon would retry it (for up to retry_for)",
    "dead": "a permanent failure: the daemon would dead-letter it; fix what the detail names",
}


def _say(line: str) -> None:
    print(mask_text(line))


async def send_sample(settings: Settings, name: str, options: NotifierOptions) -> int:
    """Build notifier ``name``, send the sample through it, print the outcome; exit code."""
    async with Http(settings.monitor.http) as http:
        try:
            notifier = NOTIFIERS[options.type](name, options, http)
        except Exception as exc:  # a missing secret, inconsistent options
            print(
                mask_text(f"bilat notify-test: notifier {name!r} cannot start: {exc}"),
                file=sys.stderr,
            )
            return EXIT_CONFIG
        alert = sample_alert(notifier=name)
        _say(f"notifier:  {name} ({options.type}) {notifier!r}")
        if not options.enabled:
            _say("note:      disabled (enabled = false): the daemon sends it nothing")
        digest = getattr(notifier, "send_digest", None)
        as_digest = getattr(notifier, "digest_interval", None) is not None and callable(digest)
        how = " (as a digest of one)" if as_digest else ""
        _say(f"sending:   the sample alert {alert.headline!r}{how}")
        started = time.monotonic()
        try:
            if as_digest:
                assert digest is not None
                delivery: Delivery = await digest([alert])
            else:
                delivery = await notifier.send(alert)
        except Exception as exc:  # a notifier bug: report it like the worker would
            delivery = Delivery("retry", f"{type(exc).__name__}: {exc}")
        finally:
            await notifier.aclose()
        elapsed = time.monotonic() - started
    _say(f"outcome:   {delivery.outcome} in {elapsed:.2f} s — {MEANING[delivery.outcome]}")
    _say(f"detail:    {delivery.detail or '(none)'}")
    if delivery.retry_after_s is not None:
        _say(f"retry:     the server asked to wait {delivery.retry_after_s:g} s")
    if delivery.remote_id:
        _say(f"remote id: {delivery.remote_id}")
    return EXIT_OK if delivery.outcome == "sent" else EXIT_FAILED


def run(args: argparse.Namespace) -> int:
    settings = load_or_report(args)
    if settings is None:
        return EXIT_CONFIG
    options = settings.notifiers.get(args.name)
    if options is None:
        known = ", ".join(sorted(settings.notifiers)) or "none"
        print(
            f"bilat notify-test: no notifier named {args.name!r} in "
            f"{display_path(settings.path)} (configured: {known})",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    register_secrets(s.get_secret_value() for s in settings.secrets.values())
    return asyncio.run(send_sample(settings, args.name, options))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "notify-test",
        help="send a sample alert through one notifier now and report the exact outcome",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", metavar="NAME", help="a notifier: [notifiers.NAME] in the config")
    add_config_option(parser)
    parser.set_defaults(func=run)
