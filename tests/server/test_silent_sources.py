"""Silent sources (issue 14): a real feed on 127.0.0.1 stops publishing; one operator alert
reaches a real webhook receiver through the outbox, restarts do not repeat it, and a new
item brings one recovery note. On SQLite and PostgreSQL; on PostgreSQL two nodes checking at
once still send one alert."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from monitor.commands import status as status_command
from monitor.daemon import once
from monitor.settings import load_settings
from monitor.watch.notes import RECOVERED_KIND, SILENT_KIND
from tests.conftest import FeedServer, WriteConfig, rss
from tests.server.conftest import Hooks
from tests.server.daemon import Daemon
from tests.server.scrape import parse, value


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return "sqlite:///state/bilat.db"
    return str(request.getfixturevalue("pg_url"))


def _config(write_config: WriteConfig, state: str, feed: str, hooks: Hooks, every: str) -> Path:
    return write_config(
        {
            "monitor": {"state": state, "operator_notify": "ops"},
            "sources": [{"id": "wire", "type": "feed", "url": feed, "expect_every": every}],
            "notifiers": {"ops": {"type": "webhook", "url": hooks.base + "/ok"}},
        }
    )


def _kinds(hooks: Hooks) -> list[str]:
    return [str(a["match"]["kind"]) for a in hooks.received["/ok"]]


async def _status(config: Path) -> dict[str, Any]:
    return await status_command.gather(load_settings(config))


async def test_a_silent_feed_alerts_once_and_notes_its_recovery(
    feed_server: FeedServer, hooks: Hooks, write_config: WriteConfig, state: str
) -> None:
    """`bilat once` runs as cron would: the feed brings an item, then nothing for longer
    than ``expect_every``: one alert; more runs (each a restart) send nothing more while it
    stays silent; a new item: one recovery note, in the alert's event, after it."""
    feed = feed_server.serve("/wire.xml", rss({"guid": "a1", "title": "First"}))
    config = _config(write_config, state, feed, hooks, "1s")

    assert await once(load_settings(config)) == 0
    assert _kinds(hooks) == []
    await asyncio.sleep(1.2)  # longer than expect_every, with no new item
    assert await once(load_settings(config)) == 0
    assert _kinds(hooks) == [SILENT_KIND]
    alert = hooks.received["/ok"][0]
    assert alert["headline"].startswith("bilat: source wire is silent: nothing new for")
    assert "expect_every 1s" in alert["headline"] and "127.0.0.1" not in json.dumps(alert)
    status = await _status(config)
    (wire,) = status["sources"]
    assert wire["silent"] is True and wire["silence_alerted"] is True

    assert await once(load_settings(config)) == 0  # a restart, still silent
    assert _kinds(hooks) == [SILENT_KIND]

    feed_server.serve(
        "/wire.xml", rss({"guid": "a2", "title": "Second"}, {"guid": "a1", "title": "First"})
    )
    assert await once(load_settings(config)) == 0
    assert _kinds(hooks) == [SILENT_KIND, RECOVERED_KIND]
    note = hooks.received["/ok"][1]
    assert "speaks again: a new item after" in note["headline"]
    assert note["event_key"] == alert["event_key"] and note["id"] != alert["id"]
    assert (await _status(config))["sources"][0]["silent"] is False

    assert await once(load_settings(config)) == 0
    assert _kinds(hooks) == [SILENT_KIND, RECOVERED_KIND]


@pytest.mark.postgres
async def test_two_nodes_checking_at_once_send_one_alert(
    feed_server: FeedServer, hooks: Hooks, write_config: WriteConfig, pg_url: str
) -> None:
    """Two runs on one PostgreSQL state poll and check at the same moment: the episode is
    opened once, so the operator hears of it once."""
    feed = feed_server.serve("/wire.xml", rss({"guid": "a1", "title": "First"}))
    config = _config(write_config, pg_url, feed, hooks, "1s")
    assert await once(load_settings(config)) == 0
    await asyncio.sleep(1.2)
    settings = load_settings(config)
    # The node without the notifier's lane lease leaves the alert to the other (its run
    # exits 1: "pending"); the one holding it delivers.
    results = await asyncio.gather(once(settings), once(settings))
    assert 0 in results
    assert _kinds(hooks) == [SILENT_KIND]
    assert await once(settings) == 0  # both saw it silent; nobody sends it again
    assert _kinds(hooks) == [SILENT_KIND]


@pytest.mark.slow
async def test_the_daemon_alerts_once_across_a_restart(
    feed_server: FeedServer, hooks: Hooks, write_config: WriteConfig
) -> None:
    """`bilat run`: the first poll brings an item, then the feed stays quiet past
    ``expect_every``; the ticker's check sends one alert; a restarted daemon, still seeing
    the source silent, sends nothing more."""
    feed = feed_server.serve("/wire.xml", rss({"guid": "a1", "title": "First"}))
    config = _config(write_config, "sqlite:///state/bilat.db", feed, hooks, "2s")
    async with Daemon(config) as daemon:
        event = await daemon.wait_for(lambda e: e["event"] == "source.silent")
        assert event["source_id"] == "wire" and event["operator_notify"] == "ops"
        for _ in range(400):  # the alert's delivery, within 20 s
            if hooks.received["/ok"]:
                break
            await asyncio.sleep(0.05)
        status, metrics = await daemon.get("/metrics")
        assert status == 200 and value(parse(metrics), "bilat_sources_silent") == 1
        assert await daemon.stop() == 0
    assert _kinds(hooks) == [SILENT_KIND]
    async with Daemon(config) as daemon:
        started = await daemon.wait_for(lambda e: e["event"] == "daemon.started")
        assert started["sources"] == 1
        await asyncio.sleep(3.0)  # a dozen checks of the restarted daemon
        assert not [e for e in daemon.events if e["event"] == "source.silent"]
        assert await daemon.stop() == 0
    assert _kinds(hooks) == [SILENT_KIND]
