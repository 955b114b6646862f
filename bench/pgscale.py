"""Scaling out on PostgreSQL: three ``bilat run`` nodes beside one, on a slow farm (issue 13:
>= 2.5x the polls a second).

One loopback farm (``bench.pollfarm``, on 50 ports: 50 hosts to the per-host limit) whose
every feed answers after 50 ms (a slow origin: the work is waiting, so nodes should add up),
one item per feed (a fifth of them about a meeting). The same configuration for every node:
every source due at once (``startup_spread = 0``), ``concurrency = 5`` polls in flight per
node (a node's ceiling is then 100 polls a second: what one node adds), ``workers = 0``
(three nodes share this machine's two cores; on their own machines each would have its
pool). Each run has a fresh database and two passes: the first over every feed (every item
new: seen items, matches, events, alerts and outbox rows committed on PostgreSQL), then,
once the bench has made every source due again, the unchanged pass (all 304: the steady
state of a poller). Throughput is the farm's answered requests per second between 20% and
80% of a pass (the nodes' start-up left out). Baseline in the same run: one node; runs
alternate. The database is checked after the first pass: every source polled, no alert
twice.

Needs PostgreSQL on 127.0.0.1:5432 (``BENCH_POSTGRES_URL``, else the admin URLs of
``bench.pgadmin``, the tests' too); skipped without it.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg

from bench import Skipped
from bench.daemonrun import (
    HOSTS,
    Daemon,
    daemons,
    farm_get,
    farm_port,
    load_average,
    spread_farm,
    write_config,
)
from bench.pgadmin import admin_connect, drop_database, with_database

ENV = "BENCH_POSTGRES_URL"
DELAY_MS = 50
CONCURRENCY = 5
GOAL = 2.5


async def _create() -> str:
    try:
        conn, admin = await admin_connect(ENV)
    except ConnectionError as exc:
        raise Skipped(f"no PostgreSQL: {exc}") from exc
    name = f"bilat_bench_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(admin, name)


async def _check(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        polled = await conn.fetchval("SELECT count(*) FROM sources WHERE last_ok_at IS NOT NULL")
        alerts = await conn.fetchval("SELECT count(*) FROM alerts")
        twice = await conn.fetchval(
            "SELECT count(*) FROM (SELECT event_key, notifier FROM alerts WHERE kind = 'new'"
            " GROUP BY event_key, notifier HAVING count(*) > 1) AS d"
        )
        return {"polled": polled, "alerts": alerts, "twice": twice}
    finally:
        await conn.close()


def _answered(port: int) -> int:
    return int(str(farm_get(port, "/_count")))


def _follow(port: int, feeds: int, runs: list[Daemon], start: int) -> list[tuple[float, int]]:
    """(time, requests answered since ``start``) every quarter second until ``feeds`` were
    answered since then."""
    samples: list[tuple[float, int]] = []
    deadline = time.monotonic() + 900
    while True:
        done = _answered(port) - start
        samples.append((time.monotonic(), done))
        if done >= feeds or time.monotonic() > deadline:
            return samples
        if any(r.proc.poll() is not None for r in runs):
            raise RuntimeError("a node exited during the pass")
        time.sleep(0.25)


async def _due_now(url: str) -> None:
    """Every source due again at once (the bench's hand on the state, not a node's)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("UPDATE sources SET next_due_at = now() WHERE active")
    finally:
        await conn.close()


def _passes(urls: list[str], nodes: int, work: Path) -> dict[str, Any]:
    """``nodes`` nodes on a fresh database: the first pass over every feed (every item new),
    then, every source made due again, the unchanged pass (all 304)."""
    url = asyncio.run(_create())
    port, feeds = farm_port(urls), len(urls)
    try:
        work.mkdir()
        config = write_config(
            work,
            urls,
            url,
            interval="1h",
            monitor=("startup_spread = 0", f"concurrency = {CONCURRENCY}", "workers = 0"),
        )
        # Counted from before the nodes start: the first polls go out while the others
        # are still starting.
        before = _answered(port)
        with daemons(config, nodes) as runs:
            first = _follow(port, feeds, runs, before)
            time.sleep(2.0)  # the last polls commit
            checked = asyncio.run(_check(url))
            before = _answered(port)
            asyncio.run(_due_now(url))
            unchanged = _follow(port, feeds, runs, before)
    finally:
        asyncio.run(drop_database(url, ENV))
    return {
        "nodes": nodes,
        "first": _rate(first, feeds),
        "unchanged": _rate(unchanged, feeds),
        **checked,
    }


