"""The poll path at the speed of the network: ``bilat once`` beside a raw aiohttp loop.

Both run as a user runs them, one process per pass, against the same loopback farm
(``bench.pollfarm``: 5,000 feeds x 10 items of multilingual news text, a fifth of it about
meetings, no language declared): a cold pass (fresh state, every item new, every match
alerted through the console notifier) and an unchanged pass (validators sent back, all 304).
The baseline (``bench.rawloop``) does the least a poller must: conditional GETs, 100 in
flight, item links by regex, nothing parsed or stored. The goals are ratios of wall time in
the same run: cold <= 3x, unchanged <= 1.3x.

Two layouts: "one core" pins the farm to the first core and the client to the second (the
peer harness's layout; bilat then runs inline, as ``[monitor] workers`` defaults to on a
single core); "two cores" pins nothing (bilat parses and runs rules in its worker pool, next
to the farm). CPU is user + system time of the client and the children it waited for (the
pool's workers are the forkserver's children: not counted). Start-up: a 1-source
configuration, from starting ``bilat once`` to its first request reaching the farm.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.daemonrun import KEYWORDS, write_config
from bench.polling import ROOT, ready_server

COLD_GOAL, UNCHANGED_GOAL, STARTUP_GOAL_S = 3.0, 1.3, 0.5


@contextmanager
def farm(feeds: int, cpu: int | None) -> Iterator[int]:
    """``bench.pollfarm`` in its own process (on ``cpu``); yields its port."""
    command = [*_pin(cpu), sys.executable, "-m", "bench.pollfarm", "--feeds", str(feeds)]
    with ready_server(command, "farm", stop_s=30) as port:
        yield port


def _pin(cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu)] if cpu is not None else []


def _config(directory: Path, urls: list[str]) -> Path:
    """The configuration of ``bilat once`` (bilat's defaults: no endpoint, text logs)."""
    state = f"sqlite:///{directory / 'state.db'}"
    return write_config(directory, urls, state, interval=None, server=False, log_format=None)


def _timed(cmd: list[str], out: Path) -> dict[str, Any]:
    """Run ``cmd`` (stdout to ``out``); wall, CPU of it and its waited-for children, rc."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with out.open("wb") as stdout:
        done = subprocess.run(cmd, cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE, timeout=900)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rc": done.returncode, "stderr": done.stderr}


def _bilat_pass(config: Path, cpu: int | None, out: Path) -> dict[str, Any]:
    cmd = [*_pin(cpu), sys.executable, "-m", "monitor", "once", "-c", str(config)]
    result = _timed(cmd, out)
    done = [
        json.loads(line)
        for line in result.pop("stderr").decode().splitlines()
        if line.startswith("{") and '"once.done"' in line
    ]
    result["done"] = done[-1] if done else {}
    return result


def _raw_pass(urls: Path, state: Path, cpu: int | None, out: Path) -> dict[str, Any]:
    cmd = [*_pin(cpu), sys.executable, "-m", "bench.rawloop", "--urls", str(urls)]
    result = _timed([*cmd, "--state", str(state)], out)
    result.pop("stderr")
    result["done"] = json.loads(out.read_text().strip().splitlines()[-1])
    return result


def _layout(port: int, feeds: int, cpu: int | None, work: Path) -> dict[str, Any]:
    urls = [f"http://127.0.0.1:{port}/f/{i}.xml" for i in range(feeds)]
    url_file = work / "urls.txt"
    url_file.write_text("\n".join(urls))
    runs: dict[str, Any] = {}
    for client in ("raw", "bilat"):
        directory = work / client
        directory.mkdir()
        config = _config(directory, urls)
        for name in ("cold", "unchanged"):
            out = directory / f"{name}.out"
            if client == "raw":
                runs[f"{client} {name}"] = _raw_pass(url_file, directory / "state.json", cpu, out)
            else:
                runs[f"{client} {name}"] = _bilat_pass(config, cpu, out)
    return runs


def _startup(port: int, work: Path, rounds: int) -> list[float]:
    directory = work / "startup"
    directory.mkdir()
    config = _config(directory, [f"http://127.0.0.1:{port}/f/0.xml"])
    base = f"http://127.0.0.1:{port}"
    delays = []
    for _ in range(rounds):
        urllib.request.urlopen(urllib.request.Request(f"{base}/_reset", method="POST")).read()
        started = time.time()
        subprocess.run(
            [sys.executable, "-m", "monitor", "once", "-c", str(config)],
            cwd=ROOT,
            capture_output=True,
            timeout=120,
        )
        first = json.loads(urllib.request.urlopen(f"{base}/_first").read())
        if first is not None:
            delays.append(first - started)
    return delays


def run(quick: bool = False) -> str:
    feeds = 500 if quick else 5000
    cores = sorted(os.sched_getaffinity(0))
    two = len(cores) >= 2 and shutil.which("taskset") is not None
    layouts: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bilat-pollpath-") as tmp:
        work = Path(tmp)
        if two:
            with farm(feeds, cores[0]) as port:
                (work / "one").mkdir()
                layouts["one core"] = _layout(port, feeds, cores[1], work / "one")
        with farm(feeds, None) as port:
            (work / "two").mkdir()
            label = "two cores" if two else "all cores"
            layouts[label] = _layout(port, feeds, None, work / "two")
            startup = _startup(port, work, 3 if quick else 5)
    return _report(feeds, layouts, startup)


def _report(feeds: int, layouts: dict[str, dict[str, Any]], startup: list[float]) -> str:
    any_runs = next(iter(layouts.values()))
    done = any_runs["bilat cold"]["done"]
    lines = [
        "## Poll path: `bilat once` beside a raw aiohttp loop (`bench/pollpath.py`)",
        "",
        f"{feeds:,} loopback feeds (`bench/pollfarm.py`: 10 items each of seeded multilingual "
        "news text in 12 languages, a fifth reporting a meeting, no language declared), a "
        f"keyword rule ({', '.join(KEYWORDS)}) alerting the console; one process per pass. "
        f"bilat's cold pass: {done.get('new_items', 0):,} new items, "
        f"{done.get('matches', 0):,} matches, {done.get('delivered', 0):,} alerts delivered. "
        "Baseline: `bench/rawloop.py` (conditional GET, 100 in flight, links by regex, "
        "nothing parsed or stored).",
        "",
        "| layout | pass | raw wall s | raw CPU s | bilat wall s | bilat CPU s | ratio (wall) "
        "| goal | met | bilat rc |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for layout, runs in layouts.items():
        for name, goal in (("cold", COLD_GOAL), ("unchanged", UNCHANGED_GOAL)):
            raw, ours = runs[f"raw {name}"], runs[f"bilat {name}"]
            ratio = ours["wall"] / raw["wall"]
            lines.append(
                f"| {layout} | {name} | {raw['wall']:.2f} | {raw['cpu']:.2f} | "
                f"{ours['wall']:.2f} | {ours['cpu']:.2f} | {ratio:.2f}x | <= {goal}x | "
                f"{'yes' if ratio <= goal else 'no'} | {ours['rc']} |"
            )
    if startup:
        median = statistics.median(startup)
        lines += [
            "",
            f"Start-up, 1-source configuration, `bilat once` started -> its first request at "
            f"the farm: median {median:.2f} s of {len(startup)} (min {min(startup):.2f}); "
            f"goal <= {STARTUP_GOAL_S} s: {'met' if median <= STARTUP_GOAL_S else 'missed'}.",
        ]
    return "\n".join(lines)
