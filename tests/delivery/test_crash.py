"""`bilat run` (a real subprocess, real config, real SQLite file) killed with SIGKILL while
Slack holds a response open, then restarted: nothing is lost and only the message that was
in flight is sent twice."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from pathlib import Path
from typing import Any

from monitor.store import open_store
from tests.conftest import ROOT, FeedServer, WriteConfig, cli_env, rss
from tests.delivery.conftest import wait_until
from tests.notifiers.slack_standin import SlackStandIn

ENV = "BILAT_TEST_CRASH_SLACK_WEBHOOK"
_ENVOY = re.compile(r"envoy (\d{3})")


async def start_daemon(config: Path, log: Path, slack: SlackStandIn) -> asyncio.subprocess.Process:
    """`bilat run -c config` with its output in ``log`` (a file: no pipe to fill)."""
    with log.open("wb") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "monitor",
            "run",
            "-c",
            str(config),
            cwd=ROOT,
            env=cli_env({ENV: slack.webhook_url}),
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )


def events(log: Path) -> list[dict[str, Any]]:
    lines = log.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def envoys(slack: SlackStandIn) -> list[int]:
    found = [_ENVOY.search(text) for text in slack.texts()]
    assert all(found), slack.texts()
    return [int(m.group(1)) for m in found if m]


async def test_kill_during_delivery_loses_nothing_and_repeats_only_the_message_in_flight(
    feed_server: FeedServer, write_config: WriteConfig, slack: SlackStandIn, tmp_path: Path
) -> None:
    """Five alerts; Slack holds the third POST open and the daemon is SIGKILLed then. After
    a restart the third is sent again (the daemon never learnt it arrived), the other four
    exactly once, in the order they were queued; the restarted daemon queues nothing new."""
    url = feed_server.serve(
        "/desk.xml",
        rss(*({"guid": f"g{n}", "title": f"Jaishankar meets envoy {n:03d}"} for n in range(5))),
    )
    config = write_config(
        {
            "monitor": {"startup_spread": 0, "grace_s": 1},
            "sources": [{"id": "desk", "type": "feed", "url": url, "interval": "1h"}],
            "rules": [{"id": "kw", "type": "keyword", "any": ["Jaishankar"], "notify": ["slack"]}],
            "notifiers": {"slack": {"type": "slack", "webhook_url_env": ENV, "min_interval": 0.05}},
        }
    )
    held = slack.hold(3)
    first_log, second_log = tmp_path / "run1.log", tmp_path / "run2.log"
    proc = await start_daemon(config, first_log, slack)
    try:
        await wait_until(lambda: len(slack.received) == 3, 30)
        await asyncio.sleep(0.1)  # the daemon is now waiting for the held answer
        proc.kill()
        assert await asyncio.wait_for(proc.wait(), 10) == -signal.SIGKILL
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    held.set()
    in_flight = envoys(slack)[2]

    proc = await start_daemon(config, second_log, slack)
    try:
        await wait_until(lambda: len(slack.received) == 6, 30)
        await asyncio.sleep(0.5)  # nothing more comes
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()

    store = await open_store(f"sqlite:///{tmp_path / 'state' / 'bilat.db'}")
    try:
        rows = await store.outbox()
    finally:
        await store.close()
    queued = [int(m.group(1)) for r in rows if (m := _ENVOY.search(r.alert.headline))]
    assert sorted(queued) == [0, 1, 2, 3, 4] and all(r.state == "sent" for r in rows)
    assert envoys(slack) == [*queued[:3], in_flight, *queued[3:]]
    assert queued[2] == in_flight
    first = [e["event"] for e in events(first_log)]
    assert first.count("alert.delivered") == 2
    second = events(second_log)
    assert all(e["new"] == 0 for e in second if e["event"] == "source.polled")
    delivered = [e for e in second if e["event"] == "alert.delivered"]
    assert len(delivered) == 3 and delivered[0]["attempt"] == 1
