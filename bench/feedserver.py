"""``python -m bench.feedserver --feeds N``: serve N distinct small RSS feeds on loopback for
the polling benchmark, in its own process so its CPU is not counted as the client's.

``GET /feed/<i>`` returns feed i (10 items, about 3 KB) with an ETag, Last-Modified and
Cache-Control; a matching If-None-Match or If-Modified-Since gets a 304. Prints
``READY <port>`` on stdout once listening and serves until stdin closes or it is terminated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from email.utils import formatdate

from aiohttp import web

LAST_MODIFIED = formatdate(1_760_000_000, usegmt=True)
ITEMS_PER_FEED = 10


def feed_body(index: int) -> bytes:
    """Feed ``index``: a small, distinct RSS 2.0 document."""
    items = "".join(
        f"<item><guid isPermaLink='false'>feed{index}-item{n}</guid>"
        f"<title>Foreign ministers of country {index} and country {n} meet in Delhi</title>"
        f"<link>https://news.example/{index}/{n}</link>"
        f"<pubDate>{formatdate(1_760_000_000 - 3600 * n, usegmt=True)}</pubDate>"
        f"<description>The two ministers discussed trade, climate and regional security "
        f"during a bilateral meeting, officials said (feed {index}, story {n}).</description>"
        f"</item>"
        for n in range(ITEMS_PER_FEED)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Bench feed {index}</title><link>https://news.example/{index}</link>"
        f"<description>Synthetic feed {index}</description>{items}</channel></rss>\n"
    ).encode()


def make_handler(count: int) -> web.Server:
    bodies = [feed_body(i) for i in range(count)]
    etags = [f'"f{i}-v1"' for i in range(count)]
    content_type = "application/rss+xml; charset=utf-8"

    async def handle(request: web.BaseRequest) -> web.Response:
        _, _, tail = request.path.rpartition("/")
        if not tail.isdigit() or int(tail) >= count:
            return web.Response(status=404)
        index = int(tail)
        headers = {"ETag": etags[index], "Last-Modified": LAST_MODIFIED}
        if (
            request.headers.get("If-None-Match") == etags[index]
            or request.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = content_type
        headers["Cache-Control"] = "max-age=300"
        return web.Response(body=bodies[index], headers=headers)

    return web.Server(handle, access_log=None)


async def serve(count: int, host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(make_handler(count), host, port, backlog=1024)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # Also stop when the parent goes away (stdin closes).
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not sys.stdin.read(1) else None)
    await stop.wait()
    server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feedserver")
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.feeds, args.host, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
