"""Start-up of the one-shot commands on a 1-source configuration (issue 13: <= 0.5 s).

A loopback farm (``bench.pollfarm``) serves one feed; the configuration polls it with a
keyword rule alerting the console, on a SQLite state that already exists (the first,
migrating run is not timed). Each command runs as a user runs it, one process each, from
process start to exit:

- ``bilat once``: the whole pass (one 304 after the first run), and separately its start to
  its first request at the farm (``/_first``);
- ``bilat check``: read and validate the configuration, check the state file;
- ``bilat scan FILE``: the bilateral detector over one short report (needs the gazetteer,
  from the on-disk cache as a user has it after the first run).

Baselines in the same run: the bare interpreter (``python -c pass``) and ``bench.rawloop``
over the same one URL (import aiohttp, one conditional GET, exit): the least a poller written
in Python pays. Bytecode caches are warm (a warm-up round writes them even where
PYTHONDONTWRITEBYTECODE is set, as an installed package has them). With ``STARTUP_BASE=DIR``
(a checkout of another revision, e.g. ``git worktree add``), the same commands run from that
tree too, interleaved round by round with this one: before and after in one run.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.pollpath import ROOT, _config, farm

GOAL_S = 0.5
_CACHES = Path(tempfile.gettempdir()) / "bilat-startup-caches"
REPORT = (
    "India's Prime Minister met the President of France in Paris on Tuesday; the two "
    "leaders held talks on defence and trade.\n"
)


def _env(tree: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # Each tree its own gazetteer cache: two revisions' digests differ, and each writer
    # removes the other's file.
    env["BILAT_CACHE_DIR"] = str(_CACHES / str(tree).strip("/").replace("/", "_"))
    if tree != ROOT:  # that tree's packages before this one's (installed in editable mode)
        env["PYTHONPATH"] = str(tree)
    return env


def _wall(cmd: list[str], tree: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=tree, env=_env(tree), capture_output=True, timeout=300, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _first_request(cmd: list[str], tree: Path, base: str) -> float | None:
    urllib.request.urlopen(urllib.request.Request(f"{base}/_reset", method="POST")).read()
    started = time.time()
    subprocess.run(cmd, cwd=tree, env=_env(tree), capture_output=True, timeout=300, check=False)
    first = json.loads(urllib.request.urlopen(f"{base}/_first").read())
    return None if first is None else first - started


def _commands(config: Path, text: Path) -> dict[str, list[str]]:
    bilat = [sys.executable, "-m", "monitor"]
    return {
        "bilat once": [*bilat, "once", "-c", str(config)],
        "bilat check": [*bilat, "check", "-c", str(config)],
        "bilat scan": [*bilat, "scan", str(text)],
    }


def run(quick: bool = False) -> str:
    rounds = 3 if quick else 9
    base_tree = os.environ.get("STARTUP_BASE")
    trees = {"this tree": ROOT}
    if base_tree:
        trees = {"base": Path(base_tree).resolve(), **trees}
    times: dict[tuple[str, str], list[float]] = {}
    cpus: dict[tuple[str, str], list[float]] = {}

    def timed(key: tuple[str, str], cmd: list[str], tree: Path) -> None:
        wall, cpu = _wall(cmd, tree)
        times.setdefault(key, []).append(wall)
        cpus.setdefault(key, []).append(cpu)

    with tempfile.TemporaryDirectory(prefix="bilat-startup-") as tmp, farm(1, None) as port:
        work = Path(tmp)
        base = f"http://127.0.0.1:{port}"
        text = work / "report.txt"
        text.write_text(REPORT, encoding="utf-8")
        urls = work / "urls.txt"
        urls.write_text(f"{base}/f/0.xml\n")
        baselines = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "raw aiohttp loop, 1 URL": [
                *[sys.executable, "-m", "bench.rawloop", "--urls", str(urls)],
                *["--state", str(work / "raw.json")],
            ],
        }
        configs = {}
        for label, tree in trees.items():
            directory = work / label.replace(" ", "-")
            directory.mkdir()
            configs[label] = _commands(_config(directory, [f"{base}/f/0.xml"]), text)
            for cmd in configs[label].values():  # migrate, fill caches; not timed
                _wall(cmd, tree)
        for cmd in baselines.values():
            _wall(cmd, ROOT)
        for _ in range(rounds):
            for name, cmd in baselines.items():
                timed(("baseline", name), cmd, ROOT)
            for label, tree in trees.items():
                for name, cmd in configs[label].items():
                    timed((label, name), cmd, tree)
                first = _first_request(configs[label]["bilat once"], tree, base)
                if first is not None:
                    times.setdefault((label, "bilat once, to its first request"), []).append(first)
    return _report(times, cpus, rounds, list(trees))


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f} (5 min: {five:.1f})"


def _report(
    times: dict[tuple[str, str], list[float]],
    cpus: dict[tuple[str, str], list[float]],
    rounds: int,
    trees: list[str],
) -> str:
    def med(table: dict[tuple[str, str], list[float]], key: tuple[str, str]) -> float | None:
        return statistics.median(table[key]) if key in table else None

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    raw_key = ("baseline", "raw aiohttp loop, 1 URL")
    raw, raw_cpu = med(times, raw_key) or 1.0, med(cpus, raw_key) or 1.0
    lines = [
        "## Start-up of the one-shot commands, 1-source configuration (`bench/startup.py`)",
        "",
        "One loopback feed, a keyword rule, the console notifier, an existing SQLite state; "
        "process start to exit (bytecode caches warm, the gazetteer from its on-disk cache). "
        "Baselines in the same run: the bare interpreter and `bench/rawloop.py` over the same "
        f"URL (import aiohttp, one GET). Medians of {rounds} interleaved rounds; seconds; CPU "
        "is user + system of the process. Load average at the end "
        f"{_load()} on {os.cpu_count()} cores shared with other work: walls stretch with it, "
        "CPU much less.",
        "",
        "| command | "
        + " | ".join(f"{t} wall | {t} CPU" for t in trees)
        + " | wall ÷ raw loop | CPU ÷ raw loop | goal (wall) | met |",
        "|---|" + "---:|---:|" * len(trees) + "---:|---:|---:|---|",
    ]
    for key in [("baseline", "python -c pass"), raw_key]:
        pad = " | |" * (len(trees) - 1)
        ratio = "1.00x | 1.00x" if key == raw_key else " | "
        lines.append(
            f"| {key[1]} | {cell(med(times, key))} | {cell(med(cpus, key))}{pad} | {ratio} | | |"
        )
    names = ["bilat once", "bilat once, to its first request", "bilat check", "bilat scan"]
    labels = {"bilat once, to its first request": "`bilat once`, start to its first request"}
    for name in names:
        cells = [f"{cell(med(times, (t, name)))} | {cell(med(cpus, (t, name)))}" for t in trees]
        wall, cpu = med(times, (trees[-1], name)), med(cpus, (trees[-1], name))
        met = "-" if wall is None else "yes" if wall <= GOAL_S else "no"
        ratios = [
            "-" if wall is None else f"{wall / raw:.2f}x",
            "-" if cpu is None else f"{cpu / raw_cpu:.2f}x",
        ]
        lines.append(
            f"| {labels.get(name, f'`{name}`')} | "
            + " | ".join([*cells, *ratios])
            + f" | <= {GOAL_S} s | {met} |"
        )
    return "\n".join(lines)
