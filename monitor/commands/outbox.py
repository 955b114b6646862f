"""``bilat outbox [--state STATE] [--notifier NAME] [--limit N] [--json] [-c FILE]``: list the
alerts in the outbox; ``bilat outbox --requeue [--notifier NAME] [ALERT_ID ...]``: send dead
letters again.

The list shows, oldest first, each alert's queue time (UTC), notifier, state, attempts, id,
headline and last error (``--json``: one object per line). ``--requeue`` moves dead letters
back to pending, due at once with a fresh ``retry_for``: the listed ids, or every dead letter
(of ``--notifier`` if given). A running daemon picks them up within its delivery sweep and
sends them in their original order. Fix the cause first (``bilat notify-test NAME``).
Exit 0; 1 when ``--requeue`` found nothing to requeue; 2 on a configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any, cast

from monitor.commands.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_OK,
    add_config_option,
    load_or_report,
)
from monitor.model import utcnow
from monitor.settings import Settings
from monitor.store import OutboxRow, open_store
from monitor.store.base import OutboxState

STATES = ("pending", "sent", "dead")
HEADLINE_WIDTH = 70


def row_json(row: OutboxRow) -> dict[str, Any]:
    return {
        "alert_id": row.alert.id,
        "notifier": row.notifier,
        "state": row.state,
        "attempts": row.attempts,
        "kind": row.alert.kind,
        "headline": row.alert.headline,
        "queued_at": row.created_at.isoformat(),
        "next_attempt_at": row.next_attempt_at.isoformat() if row.state == "pending" else None,
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "last_error": row.last_error,
        "link": row.alert.report.url,
    }


def row_line(row: OutboxRow) -> str:
    headline = " ".join(row.alert.headline.split())
    if len(headline) > HEADLINE_WIDTH:
        headline = headline[: HEADLINE_WIDTH - 1] + "…"
    line = (
        f"{row.created_at:%Y-%m-%d %H:%M}  {row.notifier:<12} {row.state:<7} "
        f"{row.attempts:>3}  {row.alert.id}  {headline}"
    )
    return f"{line}\n    error: {row.last_error}" if row.last_error else line


async def list_rows(
    settings: Settings, state: str | None, notifier: str | None, limit: int, as_json: bool
) -> int:
    store = await open_store(settings.state_url)
    try:
        rows = await store.outbox(
            notifier=notifier, state=cast(OutboxState | None, state), limit=limit
        )
    finally:
        await store.close()
    for row in rows:
        print(json.dumps(row_json(row), ensure_ascii=False) if as_json else row_line(row))
    if not as_json:
        print(f"{len(rows)} alert{'s' if len(rows) != 1 else ''}")
    return EXIT_OK


async def requeue(settings: Settings, notifier: str | None, alert_ids: list[str]) -> int:
    store = await open_store(settings.state_url)
    try:
        count = await store.requeue_dead(
            now=utcnow(), notifier=notifier, alert_ids=alert_ids or None
        )
    finally:
        await store.close()
    print(f"requeued {count} dead letter{'s' if count != 1 else ''}")
    return EXIT_OK if count else EXIT_FAILED


def run(args: argparse.Namespace) -> int:
    settings = load_or_report(args)
    if settings is None:
        return EXIT_CONFIG
    if args.requeue:
        return asyncio.run(requeue(settings, args.notifier, args.alert_ids))
    if args.alert_ids:
        print("bilat outbox: alert ids go with --requeue", file=sys.stderr)
        return EXIT_CONFIG
    return asyncio.run(list_rows(settings, args.state, args.notifier, args.limit, args.json))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "outbox",
        help="list queued, sent and dead alerts; requeue dead letters",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("alert_ids", nargs="*", metavar="ALERT_ID", help="with --requeue")
    parser.add_argument("--state", choices=STATES, help="only alerts in this state")
    parser.add_argument("--notifier", metavar="NAME", help="only this notifier's alerts")
    parser.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    parser.add_argument("--json", action="store_true", help="one JSON object per alert and line")
    parser.add_argument("--requeue", action="store_true", help="move dead letters back to pending")
    add_config_option(parser)
    parser.set_defaults(func=run)
