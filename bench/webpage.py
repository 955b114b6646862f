"""The desk's page with 1,000 events in the window, beside ``bilat events --json`` on the
same store.

A SQLite store is seeded with 1,000 events (one to three reports each, 1,770 country pairs,
a year of dates; ``bench/events.py``'s seeding). Then, alternating in rounds:

- baseline: what ``bilat events --json`` does once the process is up: read the events with
  their reports (``Store.events``) and write one JSON document per event (the CLI's own
  ``event_json``, headline included);
- page: ``GET /?days=3660&to=2025-12-31`` on a real aiohttp server on 127.0.0.1 with the
  desk's pages installed (``monitor/web``): read the window's event versions, filter, build
  the graph, write the cards and the SVG, render the page around them with Jinja2, send the
  HTML over loopback. The site keeps each card by event version (``monitor/web/cache.py``),
  so a page after the first reads and builds only what changed: that is the page a desk
  reloads (and the live updates fetch);
- first page: the same request with the card cache emptied before it (every record read
  and every card built, as after a restart).

Reported: the median milliseconds of each, the ratio page / baseline, and whether the page
stays within the issue's 300 ms server time. Also: the graph alone with 200 parties (build
and render its SVG), the server side of "stays responsive with 200 nodes".
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from bench.events import _seed
from monitor.commands.events import event_json
from monitor.events.record import EventRecord, EventReport
from monitor.logs import configure_logging
from monitor.model import Match, Meeting, ReportRef
from monitor.settings import Settings, load_settings
from monitor.store import Store, open_store
from monitor.web import install
from monitor.web.filters import Filters
from monitor.web.graph import build_graph
from monitor.web.markup import graph_svg

EVENTS = 1000
GOAL_MS = 300.0
PAGE = "/?days=3660&to=2025-12-31"


@dataclass
class _Ctx:
    store: Store
    settings: Settings


def _events_json(events: list[EventRecord]) -> str:
    return "\n".join(json.dumps(event_json(e), ensure_ascii=False) for e in events)


async def _measure(rounds: int) -> dict[str, float]:
    configure_logging(level="warning", fmt="json")
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "settings.toml"
        state = f'[monitor]\nstate = "sqlite:///{tmp}/bilat.db"\n'
        config.write_text(state + '\n[notifiers.console]\ntype = "console"\n')
        settings = load_settings(config)
        store = await open_store(settings.state_url)
        await _seed(store, EVENTS, random.Random(15))
        app = web.Application()
        site = install(app, _Ctx(store, settings))
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        base, page, cold, size = [], [], [], 0
        try:
            async with ClientSession() as http:
                url = str(server.make_url(PAGE))
                async with http.get(url) as resp:  # warm: templates compiled, roster read
                    assert resp.status == 200
                    listed = (await resp.text()).count('<article class="card')
                assert listed == EVENTS, listed
                since = datetime(2000, 1, 1, tzinfo=UTC)
                for _ in range(rounds):
                    t0 = time.perf_counter()
                    events = await store.events(since=since, limit=EVENTS)
                    out = _events_json(events)
                    base.append(time.perf_counter() - t0)
                    assert len(events) == EVENTS and out
                    t0 = time.perf_counter()
                    async with http.get(url) as resp:
                        body = await resp.read()
                    page.append(time.perf_counter() - t0)
                    size = len(body)
                    site.cards.clear()
                    t0 = time.perf_counter()
                    async with http.get(url) as resp:
                        assert len(await resp.read()) == size
                    cold.append(time.perf_counter() - t0)
        finally:
            await server.close()
            await store.close()
    return {
        "base_ms": statistics.median(base) * 1000,
        "page_ms": statistics.median(page) * 1000,
        "cold_ms": statistics.median(cold) * 1000,
        "page_kb": size / 1024,
    }


def _graph_200() -> float:
    """Median ms to build and render the graph of 200 parties and 600 pairs."""
    codes = [f"{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(200)]
    rng = random.Random(200)
    pairs = {tuple(sorted(rng.sample(codes, 2))) for _ in range(700)}
    meeting = Meeting(parties=("AA", "AB"), status="held")
    match = Match("r", "k", "bilateral_meeting", "s", (), meeting)
    ref = ReportRef("k", "wire", None, "t", None)
    day = date(2025, 7, 3)
    now = datetime(2025, 7, 3, tzinfo=UTC)
    events = [
        EventRecord(
            key=f"{a}-{b}@{day}",
            kind="bilateral_meeting",
            parties=(a, b),
            family="meeting",
            anchor=day,
            reports=(EventReport(ref, match, day),),
            status="held",
            officials=(),
            place=None,
            date=day,
            confirmed_by=(),
            first_seen=now,
            updated_at=now,
        )
        for a, b in sorted(pairs)[:600]
    ]
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        graph_svg(build_graph(events), Filters())
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def run(quick: bool = False) -> str:
    measured = asyncio.run(_measure(rounds=3 if quick else 15))
    graph_ms = _graph_200()
    ratio = measured["page_ms"] / measured["base_ms"]
    verdict = "within" if measured["page_ms"] <= GOAL_MS else "OVER"
    return "\n".join(
        [
            "## The desk's page: 1,000 events in the window (`bench/webpage.py`)",
            "",
            "A SQLite store seeded with 1,000 events (1-3 reports each). Baseline: what "
            "`bilat events --json` does after start-up (read the events with their reports, "
            "one JSON document each). Page: `GET /` over loopback with the whole window listed "
            "(every card with its reports, the graph's SVG); cards are kept by event version, "
            "so a reload reads only the window's versions. First page: the same with that "
            "cache emptied (every record read and every card built). Medians of alternating "
            "rounds.",
            "",
            "| what | median | |",
            "|---|---|---|",
            f"| `bilat events --json` (in process) | {measured['base_ms']:.1f} ms | |",
            f"| page, 1,000 events | {measured['page_ms']:.1f} ms"
            f" | {measured['page_kb']:.0f} KiB HTML |",
            f"| ratio page / events --json | {ratio:.2f}x | |",
            f"| first page (empty card cache), 1,000 events | {measured['cold_ms']:.1f} ms"
            f" | {measured['cold_ms'] / measured['base_ms']:.2f}x events --json |",
            f"| goal: page within {GOAL_MS:.0f} ms server time | {verdict} | |",
            f"| graph alone, 200 parties, 600 pairs (build + SVG) | {graph_ms:.1f} ms | |",
        ]
    )
