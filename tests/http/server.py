"""A real aiohttp server on a loopback address for the HTTP client's tests.

It records every request (path, headers) and counts accepted TCP connections, so tests can
prove that a refused request never reached it, and that conditional headers really arrived.
"""

from __future__ import annotations

import asyncio
import functools
import json
import zlib
from dataclasses import dataclass, field
from email.utils import formatdate

from aiohttp import WSMsgType, web
from aiohttp.typedefs import Handler
from multidict import CIMultiDictProxy

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>'
    b"<item><guid>1</guid><title>Modi meets Albanese</title></item></channel></rss>\n"
)
ETAG = '"feed-v1"'
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)
MiB = 1024 * 1024


@functools.cache
def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed without ever holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MiB)
    parts = [packer.compress(zeros) for _ in range(size // MiB)]
    parts.append(packer.flush())
    return b"".join(parts)


@dataclass
class Seen:
    path: str
    headers: CIMultiDictProxy[str]
    method: str = "GET"
    body: bytes = b""


@dataclass
class LoopbackServer:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Seen] = field(default_factory=list)
    connections: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _server: asyncio.Server | None = None

    def url(self, path: str, host: str | None = None) -> str:
        name = host or (f"[{self.host}]" if ":" in self.host else self.host)
        return f"http://{name}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [seen.path for seen in self.requests]

    async def start(self) -> LoopbackServer:
        app = web.Application()
        app.middlewares.append(self._record)
        app.router.add_route("*", "/feed", self.feed)
        app.router.add_get("/echo", self.echo)
        app.router.add_post("/post", self.post)
        app.router.add_get("/status/{code}", self.status)
        app.router.add_route("*", "/flaky/{key}", self.flaky)
        app.router.add_get("/slow", self.slow)
        app.router.add_get("/big", self.big)
        app.router.add_get("/chunked-big", self.chunked_big)
        app.router.add_get("/bomb", self.bomb)
        app.router.add_get("/gzip", self.gzip)
        app.router.add_get("/html-feed", self.html_feed)
        app.router.add_get("/hold", self.hold)
        app.router.add_route("*", "/redirect/{n}", self.redirect_chain)
        app.router.add_route("*", "/to", self.redirect_to)
        app.router.add_get("/loop/{side}", self.loop)
        app.router.add_get("/lines", self.lines)
        app.router.add_get("/ws", self.websocket)
        app.router.add_get("/ws-busy", self.ws_busy)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        handler_factory = self._runner.server
        assert handler_factory is not None

        def count_connection() -> asyncio.Protocol:
            self.connections += 1
            return handler_factory()

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(count_connection, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        body = await request.read() if request.can_read_body else b""
        self.requests.append(Seen(request.path_qs, request.headers, request.method, body))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await handler(request)
        finally:
            self.in_flight -= 1

    async def feed(self, request: web.Request) -> web.Response:
        validators = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
        if (
            request.headers.get("If-None-Match") == ETAG
            or request.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return web.Response(status=304, headers=validators)
        return web.Response(body=FEED, content_type="application/rss+xml", headers=validators)

    async def echo(self, request: web.Request) -> web.Response:
        return web.json_response({k: v for k, v in request.headers.items()})

    async def post(self, request: web.Request) -> web.Response:
        return web.json_response({"got": json.loads(await request.read())}, status=201)

    async def status(self, request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.query.items()}
        return web.Response(status=int(request.match_info["code"]), headers=headers, text="x")

    async def flaky(self, request: web.Request) -> web.Response:
        """Fails with 500 ``fail`` times per key, then serves the feed."""
        key = request.match_info["key"]
        self.counters[key] = self.counters.get(key, 0) + 1
        if self.counters[key] <= int(request.query.get("fail", "2")):
            return web.Response(status=int(request.query.get("status", "500")), text="down")
        return web.Response(body=FEED, content_type="application/rss+xml")

    async def slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query["delay"]))
        return web.Response(body=FEED)

    async def hold(self, request: web.Request) -> web.Response:
        await asyncio.sleep(0.15)
        return web.Response(text="ok")

    async def big(self, request: web.Request) -> web.Response:
        return web.Response(body=b"a" * int(request.query["size"]))

    async def chunked_big(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(int(request.query["mib"])):
            await response.write(b"b" * MiB)
        await response.write_eof()
        return response

    async def bomb(self, request: web.Request) -> web.Response:
        body = gzip_bomb(int(request.query["mib"]) * MiB)
        return web.Response(
            body=body, headers={"Content-Encoding": "gzip", "Content-Type": "text/xml"}
        )

    async def gzip(self, request: web.Request) -> web.Response:
        packer = zlib.compressobj(6, zlib.DEFLATED, 31)
        body = packer.compress(FEED) + packer.flush()
        return web.Response(
            body=body, headers={"Content-Encoding": "gzip", "Content-Type": "application/xml"}
        )

    async def html_feed(self, request: web.Request) -> web.Response:
        return web.Response(body=FEED, content_type="text/html")

    async def redirect_chain(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        code = int(request.query.get("code", "302"))
        target = f"/redirect/{n - 1}?code={code}" if n > 1 else request.query.get("end", "/feed")
        return web.Response(status=code, headers={"Location": target})

    async def redirect_to(self, request: web.Request) -> web.Response:
        code = int(request.query.get("code", "302"))
        return web.Response(status=code, headers={"Location": request.query["url"]})

    async def loop(self, request: web.Request) -> web.Response:
        other = "b" if request.match_info["side"] == "a" else "a"
        return web.Response(status=302, headers={"Location": f"/loop/{other}"})

    async def lines(self, request: web.Request) -> web.StreamResponse:
        """``count`` lines ``gap`` seconds apart, then (if ``stall``) silence."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        gap = float(request.query.get("gap", "0.05"))
        for i in range(int(request.query.get("count", "3"))):
            await response.write(f"data: {i}\r\n".encode())
            await asyncio.sleep(gap)
        if "stall" in request.query:
            await asyncio.sleep(float(request.query["stall"]))
        await response.write_eof()
        return response

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(f"echo:{msg.data}")
        return ws

    async def ws_busy(self, request: web.Request) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": "7"})
