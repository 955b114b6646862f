"""Jetstream push source under load: CPU per event and latency to ``emit`` and to an alert
queued by the pipeline, against a raw aiohttp websocket loop that only JSON-decodes each event.

A replay server in a separate process (so its CPU is not ours) sends Jetstream-shaped events
at a fixed rate over a websocket on 127.0.0.1: templates are the real production events in
``tests/fixtures/social/bluesky/jetstream_v1_window_152events.jsonl`` with the ``did``,
``time_us`` (= the send time) and ``rkey`` replaced. Most events come from 50,000 unwatched
accounts; 1 % are posts by the 5 watched accounts. The server ignores ``wantedDids`` (real
Jetstream filters on its side, so a few watched accounts would normally see far fewer events;
this is the worst case: the client filters a full stream itself).

Phase 1 runs ``JetstreamSource.run`` through the project's HTTP client; ``emit`` records, per
post, the time since the message reached ``handle`` (received -> emitted) and since the
server sent it (sent -> emitted, includes the socket and the event loop). Phase 2 runs the
baseline loop on the same stream. Phase 3 runs the source again, feeding the daemon's
pipeline (bilateral-meeting rule, events, alert decisions, SQLite outbox) as ``bilat run``
does, and times message received -> alert queued. CPU is this process's CPU time over each
phase.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

WINDOW = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "fixtures"
    / "social"
    / "bluesky"
    / "jetstream_v1_window_152events.jsonl"
)
WATCHED = [f"did:plc:watched{n:019d}" for n in range(5)]
UNWATCHED = 50_000
WATCHED_SHARE = 0.01
TICK_S = 0.01
# Watched accounts announce meetings (the pipeline phase turns them into alerts): generated
# sentences over these countries, so most posts are a pair not seen before.
COUNTRIES = [
    "India",
    "China",
    "Brazil",
    "Japan",
    "Germany",
    "France",
    "Russia",
    "Indonesia",
    "Australia",
    "Canada",
    "Mexico",
    "Egypt",
    "Nigeria",
    "Kenya",
    "Vietnam",
    "Turkey",
    "Italy",
    "Spain",
    "Argentina",
    "Chile",
]
CITIES = ("Geneva", "Vienna", "Singapore", "Nairobi", "Lima")


def meeting_text(rng: random.Random) -> str:
    a, b = rng.sample(COUNTRIES, 2)
    return (
        f"Foreign Minister of {a} met the Foreign Minister of {b} in {rng.choice(CITIES)} "
        "today. The two sides discussed trade and climate cooperation."
    )


# -- replay server (child process) ---------------------------------------------------------


def _templates() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    events = [json.loads(line) for line in WINDOW.read_text(encoding="utf-8").splitlines()]
    posts = [
        e
        for e in events
        if e.get("commit", {}).get("collection") == "app.bsky.feed.post"
        and e["commit"]["operation"] == "create"
        and "reply" not in e["commit"]["record"]
    ]
    return events, posts


def _serve(port: int, rate: int, duration_s: float, ready: Any) -> None:
    events, posts = _templates()
    rng = random.Random(42)

    def make(watched: bool, n: int) -> str:
        base = rng.choice(posts if watched else events)
        doc = {
            "did": rng.choice(WATCHED)
            if watched
            else f"did:plc:other{rng.randrange(UNWATCHED):018d}",
            "time_us": time.time_ns() // 1000,
            "kind": base["kind"],
        }
        for key in ("commit", "identity", "account"):
            if key in base:
                doc[key] = dict(base[key])
        if "commit" in doc:
            doc["commit"]["rkey"] = f"3bench{n:010d}"
        if watched:
            record = dict(doc["commit"]["record"])
            record["text"] = meeting_text(rng)
            record["langs"] = ["en"]
            record["createdAt"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
            record.pop("facets", None)
            doc["commit"]["record"] = record
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)

    async def subscribe(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        start = time.perf_counter()
        sent = 0
        while (elapsed := time.perf_counter() - start) < duration_s:
            due = int((elapsed + TICK_S) * rate)
            while sent < due:
                await ws.send_str(make(rng.random() < WATCHED_SHARE, sent))
                sent += 1
            await asyncio.sleep(max(0.0, start + sent / rate - time.perf_counter()))
        await ws.send_str(json.dumps({"bench_done": sent}))
        async for _ in ws:  # wait for the client to leave
            pass
        return ws

    async def profiles(request: web.Request) -> web.Response:
        out = [
            {"did": d, "handle": f"watched{i}.example", "displayName": f"Watched {i}"}
            for i, d in enumerate(request.query.getall("actors"))
        ]
        return web.json_response({"profiles": out})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/subscribe", subscribe)
        app.router.add_get("/xrpc/app.bsky.actor.getProfiles", profiles)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Server:
    def __init__(self, rate: int, duration_s: float) -> None:
        self.port = _free_port()
        ctx = multiprocessing.get_context("spawn")
        ready = ctx.Event()
        self.process = ctx.Process(
            target=_serve, args=(self.port, rate, duration_s, ready), daemon=True
        )
        self.process.start()
        if not ready.wait(30):
            raise RuntimeError("the replay server did not start")

    def close(self) -> None:
        self.process.terminate()
        self.process.join(5)


# -- client phases ---------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed_source(port: int) -> Any:
    """A ``JetstreamSource`` on the replay server that notes when each message reaches it
    (``handled_at``) and stops at the server's end marker (``sent``, ``done``)."""
    from adapters.bluesky_jetstream import JetstreamOptions, JetstreamSource

    class Timed(JetstreamSource):
        handled_at = 0.0
        sent = 0
        done: asyncio.Event

        async def handle(self, raw: bytes | str, emit: Any) -> None:
            if isinstance(raw, str) and raw.startswith('{"bench_done"'):
                self.sent = json.loads(raw)["bench_done"]
                self.done.set()
                return
            self.handled_at = time.perf_counter()
            await super().handle(raw, emit)

    source = Timed(
        JetstreamOptions(
            id="bench",
            type="bluesky_jetstream",
            actors=WATCHED,
            url=f"ws://127.0.0.1:{port}/subscribe",
            api_url=f"http://127.0.0.1:{port}/xrpc",
        )
    )
    source.done = asyncio.Event()
    return source


