"""Push sources on several nodes: one node at a time runs a stream (its lease); when that node
dies, another resumes the stream from the committed cursor within one lease TTL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web

from monitor import daemon
from monitor.contracts import EmitItems, HttpClient, HttpSettings, SourceCursor
from monitor.model import Item
from monitor.settings import MonitorSettings, Settings

pytestmark = pytest.mark.postgres

LEASE_S = 1.0


class Ticker:
    """A real streaming server: every connection gets one JSON line per 10 ms, numbered from
    its ``from`` query parameter, until the client goes away."""

    def __init__(self) -> None:
        self.starts: list[int] = []  # the ``from`` of each connection, in order
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> Ticker:
        app = web.Application()
        app.router.add_get("/ticks", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/ticks"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        n = int(request.query.get("from", "0"))
        self.starts.append(n)
        response = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
        await response.prepare(request)
        with contextlib.suppress(ConnectionError):
            while True:
                await response.write(json.dumps({"n": n}).encode() + b"\n")
                n += 1
                await asyncio.sleep(0.01)
        return response


class TickSource:
    """A push source written for this test: each line is an item; the cursor is the next
    number, so a restarted stream (on any node) resumes after what was committed."""

    def __init__(self, url: str) -> None:
        self.id = "ticks"
        self.url = url
        self.runs = 0

    async def run(self, http: HttpClient, cursor: SourceCursor, emit: EmitItems) -> None:
        self.runs += 1
        start = cursor.cursor or "0"
        async for line in http.stream_lines(self.url, params={"from": start}):
            n = json.loads(line)["n"]
            item = Item(id=str(n), source_id=self.id, title=f"tick {n}", text="")
            await emit([item], SourceCursor(cursor=str(n + 1)))


@pytest.fixture
async def ticker() -> AsyncIterator[Ticker]:
    server = await Ticker().start()
    yield server
    await server.stop()


async def until(condition: Callable[[], bool], timeout_s: float) -> None:
    """Poll ``condition`` (the sources count their runs; nothing to wait on)."""
    async with asyncio.timeout(timeout_s):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)


async def test_one_node_streams_and_another_resumes_when_it_dies(
    pg_url: str, ticker: Ticker, tmp_path: Path
) -> None:
    """Two nodes run the same push source: only the lease holder streams; when it dies
    (connections dropped), the other starts within one TTL (+ one retry period), resuming
    at the committed cursor, so no item between the two is lost or stored twice."""
    settings = Settings(
        path=tmp_path / "settings.toml",
        monitor=MonitorSettings(
            state=pg_url,
            allow_private_networks=True,
            http=HttpSettings(allow_private_networks=True),
        ),
    )
    async with daemon.open_runtime(settings) as rt_a, daemon.open_runtime(settings) as rt_b:
        source_a, source_b = TickSource(ticker.url), TickSource(ticker.url)
        task_a = asyncio.create_task(daemon.run_push_source(source_a, rt_a, lease_s=LEASE_S))
        await until(lambda: source_a.runs == 1, 5)
        task_b = asyncio.create_task(daemon.run_push_source(source_b, rt_b, lease_s=LEASE_S))
        try:
            await asyncio.sleep(2 * LEASE_S)  # A renews several times; B keeps waiting
            assert (source_a.runs, source_b.runs) == (1, 0)
            rt_a.store.terminate()  # node A dies without releasing its lease
            died = time.monotonic()
            await until(lambda: source_b.runs == 1, 5)
            took_over_s = time.monotonic() - died
            await asyncio.sleep(0.3)  # B streams for a while
        finally:
            for task in (task_a, task_b):
                task.cancel()
            await asyncio.gather(task_a, task_b, return_exceptions=True)
        assert took_over_s <= LEASE_S + LEASE_S / 3 + 0.5
        assert source_b.runs == 1 and len(ticker.starts) == 2
        resumed_at = ticker.starts[1]
        assert resumed_at > 50  # A had streamed (and committed) for 2 s
        last = int((await rt_b.store.source_state("ticks")).cursor.cursor or 0)
        assert last > resumed_at + 10
        async with rt_b.store.transaction() as tx:  # every tick 0..last-1 stored, none lost
            assert await tx.unseen([f"ticks:{n}" for n in range(last)]) == set()
    print(f"stream takeover after the holder died: {took_over_s:.2f} s (TTL {LEASE_S} s)")
