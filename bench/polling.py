"""Polling benchmark: 5,000 feeds on loopback through bilat's ``Http`` versus a raw aiohttp loop.

A separate server process (``bench.feedserver``) serves the feeds; each client run is its own
process (``bench.pollclient``) so CPU time and peak RSS belong to that client alone. Clients
alternate (raw, bilat, bilat, raw, ...) to spread machine noise over both.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOSTS = 50
TARGET_CONDITIONAL_S = 2.0  # for 5,000 feeds
TARGET_CPU_RATIO = 1.5
TARGET_RSS_MB = 150.0


@contextmanager
def ready_ports(command: list[str], name: str, stop_s: float = 10.0) -> Iterator[list[int]]:
    """A server process that prints ``READY <port> [<port> ...]`` when it listens; yields
    every port the line names and stops it (stdin closed, then SIGTERM) on exit."""
    proc = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError(f"{name} did not start: {line!r}")
        yield [int(port) for port in line.split()[1:]]
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=stop_s)


@contextmanager
def ready_server(command: list[str], name: str, stop_s: float = 10.0) -> Iterator[int]:
    """``ready_ports`` for a server on one port (the first the line names)."""
    with ready_ports(command, name, stop_s) as ports:
        yield ports[0]


@contextmanager
def feed_server(feeds: int) -> Iterator[int]:
    """Start ``bench.feedserver`` in its own process; yield its port."""
    command = [sys.executable, "-m", "bench.feedserver", "--feeds", str(feeds)]
    with ready_server(command, "feed server") as port:
        yield port


def run_client(mode: str, feeds: int, port: int, passes: int) -> dict[str, Any]:
    """One client process; returns its JSON report."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.pollclient",
            f"--mode={mode}",
            f"--feeds={feeds}",
            f"--hosts={HOSTS}",
            f"--port={port}",
            f"--passes={passes}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def _summary(runs: list[dict[str, Any]], feeds: int) -> dict[str, float]:
    full = [r["full"] for r in runs]
    cond = [p for r in runs for p in r["conditional"]]

    def med(items: list[dict[str, float]], key: str) -> float:
        return statistics.median(x[key] for x in items)

    return {
        "full_wall": med(full, "wall_s"),
        "full_cpu_us": med(full, "cpu_s") / feeds * 1e6,
        "cond_wall": med(cond, "wall_s"),
        "cond_cpu_us": med(cond, "cpu_s") / feeds * 1e6,
        "rss": max(r["peak_rss_mb"] for r in runs),
    }


def _verdict(ok: bool) -> str:
    return "✅ met" if ok else "❌ missed"


def run(quick: bool = False) -> str:
    feeds = 500 if quick else 5000
    rounds = 1 if quick else 3
    passes = 2 if quick else 3
    runs: dict[str, list[dict[str, Any]]] = {"raw": [], "bilat": [], "daemon": []}
    with feed_server(feeds) as port:
        for r in range(rounds):
            order = ("raw", "bilat", "daemon") if r % 2 == 0 else ("daemon", "bilat", "raw")
            for mode in order:
                runs[mode].append(run_client(mode, feeds, port, passes))
    raw, ours = _summary(runs["raw"], feeds), _summary(runs["bilat"], feeds)
    whole = _summary(runs["daemon"], feeds)
    whole_ratio = whole["cond_cpu_us"] / raw["cond_cpu_us"]
    cond_ratio = ours["cond_cpu_us"] / raw["cond_cpu_us"]
    full_ratio = ours["full_cpu_us"] / raw["full_cpu_us"]
    target_s = TARGET_CONDITIONAL_S * feeds / 5000

    rows = []
    for label, key in (("full (200 + parse)", "full"), ("conditional (all 304)", "cond")):
        for name, s in (
            ("raw aiohttp loop", raw),
            ("bilat `Http.get`", ours),
            ("bilat poll path (`bilat once`)", whole),
        ):
            rows.append(
                f"| {label} | {name} | {feeds / s[f'{key}_wall']:,.0f} | "
                f"{s[f'{key}_cpu_us']:.0f} | {s[f'{key}_wall']:.2f} | {s['rss']:.0f} |"
            )
    return "\n".join(
        [
            f"## Polling {feeds:,} feeds through the shared HTTP client",
            "",
            f"A separate process serves {feeds:,} distinct RSS feeds (10 items, ~3 KB) on "
            f"127.0.0.1 under {HOSTS} host names, with ETag/Last-Modified and 304s. Each client "
            "is its own process: a full pass (200 + `fastfeedparser.parse`), then "
            f"{passes} conditional passes sending the validators back (all 304, no parse). "
            "*bilat* is `Http.get` (per-host limit 2, total 100, size cap, connect-time "
            "address guard on with 127.0.0.1 exempted, retries armed); the baseline is a bare "
            "aiohttp session with the same limits (a semaphore per host, connector limit "
            f"100). {rounds} alternating rounds; medians; CPU is the client process's "
            "`time.process_time`, RSS its `ru_maxrss`. *bilat poll path* is what `bilat once` "
            "does per source: the source's state from the SQLite store, `FeedSource.poll` "
            "(conditional GET, `parse_feed` with HTML → text), a keyword rule over every new "
            "item and one SQLite transaction (seen items, matches, events, cursor, validators, "
            "next due time); a poll with nothing new only saves its state, in a commit shared "
            "with the polls that finish meanwhile; it logs its canonical `source.polled` JSON "
            "line (info level, to /dev/null) and starts with `settle_heap` like the daemon. "
            "Every bench item matches the keyword rule, "
            "so its full pass is the worst case: 10 matches per feed, each clustered into an "
            "event (`bench/events.py` measures that cost on its own).",
            "",
            "| pass | client | polls/s | client CPU µs/poll | wall s | peak RSS MB |",
            "|---|---|---:|---:|---:|---:|",
            *rows,
            "",
            "| goal | measured | target | |",
            "|---|---:|---:|---|",
            f"| conditional pass of {feeds:,} feeds (bilat) | {ours['cond_wall']:.2f} s | "
            f"≤ {target_s:.1f} s | {_verdict(ours['cond_wall'] <= target_s)} |",
            f"| CPU per conditional poll, bilat ÷ raw | {cond_ratio:.2f}× | "
            f"≤ {TARGET_CPU_RATIO}× | {_verdict(cond_ratio <= TARGET_CPU_RATIO)} |",
            f"| CPU per full poll (200 + parse), bilat ÷ raw | {full_ratio:.2f}× | — | |",
            f"| conditional pass of {feeds:,} feeds (whole poll path) | "
            f"{whole['cond_wall']:.2f} s | ≤ {target_s:.1f} s | "
            f"{_verdict(whole['cond_wall'] <= target_s)} |",
            f"| CPU per conditional poll, whole poll path ÷ raw | {whole_ratio:.2f}× | "
            f"≤ {TARGET_CPU_RATIO}× | {_verdict(whole_ratio <= TARGET_CPU_RATIO)} |",
            f"| peak RSS, whole poll path | {whole['rss']:.0f} MB | ≤ {TARGET_RSS_MB:.0f} MB | "
            f"{_verdict(whole['rss'] <= TARGET_RSS_MB)} |",
            f"| peak RSS of the bilat client | {ours['rss']:.0f} MB | ≤ {TARGET_RSS_MB:.0f} MB | "
            f"{_verdict(ours['rss'] <= TARGET_RSS_MB)} |",
        ]
    )
