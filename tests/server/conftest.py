"""Fixtures of the endpoint tests: a loopback webhook receiver for the daemon's alerts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web


class Hooks:
    """A loopback webhook receiver: /ok and /two answer 200, /gone 410 (a dead letter)."""

    def __init__(self) -> None:
        self.received: dict[str, list[Any]] = {"/ok": [], "/gone": [], "/two": []}
        self.base = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.received[request.path].append(await request.json())
        return web.Response(status=410 if request.path == "/gone" else 200)

    def headlines(self, path: str) -> list[str]:
        return sorted(str(a["headline"]) for a in self.received[path])


@pytest.fixture
async def hooks() -> AsyncIterator[Hooks]:
    h = Hooks()
    app = web.Application()
    app.router.add_post("/{name}", h.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    h.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield h
    await runner.cleanup()