async def _adapter_phase(port: int, duration_s: float) -> dict[str, Any]:
    from monitor.contracts import HttpSettings, SourceCursor
    from monitor.model import Item
    from monitor.net.client import Http

    received_to_emit: list[float] = []
    sent_to_emit: list[float] = []
    source = _timed_source(port)

    async def emit(items: list[Item], cursor: SourceCursor) -> None:
        now = time.perf_counter()
        if items:
            received_to_emit.append(now - source.handled_at)
            sent_to_emit.append(time.time() - int(cursor.cursor or 0) / 1e6)

    async with Http(HttpSettings(allow_private_networks=True)) as http:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        task = asyncio.create_task(source.run(http, SourceCursor(), emit))
        await asyncio.wait_for(source.done.wait(), duration_s + 30)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    events = source.received  # the end marker is not counted
    return {
        "events": events,
        "sent": source.sent,
        "cpu_s": cpu,
        "wall_s": wall,
        "posts": len(received_to_emit),
        "recv_p50": _percentile(received_to_emit, 0.5),
        "recv_p99": _percentile(received_to_emit, 0.99),
        "sent_p50": _percentile(sent_to_emit, 0.5),
        "sent_p99": _percentile(sent_to_emit, 0.99),
    }


async def _pipeline_phase(port: int, duration_s: float) -> dict[str, Any]:
    """The source feeding the daemon's pipeline as ``bilat run`` wires it: every emitted
    batch goes through ``Pipeline.process_items`` (the bilateral-meeting rule, event
    clustering, alert decisions, one SQLite commit) before the next message is read."""
    from monitor.contracts import HttpSettings, SourceCursor
    from monitor.model import Item
    from monitor.net.client import Http
    from monitor.pipeline import Pipeline
    from monitor.store.sqlite import SqliteStore
    from rules import RULES

    to_commit: list[float] = []
    to_queued: list[float] = []
    alerts = [0]
    source = _timed_source(port)

    def on_alerts(ids: list[str]) -> None:  # called right after the commit that queued them
        to_queued.append(time.perf_counter() - source.handled_at)
        alerts[0] += len(ids)

    rule_type = RULES["bilateral_meeting"]
    rule = rule_type(rule_type.Options(id="bilats", type="bilateral_meeting", notify=["desk"]))
    rule.warm()
    with tempfile.TemporaryDirectory() as tmp:
        store = await SqliteStore.open(Path(tmp) / "state.db")
        pipeline = Pipeline(
            store, [rule], notifiers=frozenset({"desk"}), backfill_s=86_400, on_alerts=on_alerts
        )

        async def emit(items: list[Item], cursor: SourceCursor) -> None:
            await pipeline.process_items(source.id, items, cursor)
            if items:
                to_commit.append(time.perf_counter() - source.handled_at)

        try:
            async with Http(HttpSettings(allow_private_networks=True)) as http:
                cpu0 = time.process_time()
                task = asyncio.create_task(source.run(http, SourceCursor(), emit))
                await asyncio.wait_for(source.done.wait(), duration_s + 60)
                cpu = time.process_time() - cpu0
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            events = await store.events(limit=100_000)
        finally:
            await store.close()
    return {
        "events": source.received,
        "sent": source.sent,
        "cpu_s": cpu,
        "posts": len(to_commit),
        "alerts": alerts[0],
        "meetings": len(events),
        "commit_p50": _percentile(to_commit, 0.5),
        "commit_p99": _percentile(to_commit, 0.99),
        "queued_p50": _percentile(to_queued, 0.5),
        "queued_p99": _percentile(to_queued, 0.99),
    }


