"""The daemon as a user runs it, for the benchmarks that measure ``bilat run`` itself
(``bench.daemonmem``, ``bench.alertlatency``, ``bench.pgscale``): a configuration of N feeds
on a loopback farm (``bench.pollfarm``), ``bilat run`` in its own process (its endpoint on a
free loopback port, read from its ``server.listening`` line), and what the benchmarks read
from the outside: the resident memory of the process and of its worker processes, the
endpoint's ``/metrics``, the farm's request count. The configuration writer also serves the
benchmarks of ``bilat once`` and of the poll path (``bench.pollpath``, ``bench.pollclient``).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.polling import ROOT, ready_ports

HOSTS = 50  # the farm's ports: each one a host to bilat's per-host connection limit
# The keyword rule's words: meeting words in a few of the farm's languages (``bench.pollfarm``).
KEYWORDS = ["met", "talks", "मुलाकात", "ملاقات", "переговоры", "встретились"]


@contextmanager
def spread_farm(
    feeds: int, *, delay_ms: float = 0, items: int | None = None, hosts: int = HOSTS
) -> Iterator[list[str]]:
    """``bench.pollfarm`` on ``hosts`` ports; yields the feeds' URLs (feed i on port i mod
    hosts; the farm's control routes answer on any of them, ``urls[0]``'s port included)."""
    command = [sys.executable, "-m", "bench.pollfarm", "--feeds", str(feeds)]
    command += ["--delay-ms", str(delay_ms), "--ports", str(hosts)]
    if items is not None:
        command += ["--items", str(items)]
    with ready_ports(command, "farm", stop_s=30) as ports:
        yield [f"http://127.0.0.1:{ports[i % len(ports)]}/f/{i}.xml" for i in range(feeds)]


def farm_port(urls: list[str]) -> int:
    """The port of the farm's control routes (any of its ports)."""
    return int(urls[0].split(":")[2].split("/")[0])


def write_config(
    directory: Path,
    urls: list[str],
    state: str,
    *,
    interval: str | None = "10m",
    server: bool = True,
    log_format: str | None = "json",
    log_level: str | None = None,
    monitor: tuple[str, ...] = (),
    keywords: Sequence[str] = KEYWORDS,
) -> Path:
    """``bilat.toml`` in ``directory``: one feed source per URL (every ``interval``; None:
    bilat's default), a keyword rule over ``keywords`` alerting the console, the endpoint
    on a free loopback port when ``server`` (the daemon's ``server.listening`` line is read
    as JSON: hence the default ``log_format``). ``monitor`` adds lines to ``[monitor]``
    (``http.total_limit = 100`` for a key of ``[monitor.http]``); None leaves a setting out."""
    lines = ["[monitor]", f'state = "{state}"', "allow_private_networks = true"]
    if log_format is not None:
        lines.append(f'log_format = "{log_format}"')
    if log_level is not None:
        lines.append(f'log_level = "{log_level}"')
    lines += [*monitor, ""]
    if server:
        lines += ["[monitor.server]", 'listen = "127.0.0.1:0"', ""]
    for i, url in enumerate(urls):
        lines += ["[[sources]]", f'id = "f{i:05d}"', 'type = "feed"', f'url = "{url}"']
        if interval is not None:
            lines.append(f'interval = "{interval}"')
        lines.append("")
    words = ", ".join(json.dumps(w, ensure_ascii=False) for w in keywords)
    lines += ["[[rules]]", 'id = "meetings"', 'type = "keyword"', f"any = [{words}]"]
    lines += ['notify = ["console"]', "", "[notifiers.console]", 'type = "console"', ""]
    path = directory / "bilat.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass
class Daemon:
    """A running ``bilat run``: its process and its endpoint's URL."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path

    def metrics(self) -> str:
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=30) as response:
            text: str = response.read().decode()
        return text

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def children_rss_mb(self) -> float:
        return sum(rss_mb(pid) for pid in descendants(self.proc.pid))


def _listening(log: Path, proc: subprocess.Popen[bytes], timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"bilat run exited {proc.returncode}: {log.read_text()[-2000:]}")
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if '"server.listening"' in line:
                url: str = json.loads(line)["url"]
                return url
        time.sleep(0.1)
    raise RuntimeError(f"bilat run did not listen within {timeout_s} s")


@contextmanager
def daemons(
    config: Path, count: int = 1, *, env: dict[str, str] | None = None
) -> Iterator[list[Daemon]]:
    """``count`` processes of ``bilat run -c config``, started together (stdout, the
    console's alerts, discarded; stderr to ``node<i>.log`` beside the config), yielded once
    each listens; stopped with SIGTERM on exit."""
    procs: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for n in range(count):
            log = config.parent / f"node{n}.log"
            with log.open("wb") as err:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "monitor", "run", "-c", str(config)],
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    env={**os.environ, **(env or {})},
                )
            procs.append((proc, log))
        yield [Daemon(proc, _listening(log, proc, 120), log) for proc, log in procs]
    finally:
        for proc, _ in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc, _ in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def daemon(config: Path, *, env: dict[str, str] | None = None) -> Iterator[Daemon]:
    """One ``bilat run -c config`` (see ``daemons``)."""
    with daemons(config, 1, env=env) as started:
        yield started[0]


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MiB (0 if it is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (the worker pool's forkserver and workers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def histogram(text: str, name: str) -> list[tuple[float, float]]:
    """The cumulative buckets ``(le, count)`` of histogram ``name`` in a /metrics text."""
    buckets = []
    prefix = f"{name}_bucket{{"
    for line in text.splitlines():
        if line.startswith(prefix):
            labels, value = line[len(prefix) :].rsplit("}", 1)
            le = labels.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float("inf") if le == "+Inf" else float(le), float(value)))
    return sorted(buckets)


def quantile(buckets: list[tuple[float, float]], q: float) -> float:
    """The ``q`` quantile of cumulative ``buckets``, linear within the bucket (as
    Prometheus's ``histogram_quantile``)."""
    total = buckets[-1][1] if buckets else 0.0
    if total <= 0:
        return float("nan")
    rank = q * total
    low, below = 0.0, 0.0
    for le, count in buckets:
        if count >= rank:
            if le == float("inf"):
                return low
            return low + (le - low) * ((rank - below) / max(count - below, 1e-12))
        low, below = le, count
    return low


def farm_get(port: int, path: str) -> object:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return json.loads(response.read())


def farm_post(port: int, path: str, body: object) -> object:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (5 min: {five:.1f})"


def polled(state: Path) -> tuple[int, int]:
    """(sources with a good poll, outbox rows still pending) in a SQLite state."""
    if not state.exists():
        return 0, 0
    db = sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=30)
    try:
        ok = db.execute("SELECT count(*) FROM sources WHERE last_ok_at IS NOT NULL")
        pending = db.execute("SELECT count(*) FROM outbox WHERE state = 'pending'")
        return int(ok.fetchone()[0]), int(pending.fetchone()[0])
    except sqlite3.OperationalError:
        return 0, 0  # not migrated yet
    finally:
        db.close()


def wait_settled(
    run: Daemon, state: Path, sources: int, started: float, timeout_s: float = 900
) -> float:
    """Wait until every source had a good poll and the outbox is drained; the seconds from
    ``started`` (a ``time.monotonic()`` reading) until then."""
    while True:
        ok, pending = polled(state)
        if ok >= sources and pending == 0:
            return time.monotonic() - started
        if time.monotonic() - started > timeout_s or run.proc.poll() is not None:
            raise RuntimeError(f"{sources} sources: {ok} polled, {pending} pending")
        time.sleep(1.0)
