"""The daemon's memory with 10,000 sources (issue 13: <= 150 MB resident).

``bilat run`` as a user runs it (SQLite state, a keyword rule alerting the console, the
default worker pool), against a loopback farm (``bench.pollfarm``: 10 items of multilingual
news text per feed, the feeds spread over 50 ports, which bilat's per-host limit counts as
50 hosts). Measured once every source has been polled (each source's state has a
good poll), the outbox is drained and the resident size has settled (no change above
1 MiB over 5 s, or 60 s passed): the daemon's own process (the goal), and its worker
processes apart. Baseline in the same run: the same daemon configured with 1 source.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench.daemonrun import (
    HOSTS,
    daemon,
    load_average,
    spread_farm,
    wait_settled,
    write_config,
)

GOAL_MB = 150.0


def measure(urls: list[str], work: Path, timeout_s: float = 900) -> dict[str, Any]:
    """One daemon over ``urls`` (one source each), measured once settled."""
    work.mkdir()
    state = work / "state.db"
    sources = len(urls)
    config = write_config(work, urls, f"sqlite:///{state}")
    started = time.monotonic()
    with daemon(config) as run:
        polled_s = wait_settled(run, state, sources, started, timeout_s)
        samples = [run.rss_mb()]
        settle_until = time.monotonic() + 60
        while time.monotonic() < settle_until:
            time.sleep(1.0)
            samples.append(run.rss_mb())
            if len(samples) >= 6 and max(samples[-6:]) - min(samples[-6:]) <= 1.0:
                break
        status = Path(f"/proc/{run.proc.pid}/status").read_text().splitlines()
        peak = next(int(s.split()[1]) / 1024 for s in status if s.startswith("VmHWM:"))
        return {
            "sources": sources,
            "rss": samples[-1],
            "peak": peak,
            "workers": run.children_rss_mb(),
            "polled_s": polled_s,
        }


def run(quick: bool = False) -> str:
    sources = 1000 if quick else 10_000
    load_start = load_average()
    with (
        tempfile.TemporaryDirectory(prefix="bilat-daemonmem-") as tmp,
        spread_farm(sources) as urls,
    ):
        base = measure(urls[:1], Path(tmp) / "one")
        many = measure(urls, Path(tmp) / "many")
    return _report(base, many, load_start, load_average())


def _report(base: dict[str, Any], many: dict[str, Any], load_start: str, load_end: str) -> str:
    per_source_kb = (many["rss"] - base["rss"]) * 1024 / max(1, many["sources"] - 1)
    met = many["rss"] <= GOAL_MB
    lines = [
        f"## The daemon's memory with {many['sources']:,} sources (`bench/daemonmem.py`)",
        "",
        f"`bilat run` (SQLite state, a keyword rule alerting the console, the default worker "
        f"pool) over {many['sources']:,} loopback feeds (`bench/pollfarm.py`, 10 items each, "
        f"on {HOSTS} ports: {HOSTS} hosts to the per-host limit), "
        "measured once every source had a good poll, the outbox was drained and the resident "
        "size had settled (within 1 MiB over 5 s). Baseline in the same run: the same daemon "
        f"with 1 source. Load average at the start {load_start}, at the end {load_end}, on 2 "
        "cores shared with other work.",
        "",
        "| sources | daemon RSS MiB | peak RSS MiB | worker processes RSS MiB "
        "| all polled after s |",
        "|---:|---:|---:|---:|---:|",
    ]
    for row in (base, many):
        lines.append(
            f"| {row['sources']:,} | {row['rss']:.1f} | {row['peak']:.1f} | "
            f"{row['workers']:.1f} | {row['polled_s']:.0f} |"
        )
    lines += [
        "",
        f"{many['sources']:,} sources / 1 source: {many['rss'] / base['rss']:.2f}x "
        f"({per_source_kb:.1f} KiB per source). Goal: the daemon <= {GOAL_MB:.0f} MB "
        f"resident with {many['sources']:,} sources: {'met' if met else 'missed'} "
        f"({many['rss']:.1f} MiB).",
    ]
    return "\n".join(lines)
