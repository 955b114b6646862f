"""The first minute of `bilat run`: the start line says how many sources there are and when
their first polls fall; one source is polled at once and its result shows within ~10 s, even
with the default one-minute startup spread."""

from __future__ import annotations

import time

import pytest

from tests.conftest import FeedServer, WriteConfig, rss
from tests.server.daemon import Daemon


@pytest.mark.slow
async def test_start_line_and_first_results_within_ten_seconds(
    feed_server: FeedServer, write_config: WriteConfig
) -> None:
    """daemon.started names sources, first_poll_in_s=0 and when all are polled (within the
    spread); a poll.summary with the first results follows about 10 s after the start."""
    feeds = {
        f"f{n}": feed_server.serve(f"/f{n}.xml", rss({"guid": f"{n}", "title": f"news {n}"}))
        for n in range(4)
    }
    config = write_config(
        {
            "monitor": {"log_level": "info"},
            "sources": [{"id": sid, "type": "feed", "url": url} for sid, url in feeds.items()],
        }
    )
    async with Daemon(config, env={"BILAT_MONITOR__LOG_LEVEL": "info"}) as daemon:
        started = await daemon.wait_for(lambda e: e["event"] == "daemon.started")
        at = time.monotonic()
        assert started["sources"] == 4 and started["streams"] == 0
        assert started["first_poll_in_s"] == 0
        assert 0 <= started["all_polled_within_s"] <= 60
        summary = await daemon.wait_for(lambda e: e["event"] == "poll.summary", limit_s=20)
        assert time.monotonic() - at < 15
        assert summary["period_s"] == 10 and summary["polls"] >= 1
        assert await daemon.stop() == 0
