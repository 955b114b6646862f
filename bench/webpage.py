"""The desk's page with 1,000 events in the window, beside ``bilat events --json`` on the
same store.

A SQLite store is seeded with 1,000 events (one to three reports each, 1,770 country pairs,
a year of dates; ``bench/events.py``'s seeding). Then, alternating in rounds:

- baseline (in this process): what ``bilat events --json`` does once the process is up:
  read the events with their reports (``Store.events``) and write one JSON document per
  event (the CLI's own ``event_json``, headline included);
- the page in a freshly started server process (``bench/webserver.py``: the desk's pages
  installed as the daemon installs them, warming on): ``GET /?days=3660&to=2025-12-31``
  over loopback (read the window's event rows, no report read or parsed, filter, build
  the graph, write the cards with each event's headline report and the SVG, render the
  page with Jinja2, send the HTML), timed from the request to the last byte:
  - first page at start: asked the moment the server listens, while its background
    warming (roster, CLDR names, templates, the newest events' cards) is still under way:
    the page waits for it, so this is the whole price of a cold process;
  - first page after the warming: asked once the server reports it warmed (the time from
    the process's start to that is reported too): what a desk opening the page after a
    restart sees;
  - reload: the same page asked again (median of three per process); cards are kept by
    event version, so it reads only the window's rows.

Reported: medians, the ratios to the baseline, and whether the pages stay within the
issue's 300 ms server time. Also: the graph alone with 200 parties (build and render its
SVG), the server side of "stays responsive with 200 nodes".
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, date, datetime

from aiohttp import ClientSession

from bench.events import _seed
from bench.webserver import started
from monitor.commands.events import event_json
from monitor.events.record import EventRecord, EventReport
from monitor.logs import configure_logging
from monitor.model import Match, Meeting, ReportRef
from monitor.store import open_store
from monitor.web.filters import Filters
from monitor.web.graph import build_graph
from monitor.web.markup import graph_svg

EVENTS = 1000
GOAL_MS = 300.0
PAGE = "/?days=3660&to=2025-12-31"
RELOADS = 3


def _fragment_path(page: bytes) -> str:
    """The reports fragment of the first card with more than one report."""
    found = re.search(rb'data-reports="([^"]+)"', page)
    assert found, "no card with a reports fragment"
    return html.unescape(found.group(1).decode())


def _events_json(events: list[EventRecord]) -> str:
    return "\n".join(json.dumps(event_json(e), ensure_ascii=False) for e in events)


async def _get(http: ClientSession, url: str) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    async with http.get(url) as resp:
        assert resp.status == 200, resp.status
        body = await resp.read()
    return time.perf_counter() - t0, body


async def _server_pages(
    http: ClientSession, state_url: str, *, after_warming: bool
) -> tuple[float, float, float, int, float]:
    """A fresh ``bench.webserver``: (first page s, median reload s, start to warmed s,
    page bytes, median reports fragment s)."""
    async with started(state_url) as server:
        url = server.base + PAGE
        if after_warming:
            warmed = await server.warmed()
        first, body = await _get(http, url)
        if not after_warming:
            warmed = await server.warmed()
        listed = body.decode().count('<article class="card')
        assert listed == EVENTS, listed
        reloads = [(await _get(http, url))[0] for _ in range(RELOADS)]
        fragment = server.base + _fragment_path(body)
        fragments = [(await _get(http, fragment))[0] for _ in range(RELOADS)]
        return first, statistics.median(reloads), warmed, len(body), statistics.median(fragments)


async def _measure(rounds: int) -> dict[str, float]:
    configure_logging(level="warning", fmt="json")
    with tempfile.TemporaryDirectory() as tmp:
        state_url = f"sqlite:///{tmp}/bilat.db"
        store = await open_store(state_url)
        await _seed(store, EVENTS, random.Random(15))
        base: list[float] = []
        at_start: list[float] = []
        after: list[float] = []
        reload: list[float] = []
        warmed: list[float] = []
        fragments: list[float] = []
        size = 0
        since = datetime(2000, 1, 1, tzinfo=UTC)
        try:
            async with ClientSession() as http:
                for i in range(2 * rounds):
                    t0 = time.perf_counter()
                    events = await store.events(since=since, limit=EVENTS)
                    out = _events_json(events)
                    base.append(time.perf_counter() - t0)
                    assert len(events) == EVENTS and out
                    after_warming = i % 2 == 1
                    first, again, warm_s, size, fragment = await _server_pages(
                        http, state_url, after_warming=after_warming
                    )
                    fragments.append(fragment)
                    (after if after_warming else at_start).append(first)
                    reload.append(again)
                    if after_warming:
                        warmed.append(warm_s)
        finally:
            await store.close()
    ms = {
        "base_ms": base,
        "start_ms": at_start,
        "after_ms": after,
        "reload_ms": reload,
        "warmed_ms": warmed,
        "fragment_ms": fragments,
    }
    out = {k: statistics.median(v) * 1000 for k, v in ms.items()}
    out["page_kb"] = size / 1024
    return out


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
    load_before = os.getloadavg()[0]
    m = asyncio.run(_measure(rounds=2 if quick else 7))
    graph_ms = _graph_200()
    base = m["base_ms"]

    def row(what: str, value: float, note: str = "") -> str:
        verdict = "within" if value <= GOAL_MS else "OVER"
        return f"| {what} | {value:.1f} ms | {value / base:.2f}x | {verdict} |{note}"

    return "\n".join(
        [
            "## The desk's page: 1,000 events in the window (`bench/webpage.py`)",
            "",
            "A SQLite store seeded with 1,000 events (1-3 reports each). Baseline: what "
            "`bilat events --json` does after start-up (read the events with their reports, "
            "one JSON document each), in the bench's process. Pages: `GET /` over loopback "
            "with the whole window listed (every event's card from its row alone, with its "
            "headline report; the other reports are fetched when a card is opened; the "
            "graph's SVG), "
            "each from a freshly started server process that installs the pages as the "
            "daemon does (`bench/webserver.py`): it warms in the background once it listens "
            "(officials roster and compiled templates from the on-disk cache as the CLI "
            "routes them, CLDR names, the newest events' cards). First page "
            "at start: asked the moment the server listens (it waits for the warming under "
            "way: the whole cold price). After the warming: asked once the server says it "
            "warmed. Reload: the same page again (cards kept by event version). Also: one "
            "event's reports fragment (2-3 reports, `GET /events/{key}/reports`). Medians of "
            "alternating rounds, a new server process per first page. Load average (1 min) "
            f"at the start: {load_before:.1f}, at the end: {os.getloadavg()[0]:.1f}, on "
            f"{os.cpu_count()} cores shared with other work.",
            "",
            f"| what | median | / events --json | goal {GOAL_MS:.0f} ms |",
            "|---|---|---|---|",
            f"| `bilat events --json` (in process) | {base:.1f} ms | 1.00x | |",
            row("first page at start (waits for the warming)", m["start_ms"]),
            row("first page after the warming", m["after_ms"]),
            row("reload", m["reload_ms"]),
            row("one event's reports fragment (2-3 reports)", m["fragment_ms"]),
            f"| server start to warmed (process start, imports included) | "
            f"{m['warmed_ms']:.0f} ms | | |",
            f"| page size | {m['page_kb']:.0f} KiB HTML | | |",
            f"| graph alone, 200 parties, 600 pairs (build + SVG) | {graph_ms:.1f} ms | "
            f"{graph_ms / base:.2f}x | |",
        ]
    )
