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
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.pollpath import ROOT, _config, farm

GOAL_S = 0.5
REPORT = (
    "India's Prime Minister met the President of France in Paris on Tuesday; the two "
    "leaders held talks on defence and trade.\n"
)


def _env(tree: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if tree != ROOT:  # that tree's packages before this one's (installed in editable mode)
        env["PYTHONPATH"] = str(tree)
    return env


def _wall(cmd: list[str], tree: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=tree, env=_env(tree), capture_output=True, timeout=300, check=False)
    return time.perf_counter() - t0


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
                times.setdefault(("baseline", name), []).append(_wall(cmd, ROOT))
            for label, tree in trees.items():
                for name, cmd in configs[label].items():
                    times.setdefault((label, name), []).append(_wall(cmd, tree))
                first = _first_request(configs[label]["bilat once"], tree, base)
                if first is not None:
                    times.setdefault((label, "bilat once, to its first request"), []).append(first)
    return _report(times, rounds, list(trees))


def _load() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.1f} (5 min: {five:.1f})"


def _report(times: dict[tuple[str, str], list[float]], rounds: int, trees: list[str]) -> str:
    raw = statistics.median(times[("baseline", "raw aiohttp loop, 1 URL")])
    interp = statistics.median(times[("baseline", "python -c pass")])
    lines = [
        "## Start-up of the one-shot commands, 1-source configuration (`bench/startup.py`)",
        "",
        "One loopback feed, a keyword rule, the console notifier, an existing SQLite state; "
        "process start to exit (bytecode caches warm, the gazetteer from its on-disk cache). "
        "Baselines in the same run: the bare interpreter and `bench/rawloop.py` over the same "
        f"URL (import aiohttp, one GET). Medians of {rounds} interleaved rounds; load average "
        f"at the end {_load()} on {os.cpu_count()} cores shared with other work.",
        "",
        "| command | " + " | ".join(trees) + " | ÷ raw loop | goal | met |",
        "|---|" + "---:|" * len(trees) + "---:|---:|---|",
        f"| `python -c pass` | {interp:.3f} s" + " |" * (len(trees) - 1) + " | | | |",
        f"| raw aiohttp loop, 1 URL | {raw:.3f} s" + " |" * (len(trees) - 1) + " | 1.00x | | |",
    ]
    names = ["bilat once", "bilat once, to its first request", "bilat check", "bilat scan"]
    for name in names:
        cells = [
            f"{statistics.median(times[(t, name)]):.3f} s" if (t, name) in times else "-"
            for t in trees
        ]
        ours = times.get((trees[-1], name))
        mine = statistics.median(ours) if ours else float("nan")
        met = "yes" if mine <= GOAL_S else "no"
        lines.append(
            f"| `{name}` | " + " | ".join(cells) + f" | {mine / raw:.2f}x | <= {GOAL_S} s | {met} |"
        )
    return "\n".join(lines)
