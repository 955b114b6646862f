"""A webhook stand-in on 127.0.0.1 that counts what reaches the desk: every alert id, in
arrival order, and the most POSTs it ever had in flight at once."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter

from aiohttp import web


class Desk:
    def __init__(self, delay_s: float = 0.02) -> None:
        self.delay_s = delay_s  # each POST takes a moment, so overlapping senders would show
        self.ids: list[str] = []
        self.arrived_at: list[float] = []  # time.monotonic() of each POST, as ``ids``
        self.inflight = 0
        self.max_inflight = 0
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._arrived = asyncio.Condition()

    async def start(self) -> Desk:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def duplicates(self) -> dict[str, int]:
        return {i: n for i, n in Counter(self.ids).items() if n > 1}

    async def wait_for(self, count: int, timeout_s: float) -> None:
        """Until ``count`` POSTs have arrived (TimeoutError after ``timeout_s``)."""
        async with asyncio.timeout(timeout_s), self._arrived:
            await self._arrived.wait_for(lambda: len(self.ids) >= count)

    async def _handle(self, request: web.Request) -> web.Response:
        self.inflight += 1
        self.max_inflight = max(self.max_inflight, self.inflight)
        try:
            body = json.loads(await request.read())
            await asyncio.sleep(self.delay_s)
            async with self._arrived:
                self.ids.append(body["id"])
                self.arrived_at.append(time.monotonic())
                self._arrived.notify_all()
        finally:
            self.inflight -= 1
        return web.Response(status=204)
