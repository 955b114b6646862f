"""A real full disk under `bilat run` (the process's file-size limit set to 0 from outside):
no duplicate storm, one error line, polling and delivery paused, recovery without a restart."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from monitor.store import open_store
from tests.conftest import FeedServer, WriteConfig, rss
from tests.delivery.conftest import wait_until
from tests.faults.harness import (
    Receiver,
    disk_freed,
    disk_full,
    events,
    start_daemon,
)

ALERTS = 6
ENV = "BILAT_TEST_FAULT_HOOK"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.stop()


def _config(write_config: WriteConfig, feed_url: str) -> Path:
    return write_config(
        {
            # Parsing inline: the worker pool, started by the first poll, needs a temporary
            # file, which a full disk refuses too (outside this test's subject: the store).
            "monitor": {"startup_spread": 0, "grace_s": 2, "workers": 0},
            "sources": [{"id": "desk", "type": "feed", "url": feed_url, "interval": "1h"}],
            "rules": [{"id": "kw", "type": "keyword", "any": ["Jaishankar"], "notify": ["hook"]}],
            "notifiers": {"hook": {"type": "webhook", "url_env": ENV, "min_interval": 0.05}},
        }
    )


def _feed() -> bytes:
    return rss(
        *({"guid": f"g{n}", "title": f"Jaishankar meets envoy {n:03d}"} for n in range(ALERTS))
    )


async def _outbox_states(tmp_path: Path) -> list[str]:
    store = await open_store(f"sqlite:///{tmp_path / 'state' / 'bilat.db'}")
    try:
        return [row.state for row in await store.outbox()]
    finally:
        await store.close()


async def test_full_disk_during_delivery_sends_each_alert_once_and_resumes(
    feed_server: FeedServer,
    write_config: WriteConfig,
    receiver: Receiver,
    tmp_path: Path,
    record_property: Any,
) -> None:
    """The disk fills while the receiver answers the 2nd POST, so the daemon cannot record
    that it was sent. It keeps the outcome in memory and retries the record, never the
    POST: every alert reaches the receiver exactly once, nothing is POSTed while the disk
    is full, one store.unwritable error line is logged, and delivery resumes by itself when
    space comes back (no restart)."""
    url = feed_server.serve("/desk.xml", _feed())
    config = _config(write_config, url)
    log = tmp_path / "run.log"
    proc = await start_daemon(config, log, {ENV: f"{receiver.url}/hook/tok3n?key=s3cret"})

    def fill(n: int) -> None:
        if n == 2:
            disk_full(proc.pid)

    receiver.before_answer = fill
    try:
        await wait_until(lambda: len(receiver.posts) >= 2, 30)
        await wait_until(lambda: any(e["event"] == "store.unwritable" for e in events(log)), 15)
        await asyncio.sleep(3.0)  # the outage lasts; the daemon must stay quiet meanwhile
        during = list(receiver.posts)
        disk_freed(proc.pid)
        await wait_until(lambda: len(set(receiver.posts)) == ALERTS, 45)
        await asyncio.sleep(1.0)  # nothing more arrives
        assert await proc.stop() == 0
    finally:
        await proc.kill()
    assert len(during) == 2, during  # paused: nothing sent while the store refused writes
    assert max(receiver.counts.values()) == 1, receiver.counts
    assert len(receiver.posts) == ALERTS
    logged = events(log)
    names = [e["event"] for e in logged]
    assert names.count("store.unwritable") == 1
    assert names.count("store.recovered") == 1
    assert "delivery.recorded_late" in names
    unwritable = next(e for e in logged if e["event"] == "store.unwritable")
    assert unwritable["level"] == "error" and "bilat.db" in unwritable["state"]
    assert "free disk space" in unwritable["action"]
    errors = [e for e in logged if e.get("level") in {"error", "critical"}]
    assert [e["event"] for e in errors] == ["store.unwritable"], errors
    assert await _outbox_states(tmp_path) == ["sent"] * ALERTS
    record_property(
        "measured",
        f"{len(receiver.posts)} POSTs for {ALERTS} alerts (max {max(receiver.counts.values())}"
        f" per alert), {len(during)} during the outage, 1 error line, recovered without restart",
    )


async def test_full_disk_during_ingest_pauses_polling_and_decides_only_what_commits(
    write_config: WriteConfig, receiver: Receiver, tmp_path: Path, record_property: Any
) -> None:
    """The disk fills while the feed is being fetched: the poll's commit is refused and
    rolled back, so no alert.decided line is logged for it; once space is back the daemon
    polls the source again by itself and every alert is decided once and delivered once."""
    receiver.feed = _feed()
    config = _config(write_config, f"{receiver.url}/feed.xml")
    log = tmp_path / "run.log"
    proc = await start_daemon(config, log, {ENV: f"{receiver.url}/hook"})

    def fill(n: int) -> None:
        if n == 1:  # full from the moment the first poll is answered
            disk_full(proc.pid)

    receiver.before_feed = fill
    try:
        await wait_until(lambda: receiver.feed_gets >= 1, 30)
        await wait_until(lambda: any(e["event"] == "store.unwritable" for e in events(log)), 15)
        await asyncio.sleep(2.0)
        decided_during = [e for e in events(log) if e["event"] == "alert.decided"]
        posts_during = list(receiver.posts)
        disk_freed(proc.pid)
        await wait_until(lambda: len(set(receiver.posts)) == ALERTS, 60)
        await asyncio.sleep(1.0)
        assert await proc.stop() == 0
    finally:
        await proc.kill()
    assert decided_during == [] and posts_during == []
    names = [e["event"] for e in events(log)]
    assert names.count("store.unwritable") == 1 and names.count("store.recovered") == 1
    assert names.count("alert.decided") == ALERTS
    assert max(receiver.counts.values()) == 1 and len(receiver.posts) == ALERTS
    assert await _outbox_states(tmp_path) == ["sent"] * ALERTS
    record_property(
        "measured",
        f"0 alert.decided while full, {ALERTS} after; {len(receiver.posts)} POSTs for {ALERTS}"
        " alerts; 0 lost",
    )
