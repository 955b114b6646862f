"""Done-when of the operations issue: `bilat run` as a real process polls loopback feeds and
delivers to a loopback webhook while /metrics is scraped, and every metric moves; /readyz
turns not-ready while the store refuses writes and ready again after."""

from __future__ import annotations

import asyncio
import resource
import time
from typing import Any

import pytest

from tests.conftest import FeedServer, WriteConfig, rss
from tests.server.conftest import Hooks
from tests.server.daemon import Daemon
from tests.server.scrape import Samples, parse, value


async def _scrape(daemon: Daemon) -> Samples:
    status, text = await daemon.get("/metrics")
    assert status == 200
    return parse(text)


async def _until(daemon: Daemon, check: Any, limit_s: float = 20.0) -> Samples:
    deadline = time.monotonic() + limit_s
    while True:
        samples = await _scrape(daemon)
        if check(samples):
            return samples
        assert time.monotonic() < deadline, sorted(samples.items())
        await asyncio.sleep(0.2)


def _set_fsize(pid: int, limit: int) -> None:
    _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, hard))


@pytest.mark.slow
async def test_metrics_move_and_readyz_follows_the_store(
    feed_server: FeedServer, hooks: Hooks, write_config: WriteConfig
) -> None:
    """Every metric moves while the daemon polls and delivers; /readyz says why it is not
    ready while the store refuses writes (a file size limit on the process), then recovers."""
    items = [
        {"guid": "a1", "title": "Jaishankar meets Wang Yi in Astana"},
        {"guid": "a2", "title": "Jaishankar holds talks with Lavrov"},
        {"guid": "a3", "title": "Weather report"},
    ]
    # The first answer waits, so the first scrape sees the daemon before any poll finished.
    feed = feed_server.serve("/news.xml", rss(*items), delay_s=4.0)
    config = write_config(
        {
            "monitor": {"startup_spread": 0},
            "sources": [{"id": "news", "type": "feed", "url": feed}],
            "rules": [
                {"id": "jai", "type": "keyword", "any": ["Jaishankar"], "notify": ["hook", "gone"]}
            ],
            "notifiers": {
                "hook": {"type": "webhook", "url": hooks.base + "/ok"},
                "gone": {"type": "webhook", "url": hooks.base + "/gone"},
            },
        }
    )
    async with Daemon(config) as daemon:
        before = await _scrape(daemon)
        assert value(before, "bilat_build_info", version="0.1.0", python=_python()) == 1
        assert value(before, "bilat_config_last_reload_successful") == 1
        assert value(before, "bilat_polls_total", source="news", outcome="ok") == 0

        after = await _until(
            daemon,
            lambda s: (
                value(s, "bilat_alerts_total", notifier="hook", state="sent") == 2
                and value(s, "bilat_alerts_total", notifier="gone", state="dead") == 2
                # read from the store at scrape time: the dead rows' commit may follow the
                # counter by a moment (settlements are committed in groups)
                and value(s, "bilat_outbox_depth", notifier="gone", state="dead") == 2
            ),
        )
        assert value(after, "bilat_polls_total", source="news", outcome="ok") == 1
        assert value(after, "bilat_poll_duration_seconds_count") == 1
        assert value(after, "bilat_poll_duration_seconds_sum") >= 4.0  # the feed's delay
        assert value(after, "bilat_new_items_total", source="news") == 3
        assert value(after, "bilat_matches_total", rule="jai") == 2
        assert value(after, "bilat_alerts_total", notifier="hook", state="queued") == 2
        assert value(after, "bilat_alerts_total", notifier="gone", state="queued") == 2
        assert value(after, "bilat_delivery_latency_seconds_count", notifier="hook") == 2
        assert value(after, "bilat_outbox_depth", notifier="gone", state="dead") == 2
        assert value(after, "bilat_outbox_depth", notifier="hook", state="pending") == 0
        assert 0 <= value(after, "bilat_source_seconds_since_success", source="news") < 60
        assert ("bilat_leases_held", frozenset({("kind", "notifier")})) in after
        assert len(hooks.received["/ok"]) == 2

        assert await daemon.get("/readyz") == (200, "ready\n")
        assert daemon.proc is not None
        _set_fsize(daemon.proc.pid, 1)  # every write to the SQLite files now fails (EFBIG)
        try:
            status, text = await daemon.get("/readyz")
            assert status == 503
            assert text.startswith("not ready: store not writable")
            errors = await _scrape(daemon)
            assert value(errors, "bilat_store_errors_total", operation="probe") >= 1
        finally:
            _set_fsize(daemon.proc.pid, resource.RLIM_INFINITY)
        assert await daemon.get("/readyz") == (200, "ready\n")
        assert await daemon.stop() == 0


def _python() -> str:
    import platform

    return platform.python_version()
