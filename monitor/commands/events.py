"""``bilat events [--since 7d] [--pair IN-CN] [--kind KIND] [--json] [-c FILE]``: list the
events in the store with their reports.

An event is one real meeting however many reports describe it (a keyword match is an event
of its own). ``--since`` keeps events with a report in that period (default 7d); ``--pair``
one unordered pair of party codes; ``--json`` prints one JSON object per event and line.
Reports show their time (UTC), source, language, ✓ when the source is official, title and
link. Exit 0, or 2 when the configuration or an option is wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import timedelta
from typing import Any

from monitor.commands.common import EXIT_CONFIG, EXIT_OK, add_config_option, load_or_report
from monitor.events.headlines import by_labels, headline
from monitor.events.options import normalise_pair
from monitor.events.record import EventRecord, EventReport
from monitor.model import utcnow
from monitor.pipeline.decide import roster_officials
from monitor.store import open_store
from monitor.units import parse_duration

TITLE_WIDTH = 90


def event_json(event: EventRecord) -> dict[str, Any]:
    """One event for ``--json``: the shared Event document plus who confirmed it."""
    data = event.view().to_json()
    data["family"] = event.family
    data["confirmed_by"] = list(event.confirmed_by)
    data["headline"] = headline(event, official_country=roster_officials().country_of)
    return data


def _report_line(report: EventReport) -> str:
    ref = report.ref
    when = ref.published_at.strftime("%Y-%m-%d %H:%M") if ref.published_at else "-" * 16
    title = " ".join((ref.title or "(no title)").split())
    if len(title) > TITLE_WIDTH:
        title = title[: TITLE_WIDTH - 1] + "…"
    mark = "✓" if report.confirmer else " "
    line = f"  {when}  {ref.source_id:<18} {ref.lang or '--':<5} {mark} {title}"
    return f"{line}  {ref.url}" if ref.url else line


def event_text(event: EventRecord) -> str:
    """One event as a few lines: key and headline, facts, then one line per report."""
    facts = [event.status, event.date.isoformat()]
    if event.place:
        facts.append(event.place)
    if event.officials:
        facts.append(", ".join(event.officials))
    count = event.report_count
    facts.append(f"{count} report{'s' if count != 1 else ''}")
    if event.confirmed_by:
        facts.append("confirmed " + by_labels(event.confirmed_by))
    title = headline(event, official_country=roster_officials().country_of)
    lines = [f"{event.key}  {title}", "  " + " · ".join(facts)]
    lines += [_report_line(r) for r in event.reports]
    return "\n".join(lines)


async def list_events(
    url: str, *, since_s: float, pair: str | None, kind: str | None
) -> list[EventRecord]:
    store = await open_store(url)
    try:
        since = utcnow() - timedelta(seconds=since_s)
        return await store.events(since=since, pair=pair, kind=kind)
    finally:
        await store.close()


def run(args: argparse.Namespace) -> int:
    try:
        since_s = parse_duration(args.since)
        pair = normalise_pair(args.pair) if args.pair else None
    except ValueError as exc:
        print(f"bilat events: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    settings = load_or_report(args)  # logs (store migrations ...) go to stderr
    if settings is None:
        return EXIT_CONFIG
    events = asyncio.run(
        list_events(settings.state_url, since_s=since_s, pair=pair, kind=args.kind)
    )
    if args.json:
        for event in events:
            print(json.dumps(event_json(event), ensure_ascii=False))
        return EXIT_OK
    if not events:
        print(f"no events since {args.since} ago" + (f" for {pair}" if pair else ""))
        return EXIT_OK
    print("\n\n".join(event_text(event) for event in events))
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "events",
        help="list events (one per real meeting) with their reports",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    parser.add_argument(
        "--since", default="7d", metavar="DURATION", help="events with reports since (7d)"
    )
    parser.add_argument("--pair", metavar="A-B", help="only this pair of parties, e.g. IN-CN")
    parser.add_argument("--kind", metavar="KIND", help="only this kind, e.g. bilateral_meeting")
    parser.add_argument("--json", action="store_true", help="one JSON object per event and line")
    parser.set_defaults(func=run)
