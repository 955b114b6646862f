"""``Http.get`` against a real loopback server: validators, status mapping, retries, caps,
compression, timeouts, headers and the per-host limit."""

from __future__ import annotations

import asyncio
import time
import tracemalloc

import pytest
from structlog.testing import capture_logs

from monitor import PROJECT_URL, __version__
from monitor.contracts import (
    ClientError,
    NetworkError,
    RateLimited,
    ResponseTooLarge,
    ServerError,
)
from monitor.net.client import DEFAULT_USER_AGENT
from monitor.net.ssrf import StaticResolver
from tests.http.conftest import MakeHttp
from tests.http.server import ETAG, FEED, LAST_MODIFIED, LoopbackServer, MiB, gzip_bomb


async def test_etag_round_trip(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A 200 carries the ETag; sending it back yields a 304 response, not an error."""
    http = make_http()
    first = await http.get(server.url("/feed"))
    assert first.status == 200 and first.body == FEED
    assert first.headers["ETag"] == ETAG
    second = await http.get(server.url("/feed"), etag=first.headers["ETag"])
    assert second.not_modified and second.body == b""
    assert server.requests[1].headers["If-None-Match"] == ETAG
    assert "If-None-Match" not in server.requests[0].headers


async def test_last_modified_round_trip(server: LoopbackServer, make_http: MakeHttp) -> None:
    """Last-Modified sent back arrives as If-Modified-Since and yields a 304."""
    http = make_http()
    first = await http.get(server.url("/feed"))
    response = await http.get(server.url("/feed"), last_modified=first.headers["Last-Modified"])
    assert response.status == 304
    assert server.requests[1].headers["If-Modified-Since"] == LAST_MODIFIED
    assert "If-None-Match" not in server.requests[1].headers


async def test_stale_validator_gets_full_body(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A validator the server no longer matches gets a normal 200 with the body."""
    response = await make_http().get(server.url("/feed"), etag='"old"')
    assert response.status == 200 and response.body == FEED


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("17", 17.0), ("Wed, 21 Oct 2099 07:28:00 GMT", None)],
)
async def test_429_retry_after_forms(
    server: LoopbackServer, make_http: MakeHttp, retry_after: str, expected: float | None
) -> None:
    """429 raises RateLimited with Retry-After read as seconds or as an HTTP-date; no retry."""
    http = make_http()
    with pytest.raises(RateLimited) as caught:
        await http.get(server.url(f"/status/429?Retry-After={retry_after}"))
    wait = caught.value.retry_after_s
    assert caught.value.status == 429 and wait is not None
    if expected is not None:
        assert wait == expected
    else:  # an HTTP-date far in the future: decades of seconds
        assert wait > 60 * 60 * 24 * 365 * 50
    assert len(server.requests) == 1


async def test_429_rate_limit_reset_headers(server: LoopbackServer, make_http: MakeHttp) -> None:
    """Without Retry-After, x-rate-limit-reset (Unix time) gives the wait."""
    reset = int(time.time()) + 90
    with pytest.raises(RateLimited) as caught:
        await make_http().get(server.url(f"/status/429?x-rate-limit-reset={reset}"))
    assert caught.value.retry_after_s is not None
    assert 85 <= caught.value.retry_after_s <= 91


async def test_500_is_retried_then_succeeds(server: LoopbackServer, make_http: MakeHttp) -> None:
    """Two 500s then a 200: the GET retries quickly and returns the 200 (3 requests)."""
    with capture_logs() as logs:
        response = await make_http().get(server.url("/flaky/a?fail=2"))
    assert response.status == 200 and response.body == FEED
    assert server.counters["a"] == 3
    assert [e["event"] for e in logs if e["event"] == "http.retry"] == ["http.retry"] * 2


