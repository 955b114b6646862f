"""Real processes and real receivers for the fault tests: a `bilat run` subprocess with its
JSON log in a file, a loopback webhook receiver that counts every POST per alert, and a
full disk made real with the process's file-size limit (``RLIMIT_FSIZE``, set on the running
process from outside, as ``prlimit --pid`` does: every write that would grow a file fails,
exactly like a full volume, and raising the limit again heals it without a restart)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from monitor.store import OutboxRow, open_store
from tests.conftest import ROOT, cli_env, rss


class Daemon:
    """A `bilat run -c config` subprocess. Its output goes through a pipe, copied to ``log``
    by this process: a file-size limit on the daemon (``disk_full``) must not silence it."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc = proc
        self.log = log
        self._copy = asyncio.create_task(self._copy_output())

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def returncode(self) -> int | None:
        return self.proc.returncode

    async def _copy_output(self) -> None:
        assert self.proc.stdout is not None
        with self.log.open("ab") as out:
            async for line in self.proc.stdout:
                out.write(line)
                out.flush()

    async def stop(self, timeout_s: float = 20.0) -> int:
        """SIGTERM, then wait; kill if it does not stop in time. Returns the exit code."""
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), timeout_s)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        await self._copy
        assert self.proc.returncode is not None
        return self.proc.returncode

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        await self._copy


async def start_daemon(config: Path, log: Path, env: Mapping[str, str] | None = None) -> Daemon:
    """`bilat run -c config`, its output copied into ``log``."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "monitor",
        "run",
        "-c",
        str(config),
        cwd=ROOT,
        env=cli_env(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    return Daemon(proc, log)


def events(log: Path) -> list[dict[str, Any]]:
    """The JSON log lines of a daemon's log file."""
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


async def logged(daemon: Daemon, event: str, timeout_s: float = 60.0) -> None:
    """Wait until ``daemon`` has logged ``event`` (its first line of that name)."""
    limit = time.monotonic() + timeout_s
    while not any(e.get("event") == event for e in events(daemon.log)):
        assert daemon.returncode is None, f"the daemon exited before {event}"
        assert time.monotonic() < limit, f"no {event} in {timeout_s:.0f} s"
        await asyncio.sleep(0.05)


def disk_full(pid: int) -> None:
    """Make every file write of process ``pid`` that needs room fail (EFBIG), like a full disk."""
    _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, hard))


def disk_freed(pid: int) -> None:
    """Give process ``pid`` its room back."""
    _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (hard, hard))


class Receiver:
    """A webhook endpoint on 127.0.0.1 counting POSTs per alert (``X-Bilat-Delivery``), and
    a feed at ``/feed.xml``; ``before_answer`` (POSTs) and ``before_feed`` (GETs) run before
    each answer, to break things at an exact moment. ``retry_after`` goes out as a
    ``Retry-After`` header with every 429 and 503; with ``hang_first_s`` the first POST of
    each alert stalls that long and then answers 503 (its client gave up: never delivered)."""

    def __init__(self) -> None:
        self.posts: list[str] = []
        self.before_answer: Callable[[int], Awaitable[None] | None] | None = None
        self.status = 200
        self.status_for: Callable[[str], int] | None = None  # by alert id
        self.retry_after: str | None = None
        self.hang_first_s = 0.0
        self.answers: list[tuple[str, int, float]] = []  # (alert id, status, monotonic)
        self.parents: dict[str, str] = {}  # alert id -> its parent's, from the JSON body
        self.feed = b""
        self.feed_gets = 0
        self.before_feed: Callable[[int], None] | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def counts(self) -> Counter[str]:
        return Counter(self.posts)

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        app.router.add_get("/feed.xml", self._feed)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _feed(self, request: web.Request) -> web.Response:
        self.feed_gets += 1
        if self.before_feed is not None:
            self.before_feed(self.feed_gets)
        return web.Response(body=self.feed, content_type="application/rss+xml")

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        alert_id = request.headers.get("X-Bilat-Delivery", "?")
        with contextlib.suppress(ValueError, AttributeError):
            parent = json.loads(body).get("parent_id")
            if parent:
                self.parents[alert_id] = parent
        self.posts.append(alert_id)
        hang = self.hang_first_s if self.posts.count(alert_id) == 1 else 0.0  # before any await
        if self.before_answer is not None:
            result = self.before_answer(len(self.posts))
            if result is not None:
                await result
        if hang:
            await asyncio.sleep(hang)
            status = 503
        else:
            status = self.status_for(alert_id) if self.status_for is not None else self.status
        self.answers.append((alert_id, status, time.monotonic()))
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        return web.Response(
            status=status, text="ok", headers=headers if status in (429, 503) else None
        )

    def delivered(self) -> list[str]:
        """Alert ids answered 2xx, in order."""
        return [a for a, status, _ in self.answers if 200 <= status < 300]

    def out_of_order(self) -> list[str]:
        """Updates POSTed (any answer) before their parent was first answered 2xx: order
        per event is kept when this is empty. A parent never delivered counts against every
        POST of its updates."""
        first_ok: dict[str, int] = {}
        for n, (alert_id, status, _) in enumerate(self.answers):
            if 200 <= status < 300:
                first_ok.setdefault(alert_id, n)
        return [
            alert_id
            for n, (alert_id, _, _) in enumerate(self.answers)
            if alert_id in self.parents and first_ok.get(self.parents[alert_id], n) >= n
        ]


