"""The outbox delivery worker against a real loopback "desk" endpoint: order, pacing,
retries with Retry-After, outages, dead letters, and a worker killed mid-send."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from monitor import render
from monitor.contracts import FetchError, HttpSettings
from monitor.delivery import DeliveryWorker
from monitor.model import Alert, Item, Match, ReportRef
from monitor.net.client import Http
from monitor.notifiers import NOTIFIERS
from monitor.notifiers.base import Delivery, NotifierOptions
from monitor.notifiers.console import ConsoleNotifier, ConsoleOptions, format_alert
from monitor.store.sqlite import SqliteStore
from tests.conftest import captured_logs


@dataclass
class Desk:
    """A loopback HTTP endpoint that receives alerts and answers as scripted."""

    received: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    script: list[tuple[int, dict[str, str], float]] = field(default_factory=list)
    port: int = 0
    runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append((time.monotonic(), body))
        status, headers, delay = self.script.pop(0) if self.script else (200, {}, 0.0)
        if delay:
            await asyncio.sleep(delay)
        if status == 200:
            return web.json_response({"ok": True, "ts": f"ts-{body['id']}"})
        return web.Response(status=status, headers=headers, text="nope")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def ids(self) -> list[str]:
        return [body["id"] for _, body in self.received]


class DeskNotifier:
    """A minimal webhook notifier (a plugin written for these tests) using the real client."""

    def __init__(self, name: str, http: Http, url: str) -> None:
        self.name = name
        self.http = http
        self.url = url

    async def send(self, alert: Alert, *, parent_remote_id: str | None = None) -> Delivery:
        try:
            response = await self.http.post_json(
                self.url, {"id": alert.id, "parent": parent_remote_id}
            )
        except FetchError as exc:
            return Delivery("retry", detail=str(exc))
        if response.status == 200:
            return Delivery("sent", remote_id=json.loads(response.body)["ts"])
        if response.status == 429:
            return Delivery("retry", "429", retry_after_s=float(response.headers["Retry-After"]))
        if response.status >= 500:
            return Delivery("retry", f"HTTP {response.status}")
        return Delivery("dead", f"HTTP {response.status}: invalid_payload")

    async def aclose(self) -> None:
        return None


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    d = Desk()
    app = web.Application()
    app.router.add_post("/hook", d.handle)
    d.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await d.runner.setup()
    site = web.TCPSite(d.runner, "127.0.0.1", 0)
    await site.start()
    d.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield d
    await d.runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[Http]:
    client = Http(HttpSettings(allow_private_networks=True, timeout=5), retry_attempts=1)
    yield client
    await client.aclose()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "state.db")
    yield s
    await s.close()


def make_alert(n: int, notifier: str = "desk", parent_id: str | None = None) -> Alert:
    item = Item(
        id=f"i{n}", source_id="feed", title=f"Story {n}", text="", url=f"https://x.invalid/{n}"
    )
    match = Match(
        rule_id="kw",
        item_key=item.key,
        kind="keyword",
        summary=f"Story {n}",
        evidence=(f"Evidence sentence {n}.",),
    )
    kind = "update" if parent_id else "new"
    return Alert(
        id=Alert.make_id(notifier, "kw", match.key, kind),
        notifier=notifier,
        rule_id="kw",
        kind=kind,
        event_key=match.key,
        headline=f"Story {n}",
        match=match,
        report=ReportRef.of(item),
        created_at=datetime.now(UTC),
        parent_id=parent_id,
    )


async def queue(store: SqliteStore, *alerts: Alert) -> None:
    async with store.transaction() as tx:
        await tx.add_alerts(list(alerts))


def worker(store: SqliteStore, http: Http, desk: Desk, **options: Any) -> DeliveryWorker:
    opts = NotifierOptions(type="desk", **options)
    return DeliveryWorker(
        store,
        {"desk": (DeskNotifier("desk", http, desk.url), opts)},
        retry_base_s=0.05,
        retry_cap_s=0.2,
    )


async def wait_until(predicate: Any, limit_s: float = 10.0) -> None:
    deadline = time.monotonic() + limit_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def test_delivers_in_order_with_pacing(store: SqliteStore, http: Http, desk: Desk) -> None:
    """Rows go out in creation order, one at a time, at most one per min_interval."""
    alerts = [make_alert(n) for n in range(5)]
    await queue(store, *alerts)
    report = await worker(store, http, desk, min_interval=0.15).drain(deadline_s=10)
    assert report.sent == 5 and desk.ids() == [a.id for a in alerts]
    gaps = [b[0] - a[0] for a, b in zip(desk.received, desk.received[1:], strict=False)]
    assert min(gaps) >= 0.14
    rows = await store.outbox()
    assert all(r.state == "sent" and r.remote_id == f"ts-{r.alert.id}" for r in rows)


async def test_outage_delays_but_loses_nothing(store: SqliteStore, http: Http, desk: Desk) -> None:
    """A desk down for a while: rows retry with backoff (alerts of different events do not
    wait for each other), then every alert arrives exactly once; one delivery.failing and
    one delivery.recovered line."""
    alerts = [make_alert(n) for n in range(3)]
    await queue(store, *alerts)
    desk.script = [(503, {}, 0.0)] * 4
    w = worker(store, http, desk)
    with captured_logs() as logs:
        w.start()
        await wait_until(lambda: len({*desk.ids()}) == 3 and len(desk.received) == 7)
        await asyncio.sleep(0.1)
        await w.stop(grace_s=1)
    assert desk.ids()[0] == alerts[0].id  # the oldest goes first
    assert sorted(desk.ids()[4:]) == sorted(a.id for a in alerts)  # then each once, when up
    events = [e["event"] for e in logs]
    assert events.count("delivery.failing") == 1 and events.count("delivery.recovered") == 1
    rows = await store.outbox()
    assert sum(r.attempts for r in rows) == 7 and all(r.state == "sent" for r in rows)


async def test_retry_after_is_honoured(store: SqliteStore, http: Http, desk: Desk) -> None:
    """429 with Retry-After waits at least that long before the next attempt."""
    await queue(store, make_alert(1))
    desk.script = [(429, {"Retry-After": "0.5"}, 0.0)]
    report = await worker(store, http, desk).drain(deadline_s=5)
    assert report.sent == 1 and len(desk.received) == 2
    assert desk.received[1][0] - desk.received[0][0] >= 0.5


async def test_permanent_error_is_dead_lettered_and_the_queue_moves_on(
    store: SqliteStore, http: Http, desk: Desk
) -> None:
    """A permanent error dead-letters the row with one error line; later rows still go."""
    a, b = make_alert(1), make_alert(2)
    await queue(store, a, b)
    desk.script = [(400, {}, 0.0)]
    with captured_logs() as logs:
        report = await worker(store, http, desk).drain(deadline_s=5)
    assert (report.sent, report.dead) == (1, 1)
    dead = [e for e in logs if e["event"] == "delivery.dead"]
    assert len(dead) == 1 and dead[0]["alert_id"] == a.id and dead[0]["log_level"] == "error"
    assert "invalid_payload" in dead[0]["reason"]
    first = (await store.outbox())[0]
    assert (first.state, first.last_error) == ("dead", "HTTP 400: invalid_payload")


async def test_retrying_stops_after_retry_for(store: SqliteStore, http: Http, desk: Desk) -> None:
    """A destination failing for longer than retry_for dead-letters the row (no endless loop)."""
    await queue(store, make_alert(1))
    desk.script = [(503, {}, 0.0)] * 100
    report = await worker(store, http, desk, retry_for=0.3).drain(deadline_s=5)
    assert report.dead == 1
    row = (await store.outbox())[0]
    assert row.state == "dead" and "gave up after retrying" in (row.last_error or "")
    assert 2 <= len(desk.received) < 20


async def test_worker_killed_mid_send_repeats_at_most_that_message(
    store: SqliteStore, http: Http, desk: Desk
) -> None:
    """Cancelled while a send is in flight, the row stays pending; the next worker sends it
    (the desk may see that one message twice) and nothing is lost."""
    a, b = make_alert(1), make_alert(2)
    await queue(store, a, b)
    desk.script = [(200, {}, 1.5)]  # the first send hangs
    first = worker(store, http, desk)
    first.start()
    await wait_until(lambda: len(desk.received) == 1)
    await first.stop(grace_s=0.1)  # the shutdown deadline passes mid-send
    assert [r.state for r in await store.outbox()] == ["pending", "pending"]
    report = await worker(store, http, desk).drain(deadline_s=5)
    assert report.sent == 2
    assert desk.ids() == [a.id, a.id, b.id]


async def test_updates_get_the_parents_remote_id(
    store: SqliteStore, http: Http, desk: Desk
) -> None:
    """An alert with a parent is sent with the remote id stored when the parent was sent."""
    parent = make_alert(1)
    child = make_alert(2, parent_id=parent.id)
    await queue(store, parent, child)
    await worker(store, http, desk).drain(deadline_s=5)
    assert [body["parent"] for _, body in desk.received] == [None, f"ts-{parent.id}"]


async def test_console_notifier_prints_a_readable_block(store: SqliteStore) -> None:
    """The console notifier writes the shared console rendering (headline, facts, evidence,
    source and link) after a separator line; it is registered."""
    assert NOTIFIERS["console"] is ConsoleNotifier
    out = io.StringIO()
    notifier = ConsoleNotifier("console", ConsoleOptions(type="console"), None, stream=out)
    alert = make_alert(7, notifier="console")
    await queue(store, alert)
    w = DeliveryWorker(store, {"console": (notifier, notifier.options)})
    assert (await w.drain(deadline_s=5)).sent == 1
    text = out.getvalue()
    assert text == format_alert(alert) == f"{'─' * 72}\n{render.console(alert)}\n"
    lines = text.splitlines()
    assert lines[1] == "Story 7"
    for part in ("rule kw", "“Evidence sentence 7.”", "(feed)", "https://x.invalid/7"):
        assert part in text
