"""FeedSource.poll against a real aiohttp server on 127.0.0.1 through the real HTTP client:
conditional GET, 304 without parsing, validators, server and <ttl> delays, options."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

import pytest
from aiohttp import web
from pydantic import ValidationError

import adapters.feed
from adapters import ADAPTERS
from adapters.feed import THREAD_PARSE_BYTES, FeedError, FeedSource
from monitor.contracts import HttpSettings, SourceCursor
from monitor.net.client import Http
from tests.adapters.feedfiles import body

ETAG = '"bbc-v1"'
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


@dataclass
class FeedServer:
    """Serves fixture feeds; answers 304 when the client's validators match."""

    base: str = ""
    seen: list[dict[str, str]] = field(default_factory=list)
    big: bytes = b""

    async def bbc(self, request: web.Request) -> web.Response:
        self.seen.append(dict(request.headers))
        headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED, "Cache-Control": "max-age=1200"}
        if request.headers.get("If-None-Match") == ETAG:
            return web.Response(status=304, headers=headers)
        return web.Response(
            body=body("news/bbc_news_world_2022.rss.xml"),
            headers={**headers, "Content-Type": "application/rss+xml; charset=utf-8"},
        )

    async def hindi(self, request: web.Request) -> web.Response:
        self.seen.append(dict(request.headers))
        return web.Response(body=body("seed_hindi.rss.xml"), content_type="application/rss+xml")

    async def html(self, request: web.Request) -> web.Response:
        return web.Response(
            text="<!DOCTYPE html><html><body>Moved</body></html>", content_type="text/html"
        )

    async def large(self, request: web.Request) -> web.Response:
        return web.Response(body=self.big, content_type="application/rss+xml")


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    items = "".join(
        f"<item><guid>n{n}</guid><title>item {n}</title><description>{'word ' * 120}"
        "</description></item>"
        for n in range(600)
    )
    server.big = f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    app = web.Application()
    app.router.add_get("/bbc.xml", server.bbc)
    app.router.add_get("/hindi.xml", server.hindi)
    app.router.add_get("/html", server.html)
    app.router.add_get("/large.xml", server.large)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.base = f"http://127.0.0.1:{port}"
    yield server
    await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[Http]:
    async with Http(HttpSettings(allow_private_networks=True), retry_attempts=1) as client:
        yield client


def source(url: str, **options: Any) -> FeedSource:
    opts = FeedSource.Options.model_validate({"id": "bbc", "type": "feed", "url": url, **options})
    return FeedSource.from_options(opts)


async def test_200_then_304(
    feed_server: FeedServer, http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    """First poll: items, validators and the server's delay; second poll sends the
    validators back, gets 304, returns no items and the same cursor, and parses nothing."""
    calls: list[int] = []
    real_parse = adapters.feed.parse_feed

    def counting_parse(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(adapters.feed, "parse_feed", counting_parse)
    feed = source(f"{feed_server.base}/bbc.xml")

    first = await feed.poll(http, SourceCursor(cursor="kept"))
    assert (first.http_status, first.not_modified, first.fetched) == (200, False, 67)
    assert len(first.items) == 67 and first.items[0].source_id == "bbc"
    assert first.items[0].title == "Rare Sumatran rhino gives birth after eight miscarriages"
    assert first.cursor == SourceCursor(etag=ETAG, last_modified=LAST_MODIFIED, cursor="kept")
    assert first.min_delay_s == 1200.0  # max(Cache-Control max-age 1200 s, <ttl> 15 min)
    assert "If-None-Match" not in feed_server.seen[0]
    assert len(calls) == 1

    second = await feed.poll(http, first.cursor)
    assert feed_server.seen[1]["If-None-Match"] == ETAG
    assert feed_server.seen[1]["If-Modified-Since"] == LAST_MODIFIED
    assert (second.http_status, second.not_modified, second.items) == (304, True, [])
    assert second.cursor is first.cursor
    assert second.min_delay_s == 1200.0
    assert len(calls) == 1  # no parse on 304


async def test_ttl_and_source_options(feed_server: FeedServer, http: Http) -> None:
    """Without cache headers the feed's <ttl> sets the delay; lang and official options
    reach the items; no validators from the server means none kept."""
    feed = source(f"{feed_server.base}/hindi.xml", lang="hi-IN", official=True)
    result = await feed.poll(http, SourceCursor(etag='"stale"'))
    assert result.min_delay_s == 900.0
    assert result.cursor == SourceCursor()
    item = result.items[0]
    assert (item.lang, item.official, item.id) == ("hi-in", True, "bilat-seed-hi-2025-04-02")
    assert item.url == "https://bilat.invalid/hindi/jaishankar-meets-wang-yi-astana"


async def test_html_instead_of_a_feed_raises(feed_server: FeedServer, http: Http) -> None:
    """An HTML page where the feed should be is a FeedError (a ValueError) from poll."""
    with pytest.raises(FeedError, match="an HTML page"):
        await source(f"{feed_server.base}/html").poll(http, SourceCursor())


async def test_large_body_is_parsed_off_the_loop(feed_server: FeedServer, http: Http) -> None:
    """A body above THREAD_PARSE_BYTES is parsed in a worker thread, with the same result."""
    assert len(feed_server.big) > THREAD_PARSE_BYTES
    result = await source(f"{feed_server.base}/large.xml").poll(http, SourceCursor())
    assert len(result.items) == 600 and result.items[599].title == "item 599"


@pytest.mark.parametrize(
    "options",
    [
        {"url": "ftp://example.org/feed.xml"},
        {"url": "file:///etc/passwd"},
        {"url": "https:///no-host"},
        {"url": "https://example.org/feed", "headers": {"X": "1"}},  # unknown key
        {},  # url missing
    ],
)
def test_options_are_validated(options: dict[str, Any]) -> None:
    """Only http(s) URLs with a host are accepted, and unknown keys are errors."""
    with pytest.raises(ValidationError):
        FeedSource.Options.model_validate({"id": "x", "type": "feed", **options})


def test_the_quick_url_check_accepts_only_what_urlsplit_accepts() -> None:
    """The pattern that spares most URLs ``urlsplit`` never lets through one it refuses:
    same answers over invented near-misses (case, user info, brackets, ports, blanks)."""
    from urllib.parse import urlsplit

    heads = ["http://", "https://", "HTTP://", "http:/", "http:///", "http://[", "http://@", ""]
    tails = ["", "a", "a.b", "a:80", "a:", ":80", "a/x y", "a/x", "a?q#f", "a@b", "[::1]", "é"]
    for head in heads:
        for tail in tails:
            for path in ("", "/f/1.xml", "/[x]"):
                url = head + tail + path
                try:  # a ValueError is a refusal too (a validation error)
                    parts = urlsplit(url)
                    slow = parts.scheme in ("http", "https") and bool(parts.hostname)
                except ValueError:
                    slow = False
                assert slow or not adapters.feed._PLAIN_HTTP_URL.fullmatch(url), url


def test_registered_as_feed() -> None:
    """The source type is registered under 'feed' with a minimum interval."""
    assert ADAPTERS["feed"] is FeedSource
    assert FeedSource.type_name == "feed" and FeedSource.min_interval == 60.0
    feed = source("https://example.org/rss.xml", interval="15m")
    assert (feed.id, feed.url, feed.options.interval) == (
        "bbc",
        "https://example.org/rss.xml",
        900.0,
    )
