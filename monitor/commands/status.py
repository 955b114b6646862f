"""``bilat status [--json] [-c FILE]``: what the daemon has been doing, read from the state —
no daemon needed (it works while one runs, after it stopped, or on another node).

Per configured source: when it was last polled, the outcome (``200``, ``304``, ``error 503``,
``NetworkError`` …), the items it has brought (and how many in the last 24 h), since when it
has been failing, when it is next due, and whether it is *silent* (nothing new, or failing,
for longer than its ``expect_every`` or its own history says is usual: ``monitor/watch``),
with the operator alert's episode when one is open. Per notifier: the outbox's pending and
dead rows. On PostgreSQL: which node holds which lease (a notifier's lane, a stream, a poll
in flight). Exit 0; 2 on a configuration error or a state that cannot be opened.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

from monitor.commands.common import EXIT_CONFIG, EXIT_OK, add_config_option, load_or_report
from monitor.model import utcnow
from monitor.settings import Settings
from monitor.store import SourceState, display_url, open_store
from monitor.store.ops_types import LeaseHolder
from monitor.units import format_duration as human_seconds
from monitor.watch.notes import reason
from monitor.watch.watcher import watch_sources

RECENT = timedelta(hours=24)


def _when(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "-"
    delta = (at - now).total_seconds()
    if abs(delta) < 1:
        return "now"
    seconds = human_seconds(round(abs(delta)))
    return f"in {seconds}" if delta > 0 else f"{seconds} ago"


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


async def gather(settings: Settings) -> dict[str, Any]:
    """The status as plain data (``--json`` prints it; the text view formats it)."""
    now = utcnow()
    store = await open_store(settings.state_url)
    try:
        states = await store.source_states()
        items = await store.item_counts(now - RECENT)
        outbox = await store.outbox_counts()
        leases = await store.lease_holders(now)
        watched = await watch_sources(store, settings.sources, now)
        episodes = await store.silence_episodes()
    finally:
        await store.close()
    sources = []
    for options in settings.sources:
        state = states.get(options.id) or SourceState(options.id)
        total, recent = items.get(options.id, (0, 0))
        seen = watched.get(options.id)
        verdict = seen.verdict if seen else None
        usual = seen.pace.usual_gap() if seen else None
        sources.append(
            {
                "id": options.id,
                "type": options.type,
                "enabled": options.enabled,
                "last_poll": _iso(state.last_polled_at),
                "outcome": state.last_status,
                "error": state.last_error,
                "items": total,
                "items_24h": recent,
                "failing_since": _iso(state.failing_since),
                "failures": state.failures,
                "next_due": _iso(state.next_due_at),
                "silent": bool(verdict and verdict.silent),
                "silent_since": _iso(verdict.since) if verdict else None,
                "silence_reason": reason(verdict) if verdict and verdict.silent else None,
                "silence_limit_s": verdict.limit.total_seconds()
                if verdict and verdict.limit
                else None,
                "usual_gap_s": usual.total_seconds() if usual else None,
                "silence_alerted": options.id in episodes,
            }
        )
    notifiers = sorted(set(settings.notifiers) | {n for n, _ in outbox})
    return {
        "state": display_url(settings.state_url),
        "at": now.isoformat(),
        "sources": sources,
        "outbox": {
            n: {"pending": outbox.get((n, "pending"), 0), "dead": outbox.get((n, "dead"), 0)}
            for n in notifiers
        },
        "leases": [_lease(h) for h in leases],
    }


def _lease(holder: LeaseHolder) -> dict[str, Any]:
    return {"name": holder.name, "node": holder.owner, "until": holder.until.isoformat()}


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def text(status: dict[str, Any]) -> str:
    """The human view: aligned columns, times relative to now."""
    now = datetime.fromisoformat(status["at"])
    lines = [f"state: {status['state']}", "", f"sources ({len(status['sources'])}):"]
    rows: list[tuple[str, ...]] = [
        ("source", "last poll", "outcome", "items (24h)", "failing since", "next due", "silent")
    ]
    for s in status["sources"]:
        due = "disabled" if not s["enabled"] else _when(_parse(s["next_due"]), now)
        failing = _when(_parse(s["failing_since"]), now)
        if s["failing_since"]:
            failing += f" ({s['failures']} failures)"
        rows.append(
            (
                s["id"],
                _when(_parse(s["last_poll"]), now),
                s["outcome"] or "never polled",
                f"{s['items']} ({s['items_24h']})",
                failing,
                due,
                _silence(s),
            )
        )
    lines += _table(rows)
    lines += ["", "outbox:"]
    lines += _table(
        [("notifier", "pending", "dead")]
        + [(n, str(c["pending"]), str(c["dead"])) for n, c in status["outbox"].items()]
    )
    if status["state"].startswith("postgres"):
        lines += ["", f"leases ({len(status['leases'])}):"]
        lines += _table(
            [("lease", "node", "until")]
            + [(h["name"], h["node"], _when(_parse(h["until"]), now)) for h in status["leases"]]
        )
    return "\n".join(line.rstrip() for line in lines)


def _silence(source: dict[str, Any]) -> str:
    if not source["silent"]:
        return "-"
    return "SILENT: " + str(source["silence_reason"])


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]


def run(args: argparse.Namespace) -> int:
    settings = load_or_report(args)  # logs (store migrations ...) go to stderr
    if settings is None:
        return EXIT_CONFIG
    status = asyncio.run(gather(settings))
    print(json.dumps(status, ensure_ascii=False) if args.json else text(status))
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "status",
        help="per source the last poll, outcome, items, failures, next due; outbox; leases",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.set_defaults(func=run)
