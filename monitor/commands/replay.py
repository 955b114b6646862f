"""``bilat replay PATH [--dry-run] [-c FILE]``: run the whole pipeline over stored items,
offline (rules -> events -> alert decisions -> outbox), as if they had been polled.

PATH is a JSON Lines file (``*.jsonl``: one ``Item.to_json()`` object per line; blank lines
and lines starting with ``#`` are skipped), one feed file, or a directory: every ``*.jsonl``
file in it, and every feed file (``*.xml``, ``*.rss``, ``*.atom``, ``*.rdf``, ``*.json``).
Feed files are parsed as a polled feed would be; their items get the source id of the file
name up to the first dot ("mea.rss.xml" -> "mea"), and a source configured with that id
lends them its ``official`` and ``lang``.

Items are processed one at a time in published order (undated ones at their fetch time),
with the clock set to that time: backfill does not apply, and ``realert`` windows and quiet
hours play out as they would have; folded updates are sent when they come due between
items. ``--dry-run`` works on a temporary store, prints every alert that would be sent
(held ones with their release time) and a summary, and writes nothing; after the last
item it also sends the folded updates still waiting. Without it, the configured store is
used: items it has already seen are skipped and the alerts are queued in its outbox for
the daemon (``bilat run`` / ``bilat once``) to deliver. Exit 0; 2 on a configuration or
input error (nothing is processed then).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from adapters.feed import FeedError, parse_feed
from monitor.commands.common import EXIT_CONFIG, EXIT_OK, add_config_option, load_or_report
from monitor.commands.progress import Progress
from monitor.model import Item, utcnow
from monitor.pipeline import Pipeline
from monitor.pipeline.decide import EventDecide
from monitor.render import console
from monitor.settings import Settings
from monitor.store import Store, open_store
from rules import RULES

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json"}
DRY_RUN_HORIZON = timedelta(days=30)  # dry run: flush folded updates up to this after the end


class InputError(Exception):
    """The input cannot be replayed; the message names the file (and line)."""


def _items_of_jsonl(path: Path) -> list[Item]:
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            items.append(Item.from_json(data))
        except (ValueError, KeyError, TypeError) as exc:
            reason = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
            raise InputError(f"{path}:{number}: not an item ({reason})") from None
    return items


def _items_of_feed(path: Path, settings: Settings) -> list[Item]:
    source_id = path.name.split(".", 1)[0]
    configured = next((s for s in settings.sources if s.id == source_id), None)
    try:
        parsed = parse_feed(
            path.read_bytes(),
            url=path.resolve().as_uri(),
            source_id=source_id,
            fetched_at=datetime.fromtimestamp(path.stat().st_mtime).astimezone(),
            official=configured.official if configured else False,
            lang_override=configured.lang if configured else None,
        )
    except (FeedError, OSError) as exc:
        raise InputError(f"{path}: not a feed ({exc})") from None
    return parsed.items


def read_items(path: Path, settings: Settings) -> list[Item]:
    """Every item under ``path`` (see the module docstring), in published order."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
        items: list[Item] = []
        for file in files:
            if file.suffix == ".jsonl":
                items += _items_of_jsonl(file)
            elif file.suffix.lower() in FEED_SUFFIXES:
                items += _items_of_feed(file, settings)
    elif path.is_file():
        is_feed = path.suffix.lower() in FEED_SUFFIXES
        items = _items_of_feed(path, settings) if is_feed else _items_of_jsonl(path)
    else:
        raise InputError(f"{path}: no such file or directory")
    official = {s.id for s in settings.sources if s.official}
    items = [replace(i, official=True) if i.source_id in official else i for i in items]
    return sorted(items, key=lambda i: (when(i), i.key))


def when(item: Item) -> datetime:
    return item.published_at or item.fetched_at