class FeedFarm:
    """``/feed/<n>.xml`` on 127.0.0.1, ``items`` items each that a keyword rule on "meets"
    matches; when each feed was fetched (``fetched`` by source id ``feed-<n>``, and the last
    fetch on the monotonic clock). With ``reports`` (a function of the feed's number and the
    item's), each item is that (title, description) instead."""

    def __init__(
        self, items: int = 1, reports: Callable[[int, int], tuple[str, str]] | None = None
    ) -> None:
        self.items = items
        self.reports = reports
        self.fetched: dict[str, list[datetime]] = defaultdict(list)
        self.last_fetch = 0.0
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> FeedFarm:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", self._feed)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _feed(self, request: web.Request) -> web.Response:
        self.last_fetch = time.monotonic()
        n = request.match_info["n"]
        self.fetched[f"feed-{n}"].append(datetime.now(UTC))
        if self.reports is not None:
            texts = (self.reports(int(n), i) for i in range(self.items))
            body = rss(
                *(
                    {"guid": f"g{n}-{i}", "title": title, "description": text}
                    for i, (title, text) in enumerate(texts)
                )
            )
        elif self.items == 1:
            body = rss({"guid": f"g{n}", "title": f"Jaishankar meets envoy {n}"})
        else:
            body = rss(
                *(
                    {"guid": f"g{n}-{i}", "title": f"Jaishankar meets envoy {n} number {i}"}
                    for i in range(self.items)
                )
            )
        return web.Response(body=body, content_type="application/rss+xml")


async def outbox_rows(tmp_path: Path) -> list[OutboxRow]:
    """The outbox of a daemon whose state is ``tmp_path/state/bilat.db``, read beside it."""
    store = await open_store(f"sqlite:///{tmp_path / 'state' / 'bilat.db'}")
    try:
        return await store.outbox(limit=1000)
    finally:
        await store.close()


async def until_settled(
    tmp_path: Path, rows: int, limit_s: float, seen: Callable[[OutboxRow], None]
) -> list[OutboxRow]:
    """Read the daemon's outbox every 50 ms until it holds ``rows`` rows, each sent or dead;
    ``seen`` gets every row of every read (a dead-lettering is timed to that step). The
    last read; fails after ``limit_s`` with the states so far."""
    limit = time.monotonic() + limit_s
    while True:
        final = await outbox_rows(tmp_path)
        for row in final:
            seen(row)
        if len(final) == rows and all(r.state in {"sent", "dead"} for r in final):
            return final
        assert time.monotonic() < limit, Counter((r.notifier, r.state) for r in final)
        await asyncio.sleep(0.05)
