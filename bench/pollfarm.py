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

``--delay-ms D`` holds every feed response D ms before answering (a slow origin: the
scale-out benchmark's I/O-bound load); ``--items N`` serves N items per feed instead of 10.
``POST /_fresh`` with a JSON list of feed indices puts a new item about a meeting at the top
of each of those feeds (new guid, new ETag), so their next poll brings one new matching item
(the alert latency benchmark); ``GET /_count`` returns how many feed requests were answered
(304s included). ``--ports P`` listens on P ports (``READY <port> <port> ...``), every feed on
each: a client keeps its per-host limits per port, so feed i on port i mod P spreads the feeds
over P "hosts", as real ones are.
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


def build_feeds(
    count: int, now: float | None = None, items_per_feed: int = ITEMS_PER_FEED
) -> list[bytes]:
    """The feeds; items are dated within the hours before ``now`` (so they alert: older
    items count as backfill)."""
    from bench.detector import corpus

    texts = corpus(CORPUS)
    now = time.time() if now is None else now
    feeds = []
    for i in range(count):
        items = []
        for j in range(items_per_feed):
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


FRESH_TITLE = "Foreign ministers of India and France met in Paris for talks, update {n}"


def fresh_item(index: int, n: int) -> bytes:
    """The ``n``-th injected item of feed ``index``: dated now, matching the bench's rule."""
    title = FRESH_TITLE.format(n=n)
    return (
        f"<item><title>{title}</title>"
        f"<link>https://news{index % 50}.example.org/fresh/{index}/{n}.html</link>"
        f'<guid isPermaLink="false">fresh-{index}-{n}</guid>'
        f"<pubDate>{formatdate(time.time(), usegmt=True)}</pubDate>"
        f"<description>&lt;p&gt;{title}.&lt;/p&gt;</description></item>"
    ).encode()


def make_app(feeds: list[bytes], delay_ms: float = 0.0) -> web.Application:
    feeds = list(feeds)
    etags = [f'"{hashlib.sha1(b).hexdigest()[:16]}"' for b in feeds]
    modified = formatdate(time.time() - 60, usegmt=True)
    first: list[float] = []
    answered = [0]
    injected = [0]

    async def feed(request: web.Request) -> web.Response:
        if not first:
            first.append(time.time())
        name = request.match_info["name"]
        index = int(name) if name.isdigit() else -1
        if not 0 <= index < len(feeds):
            raise web.HTTPNotFound()
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        answered[0] += 1
        headers = {"ETag": etags[index], "Last-Modified": modified}
        match = request.headers.get("If-None-Match")
        if match == etags[index] or (match is None and request.headers.get("If-Modified-Since")):
            return web.Response(status=304, headers=headers)
        return web.Response(body=feeds[index], headers=headers, content_type="application/rss+xml")

    async def fresh(request: web.Request) -> web.Response:
        indices = [i for i in await request.json() if 0 <= i < len(feeds)]
        for index in indices:
            injected[0] += 1
            head, sep, tail = feeds[index].partition(b"<item>")
            feeds[index] = head + fresh_item(index, injected[0]) + sep + tail
            etags[index] = f'"{hashlib.sha1(feeds[index]).hexdigest()[:16]}"'
        return web.json_response(len(indices))

    async def count(_: web.Request) -> web.Response:
        return web.json_response(answered[0])

    async def first_request(_: web.Request) -> web.Response:
        return web.json_response(first[0] if first else None)

    async def reset(_: web.Request) -> web.Response:
        first.clear()
        return web.json_response(True)

    app = web.Application()
    app.router.add_get("/f/{name}.xml", feed)
    app.router.add_get("/_first", first_request)
    app.router.add_post("/_reset", reset)
    app.router.add_post("/_fresh", fresh)
    app.router.add_get("/_count", count)
    return app


async def serve(
    count: int, delay_ms: float = 0.0, items: int = ITEMS_PER_FEED, ports: int = 1
) -> None:
    feeds = build_feeds(count, items_per_feed=items)
    runner = web.AppRunner(make_app(feeds, delay_ms), access_log=None)
    await runner.setup()
    bound = []
    for _ in range(ports):
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        bound.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
    print("READY " + " ".join(map(str, bound)), flush=True)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(Exception):
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
    await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pollfarm")
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--items", type=int, default=ITEMS_PER_FEED, help="items per feed")
    parser.add_argument("--ports", type=int, default=1, help="ports: hosts to a client")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.feeds, args.delay_ms, args.items, args.ports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