async def test_500_exhausts_retries(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A server that keeps failing raises ServerError after 3 attempts in all."""
    with pytest.raises(ServerError) as caught:
        await make_http().get(server.url("/flaky/b?fail=99"))
    assert caught.value.status == 500 and caught.value.transient
    assert server.counters["b"] == 3


async def test_503_with_long_retry_after_not_retried(
    server: LoopbackServer, make_http: MakeHttp
) -> None:
    """A 5xx asking for a longer pause than a quick retry is raised at once, with the wait."""
    with pytest.raises(ServerError) as caught:
        await make_http().get(server.url("/status/503?Retry-After=120"))
    assert caught.value.retry_after_s == 120.0
    assert len(server.requests) == 1


@pytest.mark.parametrize("code", [400, 401, 403, 404, 410])
async def test_4xx_is_client_error_without_retry(
    server: LoopbackServer, make_http: MakeHttp, code: int
) -> None:
    """Other 4xx raise ClientError (not transient) after a single request."""
    with pytest.raises(ClientError) as caught:
        await make_http().get(server.url(f"/status/{code}"))
    assert caught.value.status == code and not caught.value.transient
    assert len(server.requests) == 1


async def test_connection_refused_is_network_error(make_http: MakeHttp) -> None:
    """A closed port raises NetworkError after the quick retries."""
    srv = await LoopbackServer().start()
    url = srv.url("/feed")
    await srv.stop()
    with capture_logs() as logs, pytest.raises(NetworkError):
        await make_http().get(url)
    assert sum(e["event"] == "http.retry" for e in logs) == 2


async def test_slow_response_times_out(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A response slower than the total timeout raises NetworkError, and is not retried."""
    http = make_http(timeout=0.3)
    started = time.monotonic()
    with pytest.raises(NetworkError, match="timed out"):
        await http.get(server.url("/slow?delay=2"))
    assert time.monotonic() - started < 1.5
    assert len(server.requests) == 1


async def test_stalled_body_hits_read_timeout(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A body that stops arriving fails after read_timeout, well before the total timeout."""
    http = make_http(timeout=10, read_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(NetworkError, match="timed out"):
        await http.get(server.url("/lines?count=1&stall=5"))
    assert time.monotonic() - started < 3


async def test_per_call_timeout(server: LoopbackServer, make_http: MakeHttp) -> None:
    """timeout_s overrides the configured total timeout for one call."""
    http = make_http(timeout=10)
    with pytest.raises(NetworkError):
        await http.get(server.url("/slow?delay=2"), timeout_s=0.2)
    assert (await http.get(server.url("/slow?delay=0.05"))).status == 200


async def test_oversized_plain_body(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A body above the cap raises ResponseTooLarge; one at the cap is returned."""
    http = make_http(max_body=MiB)
    with pytest.raises(ResponseTooLarge):
        await http.get(server.url(f"/big?size={MiB + 1}"))
    assert len((await http.get(server.url(f"/big?size={MiB}"))).body) == MiB


async def test_oversized_chunked_body(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A chunked body (no Content-Length) is cut off once it passes the cap."""
    http = make_http(max_body=MiB)
    with pytest.raises(ResponseTooLarge):
        await http.get(server.url("/chunked-big?mib=8"))


async def test_max_bytes_per_call(server: LoopbackServer, make_http: MakeHttp) -> None:
    """max_bytes overrides the configured cap for one call."""
    with pytest.raises(ResponseTooLarge):
        await make_http().get(server.url("/big?size=5000"), max_bytes=4096)


async def test_gzip_bomb_is_not_inflated(server: LoopbackServer, make_http: MakeHttp) -> None:
    """A 256 MiB gzip bomb (~250 KB on the wire) stops at the 1 MiB cap without allocating
    the inflated body."""
    assert len(gzip_bomb(256 * MiB)) < MiB  # built (and cached) before tracing starts
    http = make_http(max_body=MiB)
    await http.get(server.url("/feed"))  # session and connection set up outside the trace
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge):
            await http.get(server.url("/bomb?mib=256"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The server builds its ~250 KB bomb in the same process; the client may hold the cap
    # plus a few decompression chunks, far from 256 MiB.
    assert peak < 16 * MiB


async def test_gzip_accepted_and_decoded(server: LoopbackServer, make_http: MakeHttp) -> None:
    """gzip/deflate are offered and a gzip body is returned decompressed."""
    response = await make_http().get(server.url("/gzip"))
    assert response.body == FEED
    assert server.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


async def test_wrong_content_type_passed_through(
    server: LoopbackServer, make_http: MakeHttp
) -> None:
    """A feed served as text/html is returned as is; judging it is the adapter's job."""
    response = await make_http().get(server.url("/html-feed"))
    assert response.body == FEED
    assert response.content_type is not None and response.content_type.startswith("text/html")


async def test_user_agent_default_and_configured(
    server: LoopbackServer, make_http: MakeHttp
) -> None:
    """The default User-Agent names bilat, its version and URL; the setting replaces it."""
    assert f"bilat/{__version__} (+{PROJECT_URL})" == DEFAULT_USER_AGENT
    sent = (await make_http().get(server.url("/echo"))).body
    assert f'"User-Agent": "{DEFAULT_USER_AGENT}"'.encode() in sent
    custom = await make_http(user_agent="desk-monitor/2").get(server.url("/echo"))
    assert b'"User-Agent": "desk-monitor/2"' in custom.body


async def test_headers_and_params_are_sent(server: LoopbackServer, make_http: MakeHttp) -> None:
    """Caller headers and query params reach the server."""
    await make_http().get(server.url("/echo"), headers={"X-Api": "1"}, params={"q": "a b"})
    assert server.requests[0].headers["X-Api"] == "1"
    assert server.requests[0].path == "/echo?q=a+b"


async def test_per_host_limit_enforced(server: LoopbackServer, make_http: MakeHttp) -> None:
    """Eight concurrent GETs to one host never have more than per_host_limit in flight."""
    http = make_http(per_host_limit=2)
    await asyncio.gather(*(http.get(server.url("/hold")) for _ in range(8)))
    assert len(server.requests) == 8
    assert server.max_in_flight == 2
    assert http._slots.in_use() == 0  # idle hosts leave no semaphore behind


async def test_per_host_limit_is_per_host(server: LoopbackServer, make_http: MakeHttp) -> None:
    """Two host names get their own slots: up to 2 x 2 requests in flight together."""
    names = {"a.example": "127.0.0.1", "b.example": "127.0.0.1"}
    http = make_http(per_host_limit=2, http_kw={"resolver": StaticResolver(names)})
    await asyncio.gather(
        *(http.get(server.url("/hold", host=name)) for name in names for _ in range(4))
    )
    assert server.max_in_flight == 4
    assert {s.headers["Host"] for s in server.requests} == {
        f"{name}:{server.port}" for name in names
    }


async def test_secrets_not_in_errors_or_logs(server: LoopbackServer, make_http: MakeHttp) -> None:
    """An Authorization header and a token in the query appear in no message or log line."""
    with capture_logs() as logs, pytest.raises(ServerError) as caught:
        await make_http().get(
            server.url("/status/500?access_token=s3cr3t-q"),
            headers={"Authorization": "Bearer s3cr3t-h"},
        )
    assert server.requests[0].headers["Authorization"] == "Bearer s3cr3t-h"
    text = f"{caught.value} {caught.value.url} {logs}"
    assert "access_token=***" in text
    assert "s3cr3t" not in text