def _rate(samples: list[tuple[float, int]], feeds: int) -> float:
    """Requests a second between the samples at 20% and at 80% of the pass."""
    low = next(s for s in samples if s[1] >= 0.2 * feeds)
    high = next(s for s in samples if s[1] >= 0.8 * feeds)
    return (high[1] - low[1]) / max(high[0] - low[0], 1e-9)


def run(quick: bool = False) -> str:
    asyncio.run(drop_database(asyncio.run(_create()), ENV))  # Skipped here when no server answers
    feeds = 1500 if quick else 3000
    rounds = 1 if quick else 2
    load_start = load_average()
    results: dict[int, list[dict[str, Any]]] = {1: [], 3: []}
    with (
        tempfile.TemporaryDirectory(prefix="bilat-pgscale-") as tmp,
        spread_farm(feeds, delay_ms=DELAY_MS, items=1) as urls,
    ):
        for r in range(rounds):
            for nodes in (1, 3) if r % 2 == 0 else (3, 1):
                results[nodes].append(_passes(urls, nodes, Path(tmp) / f"{nodes}-{r}"))
    return _report(feeds, results, load_start, load_average())


def _report(
    feeds: int, results: dict[int, list[dict[str, Any]]], load_start: str, load_end: str
) -> str:
    medians = {
        (nodes, kind): statistics.median(r[kind] for r in rows)
        for nodes, rows in results.items()
        for kind in ("first", "unchanged")
    }
    lines = [
        "## Scaling out on PostgreSQL: three nodes beside one (`bench/pgscale.py`)",
        "",
        f"{feeds:,} loopback feeds (`bench/pollfarm.py --delay-ms {DELAY_MS} --items 1 --ports "
        f"{HOSTS}`: every answer {DELAY_MS} ms late, one item per feed, a fifth about a "
        f"meeting, {HOSTS} hosts to the per-host limit), a keyword rule alerting the console, "
        "PostgreSQL state (a fresh database per run); per node "
        f"`concurrency = {CONCURRENCY}` (its ceiling: {CONCURRENCY * 1000 // DELAY_MS} polls "
        "a second) and `workers = 0` (the nodes share 2 cores). First pass: every source due "
        "at once, every item new (seen items, matches, events, alerts and outbox rows "
        "committed on PostgreSQL). Unchanged pass: the bench makes every source due again "
        "(an UPDATE of the state), every answer a 304. Throughput: the farm's answered "
        "requests a second between 20% and 80% of a pass. Baseline in the same run: one "
        "node; runs alternate. Load average at the start "
        f"{load_start}, at the end {load_end}, on 2 cores shared with other work.",
        "",
        "| nodes | first pass polls/s (each run) | median | unchanged pass polls/s (each run) "
        "| median | sources polled | alerts | the same alert twice |",
        "|---:|---|---:|---|---:|---:|---:|---:|",
    ]
    for nodes, rows in results.items():
        cells = []
        for kind in ("first", "unchanged"):
            cells.append(", ".join(f"{r[kind]:.0f}" for r in rows))
            cells.append(f"{medians[nodes, kind]:.0f}")
        polled = "/".join(str(r["polled"]) for r in rows)
        alerts = "/".join(str(r["alerts"]) for r in rows)
        twice = "/".join(str(r["twice"]) for r in rows)
        lines.append(f"| {nodes} | {' | '.join(cells)} | {polled} | {alerts} | {twice} |")
    lines.append("")
    for kind, label in (("first", "First pass"), ("unchanged", "Unchanged pass")):
        ratio = medians[3, kind] / medians[1, kind]
        lines.append(
            f"{label}: three nodes / one **{ratio:.2f}x** (goal >= {GOAL}x: "
            f"{'met' if ratio >= GOAL else 'missed'})."
        )
    return "\n".join(lines)
