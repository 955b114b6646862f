"""Event clustering cost per match with many stored events.

A SQLite store is seeded with N events (100k; 10k in quick mode) over 1,770 country pairs
and a year of dates, one to three reports each. Then matches of new items go through the
real ``Pipeline.process`` one poll transaction each (unseen check, mark seen, store the
match, decide, queue alerts, save the source state), alternating in rounds between:

- baseline: the same pipeline with a ``decide`` that decides nothing (the transaction only
  marks the item seen and inserts the match);
- events: ``EventDecide`` (meeting date from the text, candidate lookup in the store,
  ``cluster``, alert decisions for one notifier, writes of the event, report, thread and
  alerts).

Half of the matches report a seeded meeting again (they join it: a folded or immediate
update), half a new one (a new event and a "new" alert). Reported: median µs per match of
each, the clustering overhead, and the ratio events / baseline.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import ClassVar

from monitor.events.alerts import NotifierPolicy
from monitor.events.cluster import cluster
from monitor.logs import configure_logging
from monitor.model import Item, Match, Meeting, ReportRef
from monitor.pipeline import DecideContext, Pipeline, QueuedAlert, RoutedMatch
from monitor.pipeline.decide import EventDecide
from monitor.store import SourceState, Store, Transaction, open_store
from rules.base import RuleOptions

_CODES = (
    "AE AR AU BD BR CA CH CN DE EG ES ET FR GB ID IL IN IR IT JP KE KR KZ MX MY NG NL NO PK PH"
    " PL QA RU SA SE SG TH TR UA US UZ VN ZA AF AM AZ BY CL CO CU DK FI GR HU IQ JO LK NP NZ OM PT"
)
CODES = tuple(_CODES.split())
PAIRS = [tuple(sorted(p)) for p in combinations(CODES, 2)]
START = date(2025, 1, 1)
DAYS = 365
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SEED_BATCH = 5000


class BenchOptions(RuleOptions):
    pass


class PairRule:
    """Reads the meeting a bench item reports from its title ("CN-IN|2025-03-04")."""

    type_name: ClassVar[str] = "bench_meeting"
    Options: ClassVar[type[RuleOptions]] = BenchOptions

    def __init__(self) -> None:
        self.options = BenchOptions(id="desk", type="bench_meeting", notify=["desk"])

    def warm(self) -> None:
        return None

    def evaluate(self, item: Item) -> list[Match]:
        pair, _ = item.title.split("|")
        a, b = pair.split("-")
        meeting = Meeting(
            (a, b), "held", ("Minister A", "Minister B"), "Capital", 0.9, (item.text,)
        )
        return [Match("desk", item.key, "bilateral_meeting", item.title, (item.text,), meeting)]


def _item(n: int, pair: tuple[str, ...], day: date, prefix: str) -> Item:
    published = datetime(day.year, day.month, day.day, 14, tzinfo=UTC) + timedelta(days=1)
    text = f"Minister A met Minister B in Capital on {WEEKDAYS[day.weekday()]}."
    return Item(
        id=f"{prefix}{n}",
        source_id="wire",
        title=f"{'-'.join(pair)}|{day.isoformat()}",
        text=text,
        url=f"https://wire.example/{prefix}{n}",
        published_at=published,
        lang="en",
        fetched_at=published,
    )


async def _seed(store: Store, count: int, rng: random.Random) -> list[tuple[tuple[str, ...], date]]:
    """``count`` events (one to three reports each), written in large transactions."""
    rule = PairRule()
    seeded: list[tuple[tuple[str, ...], date]] = []
    now = datetime(2026, 1, 1, tzinfo=UTC)
    n = 0
    slots = rng.sample(range(len(PAIRS) * DAYS), count)  # distinct (pair, day): one event each
    while len(seeded) < count:
        async with store.transaction() as tx:
            for slot in slots[len(seeded) : len(seeded) + SEED_BATCH]:
                pair, day = PAIRS[slot // DAYS], START + timedelta(days=slot % DAYS)
                decision = None
                for _ in range(rng.randint(1, 3)):
                    it = _item(n, pair, day, "seed")
                    n += 1
                    (match,) = rule.evaluate(it)
                    found = [decision.event] if decision else []
                    decision = cluster(match, ReportRef.of(it), day, found, now=now)
                    await tx.save_event(decision, now)
                seeded.append((pair, day))
    return seeded


async def _nothing(
    tx: Transaction, matches: Sequence[RoutedMatch], ctx: DecideContext
) -> list[QueuedAlert]:
    return []


def _probes(
    count: int, seeded: list[tuple[tuple[str, ...], date]], rng: random.Random, prefix: str
) -> list[Item]:
    out = []
    for n in range(count):
        if n % 2 == 0:  # a report of a seeded meeting: joins it
            pair, day = rng.choice(seeded)
        else:  # a meeting nobody reported yet (a later year: no candidate)
            pair, day = rng.choice(PAIRS), START + timedelta(days=DAYS + 30 + rng.randrange(DAYS))
        out.append(_item(n, pair, day, prefix))
    return out


async def _time(pipeline: Pipeline, items: Sequence[Item]) -> list[float]:
    state = SourceState("wire", last_ok_at=datetime(2026, 1, 1, tzinfo=UTC))
    times = []
    for it in items:
        start = time.perf_counter()
        outcome = await pipeline.process(state, [it])
        times.append(time.perf_counter() - start)
        assert outcome.matched == 1
    return times


async def _measure(events: int, matches: int, rounds: int) -> dict[str, float]:
    rng = random.Random(events)
    with tempfile.TemporaryDirectory(prefix="bilat-bench-") as tmp:
        store = await open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            t0 = time.perf_counter()
            seeded = await _seed(store, events, rng)
            seed_s = time.perf_counter() - t0
            rule = PairRule()
            clock = datetime(2027, 6, 1, tzinfo=UTC)
            common = {
                "notifiers": frozenset({"desk"}),
                "backfill_s": 10 * 365 * 86400.0,
                "clock": lambda: clock,
            }
            baseline = Pipeline(store, [rule], decide=_nothing, **common)  # type: ignore[arg-type]
            decide = EventDecide(
                rules=[rule.options], notifiers={"desk": NotifierPolicy("desk", "console")}
            )
            clustering = Pipeline(store, [rule], decide=decide, **common)  # type: ignore[arg-type]
            base_t: list[float] = []
            event_t: list[float] = []
            per_round = matches // rounds
            for r in range(rounds):
                base_t += await _time(baseline, _probes(per_round, seeded, rng, f"b{r}-"))
                event_t += await _time(clustering, _probes(per_round, seeded, rng, f"e{r}-"))
            stored = len(await store.events(limit=events * 3))
        finally:
            await store.close()
    base_us = statistics.median(base_t) * 1e6
    event_us = statistics.median(event_t) * 1e6
    return {
        "events": float(stored),
        "seed_s": seed_s,
        "base_us": base_us,
        "event_us": event_us,
        "p90_us": statistics.quantiles(event_t, n=10)[-1] * 1e6,
    }


def run(quick: bool = False) -> str:
    # As the daemon logs (one JSON line per decision), into the void instead of a terminal.
    with open(os.devnull, "w") as sink:
        configure_logging("info", "json", stream=sink)
        return _report(quick)


def _report(quick: bool) -> str:
    sizes = [10_000] if quick else [10_000, 100_000]
    matches = 400 if quick else 2000
    rows = []
    for size in sizes:
        m = asyncio.run(_measure(size, matches, rounds=4))
        extra = m["event_us"] - m["base_us"]
        rows.append(
            f"| {int(m['events']):,} | {m['base_us']:.0f} | {m['event_us']:.0f} "
            f"| {m['p90_us']:.0f} | {extra:.0f} | {m['event_us'] / m['base_us']:.2f}× "
            f"| {m['seed_s']:.1f} s |"
        )
    return "\n".join(
        [
            "## Event clustering (bench/events.py)",
            "",
            f"Cost per match of one poll transaction with {matches:,} matches (half join a "
            "stored meeting, half found a new one) on a SQLite store holding N events, "
            "against the same transaction without clustering (mark seen + store the match). "
            "Medians over alternating rounds.",
            "",
            "| stored events | baseline µs/match | events µs/match | events p90 µs "
            "| clustering µs | ratio | seeding |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
