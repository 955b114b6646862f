"""``python -m bench.pollfarm --feeds N``: N loopback feeds of realistic, meeting-dense,
multilingual news text for the poll-path benchmark (``bench.pollpath``), in its own process.

Feed i has 10 items drawn from the detector benchmark's seeded corpus (news-like texts in 12
languages, a fifth of them reporting a meeting; ``bench.detector.corpus``), each with a
title (its first sentence), an HTML description (one ``<p>`` per sentence), a guid, a link, a
pubDate and an author, and no ``<language>``: bilat has to guess it, as it does for most
real feeds. Strong ETag and Last-Modified per feed; 304 when If-None-Match matches (or
If-Modified-Since is not older). Prints ``READY <port>`` and serves until stdin closes.

``GET /_first`` (not a feed) returns the time (``time.time()``) of the first feed request
since the last ``POST /_reset``, or null: the start-up benchmark's "first poll" clock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import html
import re
import sys
import time
from email.utils import formatdate

from aiohttp import web

ITEMS_PER_FEED = 10
CORPUS = 2000
_SENTENCE = re.compile(r"(?<=[.!?。])\s*")


def build_feeds(count: int, now: float | None = None) -> list[bytes]:
    """The feeds; items are dated within the hours before ``now`` (so they alert: older
    items count as backfill)."""
    from bench.detector import corpus

    texts = corpus(CORPUS)
    now = time.time() if now is None else now
    feeds = []
    for i in range(count):
        items = []
        for j in range(ITEMS_PER_FEED):
            lang, text = texts[(i * ITEMS_PER_FEED + j * 7) % len(texts)]
            sentences = [s for s in _SENTENCE.split(text) if s] or [text]
            title = sentences[0][:140]
            body = "".join(f"<p>{html.escape(s)}</p>" for s in sentences)
            stamp = formatdate(now - 600 * j - 7 * (i % 50), usegmt=True)
            items.append(
                f"<item><title>{html.escape(title)}</title>"
                f"<link>https://news{i % 50}.example.org/{lang}/{i}/{j}.html</link>"
                f'<guid isPermaLink="false">bench-{i}-{j}</guid>'
                f"<pubDate>{stamp}</pubDate><dc:creator>Desk {j}</dc:creator>"
                f"<description>{html.escape(body)}</description></item>"
            )
        feeds.append(
            (
                '<?xml version="1.0" encoding="utf-8"?>\n'
                '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
                f"<title>Wire {i}</title><link>https://news{i % 50}.example.org/</link>"
                f"<description>Feed {i}</description>{''.join(items)}</channel></rss>\n"
            ).encode()
        )
    return feeds


def make_app(feeds: list[bytes]) -> web.Application:
    etags = [f'"{hashlib.sha1(b).hexdigest()[:16]}"' for b in feeds]
    modified = formatdate(time.time() - 60, usegmt=True)
    first: list[float] = []

    async def feed(request: web.Request) -> web.Response:
        if not first:
            first.append(time.time())
        name = request.match_info["name"]
        index = int(name) if name.isdigit() else -1
        if not 0 <= index < len(feeds):
            raise web.HTTPNotFound()
        headers = {"ETag": etags[index], "Last-Modified": modified}
        match = request.headers.get("If-None-Match")
        if match == etags[index] or (match is None and request.headers.get("If-Modified-Since")):
            return web.Response(status=304, headers=headers)
        return web.Response(body=feeds[index], headers=headers, content_type="application/rss+xml")

    async def first_request(_: web.Request) -> web.Response:
        return web.json_response(first[0] if first else None)

    async def reset(_: web.Request) -> web.Response:
        first.clear()
        return web.json_response(True)

    app = web.Application()
    app.router.add_get("/f/{name}.xml", feed)
    app.router.add_get("/_first", first_request)
    app.router.add_post("/_reset", reset)
    return app


async def serve(count: int) -> None:
    runner = web.AppRunner(make_app(build_feeds(count)), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"READY {port}", flush=True)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(Exception):
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
    await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pollfarm")
    parser.add_argument("--feeds", type=int, default=5000)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.feeds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
