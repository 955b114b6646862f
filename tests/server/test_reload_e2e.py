"""Done-when of the operations issue: a running `bilat run` reloaded with a broken file keeps
its old configuration (one error line, the reload metric at 0), then with a good file that
adds a source and removes another: the new source is polled, the removed one is not (though
it falls due), and the poll in flight during the reloads is not lost."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FeedServer, WriteConfig, rss, run_cli
from tests.server.conftest import Hooks
from tests.server.daemon import Daemon
from tests.server.scrape import parse, value

PATHS = {"hook": "ok", "two": "two"}
B_DUE_IN_S = 20.0  # the removed source falls due this long after the test starts the daemon


def _config(feeds: dict[str, str], hooks: Hooks, notify: list[str]) -> dict[str, Any]:
    return {
        "monitor": {"startup_spread": 0},
        "sources": [{"id": sid, "type": "feed", "url": url} for sid, url in feeds.items()],
        "rules": [{"id": "jai", "type": "keyword", "any": ["Jaishankar"], "notify": notify}],
        "notifiers": {
            name: {"type": "webhook", "url": f"{hooks.base}/{PATHS[name]}"} for name in notify
        },
    }


def _due(config: Path, **due_in_s: float) -> None:
    """Set sources' next due times in the stopped daemon's SQLite state."""
    with sqlite3.connect(config.parent / "state" / "bilat.db") as db:
        for sid, delay in due_in_s.items():
            db.execute(
                "UPDATE sources SET next_due_at = ? WHERE source_id = ?", (time.time() + delay, sid)
            )


def _titles(hooks: Hooks, path: str) -> list[str]:
    return sorted(str(a["report"]["title"]) for a in hooks.received[path])


async def _metric(daemon: Daemon, name: str) -> float:
    status, text = await daemon.get("/metrics")
    assert status == 200
    return value(parse(text), name)


@pytest.mark.slow
async def test_reload_keeps_the_old_config_on_error_and_applies_a_good_one(
    feed_server: FeedServer, hooks: Hooks, write_config: WriteConfig
) -> None:
    """Broken file: one error line, metric 0, the old config keeps running. Good file: source
    C added and polled, source B removed and never polled again, the rule notifies a new
    notifier, and A's poll that was in flight through both reloads is delivered."""
    feeds = {
        "a": feed_server.serve("/a.xml", rss({"guid": "a1", "title": "Jaishankar in Doha"})),
        "b": feed_server.serve("/b.xml", rss({"guid": "b1", "title": "Jaishankar in Rome"})),
    }
    config = write_config(_config(feeds, hooks, ["hook"]))
    seeded = await run_cli("once", "-c", str(config))
    assert seeded.returncode == 0, seeded.stderr
    assert _titles(hooks, "/ok") == ["Jaishankar in Doha", "Jaishankar in Rome"]

    # A has news, answered slowly: its poll is in flight while the reloads happen. B falls
    # due a little later, after it has been removed.
    feed_server.serve(
        "/a.xml",
        rss(
            {"guid": "a1", "title": "Jaishankar in Doha"},
            {"guid": "a2", "title": "Jaishankar in Oslo"},
        ),
        delay_s=4.0,
    )
    _due(config, a=0, b=B_DUE_IN_S)
    b_polls = len(feed_server.requests_for("/b.xml"))
    started = time.monotonic()
    async with Daemon(config) as daemon:
        await daemon.url()
        while len(feed_server.requests_for("/a.xml")) < 2:  # the daemon's A poll began
            assert time.monotonic() - started < 15, daemon.events
            await asyncio.sleep(0.05)

        # 1. A broken file: the old configuration stays.
        good = config.read_text()
        config.write_text(good.replace('type = "keyword"', 'type = "keyword"\nanyy = ["x"]'))
        mark = len(daemon.events)
        daemon.signal(signal.SIGHUP)
        failed = await daemon.wait_for(lambda e: e["event"] == "config.reload_failed", after=mark)
        assert 'field "anyy"' in failed["error"]
        errors = [e for e in daemon.events[mark:] if e.get("level") == "error"]
        assert errors == [failed]
        assert await _metric(daemon, "bilat_config_last_reload_successful") == 0
        assert await daemon.get("/readyz") == (200, "ready\n")

        # 2. A good file: C added, B removed, the rule also notifies a new notifier, "two".
        feeds_now = {
            "a": feeds["a"],
            "c": feed_server.serve("/c.xml", rss({"guid": "c1", "title": "Jaishankar in Lima"})),
        }
        config.write_text(_toml(write_config, _config(feeds_now, hooks, ["hook", "two"])))
        status, text = await daemon.post("/-/reload")
        assert status == 200, text
        assert "sources_added=c" in text and "sources_removed=b" in text
        assert "notifiers_added=two" in text
        assert await _metric(daemon, "bilat_config_last_reload_successful") == 1
        reloaded_after = time.monotonic() - started
        assert reloaded_after < B_DUE_IN_S - 3, "the machine is too slow for this test's timing"

        # C is polled at once and alerts both notifiers; A's in-flight poll is delivered.
        deadline = time.monotonic() + 20
        while not (
            "Jaishankar in Lima" in _titles(hooks, "/two")
            and "Jaishankar in Oslo" in _titles(hooks, "/ok")
        ):
            assert time.monotonic() < deadline, (hooks.received, daemon.events)
            await asyncio.sleep(0.1)
        # B falls due and is not polled.
        await asyncio.sleep(max(0.0, B_DUE_IN_S + 2 - (time.monotonic() - started)))
        assert len(feed_server.requests_for("/b.xml")) == b_polls
        assert await daemon.stop() == 0
    assert _titles(hooks, "/ok") == [
        "Jaishankar in Doha",
        "Jaishankar in Lima",
        "Jaishankar in Oslo",
        "Jaishankar in Rome",
    ]
    assert len(feed_server.requests_for("/c.xml")) == 1
    assert not [e for e in daemon.events if e.get("level") == "error" and e is not failed]


def _toml(write_config: WriteConfig, doc: dict[str, Any]) -> str:
    """The text write_config would write for ``doc`` (its test defaults included)."""
    return write_config(doc, name="next.toml").read_text()
