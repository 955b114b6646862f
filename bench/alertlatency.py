"""An alert from fetch to outbox while the daemon polls thousands of sources (issue 13:
p99 <= 10 ms).

``bilat run`` (SQLite state, the keyword rule of the poll-path bench alerting the console,
the default worker pool) polls 5,000 loopback feeds (``bench.pollfarm``, on 50 ports: 50
hosts to the per-host limit) every minute, the
feeds' minimum: about 80 polls a second, nearly all of them 304s once the first pass is
done. After that first pass (every source polled, the outbox drained), the bench puts a new
item about a meeting at the top of a few random feeds every second (``POST /_fresh``) for
the measured window; each one's next poll brings one new matching item, parsed in full,
run through the rule and queued. The clock is the daemon's own histogram
``bilat_fetch_to_outbox_seconds``: from the moment the response's body was read in full
(``HttpResponse.received_at``) to the moment the commit holding the alert's outbox row
returned (``Pipeline.process``); the bench reads ``/metrics`` before and after the window
and takes the difference. Quantiles are interpolated within the histogram's buckets; the
share within 10 ms is exact (10 ms is a bucket's bound).

Baseline in the same run: the floor of any "committed": one outbox-like row inserted and
committed on its own in a fresh SQLite file with the store's settings (WAL,
``synchronous=NORMAL``), timed in this process.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.daemonrun import (
    HOSTS,
    daemon,
    farm_port,
    farm_post,
    histogram,
    load_average,
    quantile,
    spread_farm,
    wait_settled,
    write_config,
)

METRIC = "bilat_fetch_to_outbox_seconds"
HOP_METRIC = "bilat_fetch_to_outbox_hop_seconds"
HOPS = ("job", "wait", "unit", "commit")
GOAL_S = 0.010
INTERVAL_S = 60.0


def commit_floor(directory: Path, rounds: int = 300) -> list[float]:
    """Seconds per single-row insert + commit in a fresh WAL SQLite file."""
    db = sqlite3.connect(directory / "floor.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(
        "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT UNIQUE,"
        " state TEXT, created_at REAL)"
    )
    times = []
    for i in range(rounds):
        t0 = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO outbox (alert_id, state, created_at) VALUES (?, 'pending', ?)",
            (f"a{i}", time.time()),
        )
        db.execute("COMMIT")
        times.append(time.perf_counter() - t0)
    db.close()
    return times


def _difference(
    before: list[tuple[float, float]], after: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    old = dict(before)
    return [(le, count - old.get(le, 0.0)) for le, count in after]


def _hop_buckets(text: str) -> dict[str, list[tuple[float, float]]]:
    """Per hop, the cumulative buckets of ``HOP_METRIC`` in a /metrics text."""
    out: dict[str, list[tuple[float, float]]] = {}
    prefix = f"{HOP_METRIC}_bucket{{"
    for line in text.splitlines():
        if line.startswith(prefix):
            labels, value = line[len(prefix) :].rsplit("}", 1)
            hop = labels.split('hop="', 1)[1].split('"', 1)[0]
            le = labels.split('le="', 1)[1].split('"', 1)[0]
            bound = float("inf") if le == "+Inf" else float(le)
            out.setdefault(hop, []).append((bound, float(value)))
    return {hop: sorted(buckets) for hop, buckets in out.items()}


def _within(buckets: list[tuple[float, float]], bound: float) -> float:
    total = buckets[-1][1] if buckets else 0.0
    count = next((c for le, c in buckets if abs(le - bound) < 1e-12), float("nan"))
    return count / total if total else float("nan")


def measure(feeds: int, window_s: float, per_second: int, work: Path) -> dict[str, Any]:
    rng = random.Random(13)
    with spread_farm(feeds) as urls:
        port = farm_port(urls)
        state = work / "state.db"
        config = write_config(work, urls, f"sqlite:///{state}", interval="1m")
        started = time.monotonic()
        with daemon(config) as run:
            wait_settled(run, state, feeds, started)
            text = run.metrics()
            before, hops_before = histogram(text, METRIC), _hop_buckets(text)
            load_start = load_average()
            injected = 0
            window_end = time.monotonic() + window_s
            while time.monotonic() < window_end:
                tick = time.monotonic()
                chosen = rng.sample(range(feeds), per_second)
                injected += int(str(farm_post(port, "/_fresh", chosen)))
                time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
            # Every injected feed is polled again within one interval (plus its jitter).
            time.sleep(INTERVAL_S * 1.3)
            text = run.metrics()
            after, hops_after = histogram(text, METRIC), _hop_buckets(text)
            load_end = load_average()
    buckets = _difference(before, after)
    hops = {
        hop: _difference(hops_before.get(hop, []), hops_after[hop])
        for hop in HOPS
        if hop in hops_after
    }
    return {
        "feeds": feeds,
        "injected": injected,
        "alerts": buckets[-1][1] if buckets else 0,
        "p50": quantile(buckets, 0.5),
        "p99": quantile(buckets, 0.99),
        "within": _within(buckets, GOAL_S),
        "buckets": buckets,
        "hops": {hop: (quantile(b, 0.5), quantile(b, 0.99)) for hop, b in hops.items()},
        "load": (load_start, load_end),
    }


def run(quick: bool = False) -> str:
    feeds = 1000 if quick else 5000
    with tempfile.TemporaryDirectory(prefix="bilat-alertlatency-") as tmp:
        floor = commit_floor(Path(tmp))
        result = measure(feeds, 30 if quick else 120, 2 if quick else 3, Path(tmp))
    return _report(result, floor)


def _report(result: dict[str, Any], floor: list[float]) -> str:
    floor_p50 = statistics.median(floor)
    floor_p99 = sorted(floor)[int(0.99 * (len(floor) - 1))]
    p50, p99 = result["p50"], result["p99"]
    met = result["within"] >= 0.99
    rows = " · ".join(
        f"<= {le * 1000:g} ms: {count:.0f}" for le, count in result["buckets"] if le != float("inf")
    )
    polls_s = result["feeds"] / INTERVAL_S
    by_hop = ", ".join(
        f"{hop} {p50 * 1000:.2f} / {p99 * 1000:.2f}" for hop, (p50, p99) in result["hops"].items()
    )
    lines = [
        "## An alert from fetch to outbox under load (`bench/alertlatency.py`)",
        "",
        f"`bilat run` (SQLite state, a keyword rule alerting the console, the default worker "
        f"pool) polling {result['feeds']:,} loopback feeds (on {HOSTS} ports: {HOSTS} hosts to "
        f"the per-host limit) every minute (about {polls_s:.0f} "
        "polls a second, 304s once the first pass is done); after the first pass, a few random "
        f"feeds a second get a new item about a meeting ({result['injected']} in all). Clock: "
        f"the daemon's `{METRIC}` histogram (the response's body read in full -> the commit "
        "holding the alert's outbox row returned), read from `/metrics` before and after the "
        "window. Quantiles interpolated within buckets; the share within 10 ms is exact. "
        f"Load average at the start of the window {result['load'][0]}, at its end "
        f"{result['load'][1]}, on 2 cores shared with other work.",
        "",
        "| what | p50 ms | p99 ms | vs the commit floor (p50) |",
        "|---|---:|---:|---:|",
        f"| baseline: one row inserted and committed alone (SQLite WAL, synchronous=NORMAL) "
        f"| {floor_p50 * 1000:.2f} | {floor_p99 * 1000:.2f} | 1.00x |",
        f"| fetch -> outbox, {result['alerts']:.0f} alerts | {p50 * 1000:.2f} | "
        f"{p99 * 1000:.2f} | {p50 / floor_p50:.1f}x |",
        "",
        f"Within 10 ms: {result['within'] * 100:.1f}% of alerts. Goal p99 <= 10 ms: "
        f"{'met' if met else 'missed'}. By hop (`{HOP_METRIC}`, one observation per poll "
        f"that queued alerts; p50 / p99 ms): {by_hop}. Cumulative counts: {rows}.",
    ]
    return "\n".join(lines)
