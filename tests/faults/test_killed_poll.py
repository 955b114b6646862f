"""A poll killed mid-flight does not push its source back: after `kill -9` of `bilat run`
(SQLite) while a feed's response is still coming, the restarted daemon polls that feed again
within seconds, not after the dead run's claim runs out (2 x HTTP timeout + 60 s)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.conftest import WriteConfig, rss
from tests.delivery.conftest import wait_until
from tests.faults.harness import Daemon, start_daemon


class SlowFirstFeed:
    """``/feed.xml`` on 127.0.0.1: the first request hangs, later ones answer at once."""

    def __init__(self) -> None:
        self.requests: list[float] = []  # monotonic times
        self._release = asyncio.Event()  # ends the hanging first answer at shutdown
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> SlowFirstFeed:
        app = web.Application()
        app.router.add_get("/feed.xml", self._feed)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/feed.xml"
        return self

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _feed(self, request: web.Request) -> web.Response:
        self.requests.append(time.monotonic())
        if len(self.requests) == 1:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), 120)
        body = rss({"guid": "g1", "title": "Jaishankar meets envoy"})
        return web.Response(body=body, content_type="application/rss+xml")


@pytest.fixture
async def feed() -> AsyncIterator[SlowFirstFeed]:
    server = await SlowFirstFeed().start()
    yield server
    await server.stop()


async def test_a_poll_killed_mid_flight_is_retried_at_the_next_start(
    write_config: WriteConfig,
    feed: SlowFirstFeed,
    tmp_path: Path,
    record_property: pytest.RecordProperty,
) -> None:
    config = write_config(
        {
            "monitor": {"state": f"sqlite:///{tmp_path / 'bilat.db'}", "workers": 0},
            "sources": [{"id": "slow", "type": "feed", "url": feed.url, "interval": "1h"}],
            "rules": [
                {"id": "kw", "type": "keyword", "any": ["Jaishankar"], "notify": ["console"]}
            ],
        }
    )
    daemon: Daemon | None = None
    try:
        daemon = await start_daemon(config, tmp_path / "first.log")
        await wait_until(lambda: len(feed.requests) >= 1, 60)  # the poll is in flight
        await daemon.kill()
        restarted = time.monotonic()
        daemon = await start_daemon(config, tmp_path / "second.log")
        await wait_until(lambda: len(feed.requests) >= 2, 30)
        waited = feed.requests[1] - restarted
        assert await daemon.stop() == 0
    finally:
        if daemon is not None:
            with contextlib.suppress(ProcessLookupError):
                await daemon.kill()
    # The claim would have run out 2 x 30 s + 60 s after the first request.
    assert waited < 30
    log = (tmp_path / "second.log").read_text(encoding="utf-8")
    assert "schedule.claims_released" in log
    record_property("measured", f"polled again {waited:.1f} s after the restart (claim: 120 s)")
