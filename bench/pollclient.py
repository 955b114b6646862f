"""``python -m bench.pollclient --mode bilat|raw ...``: one client process of the polling
benchmark. Polls every feed once (200 + parse), then again with validators (all 304), and
prints one JSON object: wall time and process CPU per pass, and the process's peak RSS.

``bilat`` goes through our HTTP client (``poll_once``: ``Http.get`` with validators, the SSRF
guard on with loopback exempted, per-host slots, size cap). ``daemon`` is the whole poll path
of ``bilat once``: the store's source state, ``FeedSource.poll`` (conditional GET +
``parse_feed``), the keyword rule and the pipeline's SQLite transaction per poll. ``raw`` is
the baseline: a bare aiohttp session doing the same requests with the same connection limits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import fastfeedparser

from bench.daemonrun import write_config
from monitor.contracts import HttpSettings
from monitor.daemon import _sync_schedule, open_runtime
from monitor.logs import configure_logging
from monitor.net.client import Http
from monitor.net.ssrf import StaticResolver
from monitor.settings import load_settings
from monitor.warmup import settle_heap

TOTAL_LIMIT = 100
PER_HOST_LIMIT = 2


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None


def parse_body(body: bytes) -> int:
    """Parse one feed body and return its entry count.

    The one place the parser is named: switch to ``adapters.feed.parse_feed`` when it lands.
    """
    return len(fastfeedparser.parse(body).entries)


async def poll_once(http: Http, url: str, validators: Validators) -> Validators:
    """One poll through our client: conditional GET, no parse on 304."""
    response = await http.get(url, etag=validators.etag, last_modified=validators.last_modified)
    if response.not_modified:
        return validators
    parse_body(response.body)
    return Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))


async def raw_poll_once(
    session: aiohttp.ClientSession, slot: asyncio.Semaphore, url: str, validators: Validators
) -> Validators:
    """The baseline: the same poll with a bare aiohttp session; ``slot`` is the host's
    semaphore (aiohttp's own ``limit_per_host`` costs more CPU with thousands of waiters)."""
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    async with slot, session.get(url, headers=headers) as resp:
        body = await resp.read()
        if resp.status == 304:
            return validators
        resp.raise_for_status()
        parse_body(body)
        return Validators(resp.headers.get("ETag"), resp.headers.get("Last-Modified"))


def feed_urls(feeds: int, hosts: int, port: int) -> tuple[list[str], dict[str, str]]:
    """Feed URLs spread over ``hosts`` public-looking names pinned to 127.0.0.1."""
    names = [f"h{k}.feeds.bench.example" for k in range(hosts)]
    urls = [f"http://{names[i % hosts]}:{port}/feed/{i}" for i in range(feeds)]
    return urls, dict.fromkeys(names, "127.0.0.1")


async def _pass(
    poll: Callable[[str, Validators], Awaitable[Validators]],
    urls: list[str],
    state: list[Validators],
) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    results = await asyncio.gather(*(poll(url, v) for url, v in zip(urls, state, strict=True)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    state[:] = results
    return {"wall_s": wall, "cpu_s": cpu}


async def run_client(
    mode: str, feeds: int, hosts: int, port: int, passes: int
) -> dict[str, object]:
    urls, pinned = feed_urls(feeds, hosts, port)
    state = [Validators()] * feeds
    out: dict[str, object] = {"mode": mode, "feeds": feeds}
    if mode == "bilat":
        settings = HttpSettings(per_host_limit=PER_HOST_LIMIT, total_limit=TOTAL_LIMIT)
        async with Http(
            settings, resolver=StaticResolver(pinned), allow_networks=["127.0.0.1/32"]
        ) as http:

            async def poll(url: str, v: Validators) -> Validators:
                return await poll_once(http, url, v)

            out["full"] = await _pass(poll, urls, state)
            out["conditional"] = [await _pass(poll, urls, state) for _ in range(passes)]
    else:
        connector = aiohttp.TCPConnector(limit=TOTAL_LIMIT, resolver=StaticResolver(pinned))
        slots = {name: asyncio.Semaphore(PER_HOST_LIMIT) for name in pinned}
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=30)
        ) as session:

            async def raw(url: str, v: Validators) -> Validators:
                host = url.split("/", 3)[2].split(":")[0]
                return await raw_poll_once(session, slots[host], url, v)

            out["full"] = await _pass(raw, urls, state)
            out["conditional"] = [await _pass(raw, urls, state) for _ in range(passes)]
    if any(v.etag is None for v in state):
        raise SystemExit("a feed came back without validators: the pass did not complete")
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def write_daemon_config(directory: Path, urls: list[str]) -> Path:
    """A bilat config with one feed source per URL, the clients' HTTP limits and a keyword
    rule every bench item matches (the items predate the backfill window: no alert)."""
    return write_config(
        directory,
        urls,
        "sqlite:///state.db",
        interval=None,
        server=False,
        log_format=None,
        log_level="info",
        monitor=(
            f"concurrency = {TOTAL_LIMIT}",
            f"http.per_host_limit = {PER_HOST_LIMIT}",
            f"http.total_limit = {TOTAL_LIMIT}",
        ),
        keywords=["bilateral meeting"],
    )


async def run_daemon_client(feeds: int, hosts: int, port: int, passes: int) -> dict[str, object]:
    """The poll path of ``bilat once`` over every feed: a full pass, then conditional ones."""
    urls, pinned = feed_urls(feeds, hosts, port)
    out: dict[str, object] = {"mode": "daemon", "feeds": feeds}
    with (
        tempfile.TemporaryDirectory() as tmp,
        open(os.devnull, "w", encoding="utf-8") as sink,  # noqa: ASYNC230 - /dev/null
    ):
        settings = load_settings(write_daemon_config(Path(tmp), urls))
        # As the daemon logs: a canonical JSON line per poll (written to /dev/null here).
        configure_logging("info", "json", stream=sink)
        http = Http(
            settings.monitor.http, resolver=StaticResolver(pinned), allow_networks=["127.0.0.1/32"]
        )
        async with http, open_runtime(settings, http=http) as rt:
            settle_heap(rt.pipeline.rules)  # as `bilat once` and `bilat run` do
            await _sync_schedule(rt, spread=False)
            slots = asyncio.Semaphore(settings.monitor.concurrency)
            ids = list(rt.polled)

            async def poll(sid: str) -> bool:
                async with slots:
                    return await rt.poller.poll(sid)

            async def one_pass() -> dict[str, float]:
                wall, cpu = time.perf_counter(), time.process_time()
                ok = await asyncio.gather(*(poll(sid) for sid in ids))
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                if not all(ok):
                    raise SystemExit(f"{ok.count(False)} polls failed in the daemon pass")
                return {"wall_s": wall, "cpu_s": cpu}

            out["full"] = await one_pass()
            out["conditional"] = [await one_pass() for _ in range(passes)]
            states = await rt.store.source_states()
            if sum(s.last_status == "304" for s in states.values()) != feeds:
                raise SystemExit("the conditional pass did not get 304 for every feed")
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pollclient")
    parser.add_argument("--mode", choices=["bilat", "daemon", "raw"], required=True)
    parser.add_argument("--feeds", type=int, default=5000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--passes", type=int, default=3, help="conditional passes")
    args = parser.parse_args(argv)
    if args.mode == "daemon":
        result = asyncio.run(run_daemon_client(args.feeds, args.hosts, args.port, args.passes))
    else:
        result = asyncio.run(run_client(args.mode, args.feeds, args.hosts, args.port, args.passes))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