@dataclass
class SimClock:
    """The replay's clock: it moves forward to each item's time, never back."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, to: datetime) -> None:
        self.now = max(self.now, to)


@dataclass(frozen=True, slots=True)
class ReplayReport:
    items: int
    new: int
    matched: int
    alerts: list[str]


async def _flush_until(pipeline: Pipeline, clock: SimClock, until: datetime) -> list[str]:
    """Send the folded updates due by ``until``, each at its own due time."""
    queued: list[str] = []
    while True:
        async with pipeline.store.transaction() as tx:
            due = await tx.due_threads(until, 1)
        if not due or due[0].flush_at is None:
            return queued
        clock.advance(due[0].flush_at)
        queued += await pipeline.flush_due()


async def replay(
    settings: Settings, store: Store, items: Sequence[Item], *, flush_horizon: datetime | None
) -> ReplayReport:
    """Process ``items`` (in order) into ``store`` as the daemon would have; then flush the
    folded updates due by ``flush_horizon`` (None: by the last item's time)."""
    rules = [RULES[o.type](o) for o in settings.rules if o.enabled]
    for rule in rules:
        rule.warm()  # the gazetteer before the first item, not during it ("rule.slow")
    enabled = frozenset(name for name, o in settings.notifiers.items() if o.enabled)
    clock = SimClock(when(items[0]) if items else utcnow())
    pipeline = Pipeline(
        store,
        rules,
        notifiers=enabled,
        backfill_s=settings.monitor.backfill,
        decide=EventDecide.from_settings(settings),
        clock=clock,
    )
    new = matched = 0
    alerts: list[str] = []
    with Progress("replay", len(items)) as progress:
        for item in items:
            alerts += await _flush_until(pipeline, clock, when(item))
            clock.advance(when(item))
            outcome = await pipeline.replay([item])
            new += outcome.new
            matched += outcome.matched
            alerts += outcome.alerts
            progress.advance()
    alerts += await _flush_until(pipeline, clock, flush_horizon or clock.now)
    return ReplayReport(len(items), new, matched, alerts)


async def _print_outbox(store: Store, ids: Sequence[str]) -> None:
    wanted = set(ids)
    rows = [r for r in await store.outbox(limit=len(ids) + 1000) if r.alert.id in wanted]
    counts: Counter[tuple[str, str]] = Counter()
    for row in rows:
        alert = row.alert
        counts[(row.notifier, alert.kind)] += 1
        at = alert.created_at.strftime("%Y-%m-%d %H:%M UTC")
        head = f"→ {row.notifier}  {alert.kind.upper()}  {at}"
        if row.next_attempt_at > alert.created_at:
            head += f"  [held until {row.next_attempt_at.strftime('%Y-%m-%d %H:%M UTC')}]"
        print(f"{head}\n{console(alert)}\n")
    by_notifier: dict[str, list[str]] = {}
    for (notifier, kind), n in sorted(counts.items()):
        by_notifier.setdefault(notifier, []).append(f"{n} {kind}")
    summary = "; ".join(f"{name}: {', '.join(parts)}" for name, parts in by_notifier.items())
    print(f"would send {len(rows)} alert(s)" + (f" — {summary}" if summary else ""))


async def _run(settings: Settings, items: list[Item], dry_run: bool) -> ReplayReport:
    if not dry_run:
        store = await open_store(settings.state_url)
        try:
            return await replay(settings, store, items, flush_horizon=utcnow())
        finally:
            await store.close()
    with tempfile.TemporaryDirectory(prefix="bilat-replay-") as tmp:
        store = await open_store(f"sqlite:///{Path(tmp) / 'replay.db'}")
        try:
            horizon = when(items[-1]) + DRY_RUN_HORIZON if items else None
            report = await replay(settings, store, items, flush_horizon=horizon)
            await _print_outbox(store, report.alerts)
            return report
        finally:
            await store.close()


def run(args: argparse.Namespace) -> int:
    settings = load_or_report(args)
    if settings is None:
        return EXIT_CONFIG
    try:
        items = read_items(Path(args.path), settings)
    except InputError as exc:
        print(f"bilat replay: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    report = asyncio.run(_run(settings, items, args.dry_run))
    where = "a temporary store (dry run)" if args.dry_run else settings.state_url
    print(
        f"replayed {report.items} item(s) into {where}: {report.new} new, "
        f"{report.matched} match(es), {len(report.alerts)} alert(s) queued",
        file=sys.stderr,
    )
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="run the pipeline over stored items (JSONL or a directory of feed files)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    parser.add_argument("path", metavar="DIR|FILE.jsonl", help="the items to replay")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="use a temporary store and print the alerts that would be sent",
    )
    parser.set_defaults(func=run)
