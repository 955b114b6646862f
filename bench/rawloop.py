"""``python -m bench.rawloop --urls FILE --state FILE``: the baseline of the poll-path
benchmark: the least a one-shot poller must do, in plain aiohttp.

One pass: GET every URL with up to 100 requests in flight on one keep-alive connector,
sending the If-None-Match / If-Modified-Since learned in earlier passes; on a 200, the item
links are pulled out of the body with a regex (no feed parser, nothing stored but the links).
Validators and seen links live in a JSON file between passes, as a cron job keeps them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from pathlib import Path

import aiohttp

LINK = re.compile(rb"<item>.*?<link>([^<]+)</link>", re.S)
CONCURRENCY = 100


async def poll(urls: list[str], state: dict[str, dict[str, str]], seen: set[str]) -> int:
    """One pass; returns how many new links it found."""
    new = 0
    conn = aiohttp.TCPConnector(limit=CONCURRENCY, limit_per_host=CONCURRENCY)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as session:
        slots = asyncio.Semaphore(CONCURRENCY)

        async def one(url: str) -> None:
            nonlocal new
            headers = {}
            known = state.get(url, {})
            if "etag" in known:
                headers["If-None-Match"] = known["etag"]
            if "modified" in known:
                headers["If-Modified-Since"] = known["modified"]
            async with slots, session.get(url, headers=headers) as response:
                if response.status != 200:
                    return
                body = await response.read()
                state[url] = {
                    k: v
                    for k, v in (
                        ("etag", response.headers.get("ETag")),
                        ("modified", response.headers.get("Last-Modified")),
                    )
                    if v
                }
                for link in LINK.findall(body):
                    text = link.decode()
                    if text not in seen:
                        seen.add(text)
                        new += 1

        await asyncio.gather(*(one(u) for u in urls))
    return new


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rawloop")
    parser.add_argument("--urls", type=Path, required=True)
    parser.add_argument("--state", type=Path, required=True)
    args = parser.parse_args(argv)
    urls = args.urls.read_text().split()
    saved = json.loads(args.state.read_text()) if args.state.exists() else {}
    state, seen = saved.get("validators", {}), set(saved.get("seen", []))
    new = asyncio.run(poll(urls, state, seen))
    args.state.write_text(json.dumps({"validators": state, "seen": sorted(seen)}))
    print(json.dumps({"new_links": new}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
