"""Long-lived connections (websocket, line streams), POST and the client's lifecycle."""

from __future__ import annotations

import asyncio
import json

import pytest

from monitor.contracts import HttpSettings, NetworkError, RateLimited, ServerError
from monitor.net.client import Http
from tests.http.conftest import MakeHttp
from tests.http.server import FEED, LoopbackServer


async def test_websocket_outlives_request_timeout(
    server: LoopbackServer, make_http: MakeHttp
) -> None:
    """A websocket stays usable past the total request timeout and is closed on exit."""
    http = make_http(timeout=0.3)
    async with http.websocket(server.url("/ws").replace("http://", "ws://")) as ws:
        await asyncio.sleep(0.5)
        await ws.send_str("hi")
        assert (await ws.receive_str()) == "echo:hi"
    assert ws.closed


async def test_websocket_handshake_429(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A refused handshake maps to the same errors as a GET (429 -> RateLimited)."""
    with pytest.raises(RateLimited) as caught:
        async with make_http().websocket(server.url("/ws-busy")):
            pass
    assert caught.value.retry_after_s == 7.0


async def test_stream_lines_yields_lines(server: LoopbackServer, make_http: MakeHttp) -> None:
    """Lines arrive one by one without their endings, past the total timeout."""
    http = make_http(timeout=0.2)
    lines = [line async for line in http.stream_lines(server.url("/lines?count=5&gap=0.08"))]
    assert lines == [f"data: {i}".encode() for i in range(5)]


async def test_stream_lines_idle_timeout(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A stream that goes silent for longer than idle_timeout_s raises NetworkError."""
    http = make_http()
    received: list[bytes] = []
    with pytest.raises(NetworkError, match="timed out"):
        async for line in http.stream_lines(
            server.url("/lines?count=1&stall=5"), idle_timeout_s=0.3
        ):
            received.append(line)
    assert received == [b"data: 0"]


async def test_stream_lines_status_errors(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A stream answered with 503 raises ServerError before yielding anything."""
    with pytest.raises(ServerError):
        async for _ in make_http().stream_lines(server.url("/status/503")):
            pass


async def test_stream_lines_follows_redirect(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A stream behind a redirect is followed like a GET."""
    lines = [
        line async for line in make_http().stream_lines(server.url("/to?url=/lines%3Fcount%3D2"))
    ]
    assert lines == [b"data: 0", b"data: 1"]


async def test_post_json_returns_any_status(server: LoopbackServer, make_http: MakeHttp) -> None:
    """post_json sends JSON and returns error statuses instead of raising, without retrying."""
    http = make_http()
    ok = await http.post_json(server.url("/post"), {"text": "नमस्ते"})
    assert ok.status == 201 and json.loads(ok.body) == {"got": {"text": "नमस्ते"}}
    assert server.requests[0].headers["Content-Type"] == "application/json"
    failed = await http.post_json(server.url("/flaky/p?fail=5"), {})
    assert failed.status == 500 and server.counters["p"] == 1


async def test_one_lazy_session(server: LoopbackServer) -> None:
    """The session is created on first use, reused by every call and closed by the context."""
    async with Http(HttpSettings(allow_private_networks=True, per_host_limit=2)) as http:
        assert http._session is None
        await http.get(server.url("/feed"))
        session = http._session
        await asyncio.gather(*(http.get(server.url("/feed")) for _ in range(5)))
        await http.post_json(server.url("/post"), {})
        assert http._session is session and session is not None
    assert session.closed
    assert server.connections <= 2  # keep-alive: at most per_host_limit connections


async def test_closed_client_refuses(server: LoopbackServer) -> None:
    """After aclose() a request raises NetworkError instead of reopening a session."""
    http = Http(HttpSettings(allow_private_networks=True))
    assert (await http.get(server.url("/feed"))).body == FEED
    await http.aclose()
    with pytest.raises(NetworkError, match="closed"):
        await http.get(server.url("/feed"))