async def _baseline_phase(port: int, duration_s: float) -> dict[str, Any]:
    import aiohttp

    events = 0
    sent = 0
    async with aiohttp.ClientSession() as session:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        async with session.ws_connect(f"ws://127.0.0.1:{port}/subscribe") as ws:
            async for msg in ws:
                doc = json.loads(msg.data)
                if "bench_done" in doc:
                    sent = doc["bench_done"]
                    break
                events += 1
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"events": events, "sent": sent, "cpu_s": cpu, "wall_s": wall}


def _phase(fn: Any, rate: int, duration_s: float) -> dict[str, Any]:
    server = _Server(rate, duration_s)
    try:
        result: dict[str, Any] = asyncio.run(fn(server.port, duration_s))
        return result
    finally:
        server.close()


def run(quick: bool = False) -> str:
    rate = 2_000
    duration_s = 5.0 if quick else 30.0
    adapter = _phase(_adapter_phase, rate, duration_s)
    baseline = _phase(_baseline_phase, rate, duration_s)
    whole = _phase(_pipeline_phase, rate, duration_s)
    a_us = adapter["cpu_s"] / adapter["events"] * 1e6
    b_us = baseline["cpu_s"] / baseline["events"] * 1e6
    w_us = whole["cpu_s"] / whole["events"] * 1e6
    ms = 1000.0
    lines = [
        "## Jetstream push source (bluesky_jetstream)",
        "",
        f"A replay server in another process sends Jetstream-shaped events (templates: 152 real "
        f"production events) at {rate:,} events/s for {duration_s:g} s over a loopback "
        f"websocket; {WATCHED_SHARE:.0%} are posts by the {len(WATCHED)} watched accounts, the "
        f"rest come from {UNWATCHED:,} others. The server ignores wantedDids (worst case: the "
        "source filters the whole stream itself). Baseline: a raw aiohttp websocket loop that "
        "only json-decodes each event, same stream, same run. CPU = this process's CPU time.",
        "",
        "| | events received / sent | CPU per event | ratio to baseline |",
        "|---|---|---|---|",
        f"| JetstreamSource.run (filter, parse, Item, emit) | {adapter['events']:,} / "
        f"{adapter['sent']:,} | {a_us:.1f} µs | {a_us / b_us:.2f}× |",
        f"| baseline: ws loop + json.loads | {baseline['events']:,} / {baseline['sent']:,} | "
        f"{b_us:.1f} µs | 1.00× |",
        f"| the same source feeding the pipeline (rule, events, alerts, SQLite) | "
        f"{whole['events']:,} / {whole['sent']:,} | {w_us:.1f} µs | {w_us / b_us:.2f}× |",
        "",
        f"Watched posts emitted: {adapter['posts']:,}. Latency to `emit` (p50 / p99): "
        f"message received by the source → emitted {adapter['recv_p50'] * ms:.3f} / "
        f"{adapter['recv_p99'] * ms:.3f} ms; sent by the server → emitted "
        f"{adapter['sent_p50'] * ms:.2f} / {adapter['sent_p99'] * ms:.2f} ms.",
        "",
        "With the pipeline (as `bilat run` wires a push source: each batch is processed and "
        "committed before the next message is read), watched accounts announce meetings "
        f"between {len(COUNTRIES)} countries: {whole['posts']:,} posts became "
        f"{whole['meetings']:,} meetings and {whole['alerts']:,} queued alerts (a post about a "
        "pair and city already seen joins that meeting). Message received by the source → "
        f"alert queued in the outbox (p50 / p99): **{whole['queued_p50'] * ms:.1f} / "
        f"{whole['queued_p99'] * ms:.1f} ms**; → the post's batch committed, alert or not: "
        f"{whole['commit_p50'] * ms:.1f} / {whole['commit_p99'] * ms:.1f} ms.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run(quick=True))
