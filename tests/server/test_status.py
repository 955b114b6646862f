"""`bilat status`: per source the last poll, outcome, items, failing since and next due; the
outbox per notifier; on PostgreSQL who holds which lease — read from the state, no daemon."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from monitor.model import utcnow
from monitor.store import open_store
from tests.conftest import FeedServer, WriteConfig, rss, run_cli
from tests.server.conftest import Hooks


async def test_status_after_a_run_without_a_daemon(
    feed_server: FeedServer, hooks: Hooks, write_config: WriteConfig
) -> None:
    """After `bilat once` (no daemon running): the good source's outcome, items and next due,
    the failing one's error and since when, the dead letters of the refusing notifier."""
    good = feed_server.serve(
        "/good.xml",
        rss({"guid": "1", "title": "Jaishankar in Oslo"}, {"guid": "2", "title": "Rain"}),
    )
    doc = {
        "sources": [
            {"id": "good", "type": "feed", "url": good},
            {"id": "broken", "type": "feed", "url": feed_server.url("/missing.xml")},
            {"id": "off", "type": "feed", "url": good, "enabled": False},
        ],
        "rules": [{"id": "jai", "type": "keyword", "any": ["Jaishankar"], "notify": ["gone"]}],
        "notifiers": {"gone": {"type": "webhook", "url": hooks.base + "/gone"}},
    }
    config = write_config(doc)
    once = await run_cli("once", "-c", str(config))
    assert once.returncode == 1  # a source failed, an alert is dead

    result = await run_cli("status", "-c", str(config), "--json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    by_id = {s["id"]: s for s in status["sources"]}
    assert by_id["good"]["outcome"] == "200"
    assert (by_id["good"]["items"], by_id["good"]["items_24h"]) == (2, 2)
    assert by_id["good"]["failing_since"] is None
    assert by_id["good"]["next_due"] > by_id["good"]["last_poll"]
    assert by_id["broken"]["outcome"] == "error 404"
    assert by_id["broken"]["failing_since"] is not None and by_id["broken"]["failures"] == 1
    assert by_id["off"]["last_poll"] is None
    assert status["outbox"] == {"gone": {"pending": 0, "dead": 1}}
    assert status["leases"] == []

    text = await run_cli("status", "-c", str(config))
    lines = text.stdout.splitlines()
    good_line = next(line for line in lines if line.strip().startswith("good "))
    # the poll was moments ago: "now" within the second, "Ns ago" after
    assert "200" in good_line and "2 (2)" in good_line
    assert " ago" in good_line or " now " in good_line, good_line
    broken_line = next(line for line in lines if line.strip().startswith("broken "))
    assert "error 404" in broken_line and "(1 failures)" in broken_line
    assert "never polled" in next(line for line in lines if line.strip().startswith("off "))
    assert any(line.split() == ["gone", "0", "1"] for line in lines)


@pytest.mark.postgres
async def test_status_names_the_node_holding_each_lease(
    pg_url: str, write_config: WriteConfig
) -> None:
    """On PostgreSQL, status lists the leases held and by which node."""
    config = write_config({"monitor": {"state": pg_url}})
    store = await open_store(pg_url)
    try:
        assert await store.acquire_lease("notifier:console", utcnow(), 60)
        node = store.node
        result = await run_cli("status", "-c", str(config))
        assert result.returncode == 0, result.stderr
        assert "leases (1):" in result.stdout
        line = next(x for x in result.stdout.splitlines() if "notifier:console" in x)
        assert node in line and "in " in line
        status = json.loads((await run_cli("status", "-c", str(config), "--json")).stdout)
        assert status["leases"] == [
            {"name": "notifier:console", "node": node, "until": status["leases"][0]["until"]}
        ]
        until = status["leases"][0]["until"]
        assert until > (utcnow() + timedelta(seconds=30)).isoformat()
    finally:
        await store.close()
