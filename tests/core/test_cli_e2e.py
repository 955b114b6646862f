"""End to end through the real CLI in a subprocess, against feeds on a loopback server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, FeedServer, WriteConfig, cli_env, rss, run_cli, start_cli

SEED_TITLE = "कजाकिस्तान में चीन के विदेश मंत्री से मिले जयशंकर, X पर शेयर कीं मुलाकात की तस्वीरें"


def desk_config(feeds: dict[str, str], **monitor: Any) -> dict[str, Any]:
    return {
        "monitor": monitor,
        "sources": [{"id": sid, "type": "feed", "url": url} for sid, url in feeds.items()],
        "rules": [
            {
                "id": "desk",
                "type": "keyword",
                "any": ["Xi Jinping", "Yunus", "जयशंकर"],
                "none": ["cricket"],
                "notify": ["console"],
            }
        ],
    }


def alert_blocks(stdout: str) -> list[str]:
    """The headline of each console alert block (the line after its separator)."""
    lines = stdout.splitlines()
    return [lines[i + 1] for i, line in enumerate(lines[:-1]) if line.startswith("────")]


async def test_once_alerts_across_feeds_and_never_twice(
    feed_server: FeedServer, write_config: WriteConfig
) -> None:
    """`bilat once` over real feeds (dates made recent) prints one console alert per matching
    item, the Hindi seed article included; a second run prints none; a new item alerts once."""
    feeds = {
        "livemint": feed_server.serve_fixture(
            "/livemint.xml", "feeds/news/livemint_news_2019.rss.xml", fresh=True
        ),
        "toi": feed_server.serve_fixture(
            "/toi.xml", "feeds/news/timesofindia_topstories_2025.rss.xml", fresh=True
        ),
        "bbc": feed_server.serve_fixture(
            "/bbc.xml", "feeds/news/bbc_news_world_2022.rss.xml", fresh=True
        ),
        "seed-hi": feed_server.serve_fixture("/seed.xml", "feeds/seed_hindi.rss.xml", fresh=True),
        "old": feed_server.serve_fixture("/old.xml", "feeds/news/livemint_news_2019.rss.xml"),
    }
    config = write_config(desk_config(feeds))

    first = await run_cli("once", "-c", str(config))
    assert first.returncode == 0, first.stderr
    headlines = alert_blocks(first.stdout)
    assert sorted(headlines) == sorted(
        [
            "PM Modi-Xi Jinping informal summit in Varanasi this October: Report [Xi Jinping]",
            "'7 states of India': B'desh interim chief Yunus makes shocking offer to China [Yunus]",
            "'Shared commitment to strengthen ties': Pak PM Shehbaz dials Yunus in"
            " Bangladesh [Yunus]",
            f"{SEED_TITLE} [जयशंकर]",
        ]
    )  # "old" serves the same Livemint items with their 2019 dates: backfill keeps it quiet
    assert "(seed-hi)" in first.stdout
    assert f"  “{SEED_TITLE}”" in first.stdout  # the evidence: the sentence with the hit
    polled = {e["source_id"]: e for e in first.events() if e["event"] == "source.polled"}
    assert set(polled) == set(feeds) and polled["old"]["alerts"] == 0
    assert polled["bbc"]["fetched"] == 67 and polled["bbc"]["new"] == 67

    second = await run_cli("once", "-c", str(config))
    assert second.returncode == 0, second.stderr
    assert alert_blocks(second.stdout) == []
    statuses = {
        e["source_id"]: e["status"] for e in second.events() if e["event"] == "source.polled"
    }
    assert statuses == dict.fromkeys(feeds, "304")  # conditional GETs all round

    feed_server.serve(
        "/toi.xml",
        feed_server.routes["/toi.xml"].body.replace(
            b"<item>", b"<item><title>Yunus meets Modi</title><guid>new-1</guid></item><item>", 1
        ),
    )
    third = await run_cli("once", "-c", str(config))
    assert alert_blocks(third.stdout) == ["Yunus meets Modi [Yunus]"]


async def test_once_exit_code_reports_failed_sources(
    feed_server: FeedServer, write_config: WriteConfig
) -> None:
    """A failing source makes `bilat once` exit 1 after the others were processed."""
    good = feed_server.serve("/good.xml", rss({"guid": "1", "title": "Yunus speaks"}))
    config = write_config(desk_config({"good": good, "gone": feed_server.url("/missing.xml")}))
    result = await run_cli("once", "-c", str(config))
    assert result.returncode == 1
    assert alert_blocks(result.stdout) == ["Yunus speaks [Yunus]"]
    failing = [e for e in result.events() if e["event"] == "source.failing"]
    assert [e["source_id"] for e in failing] == ["gone"] and failing[0]["status"] == "error 404"


async def test_check_reports_errors_with_location(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """`bilat check` prints a summary and exits 0, or exits 2 naming file, line, id, field."""
    good = write_config(desk_config({"bbc": "https://feeds.bbci.co.uk/news/world/rss.xml"}))
    ok = await run_cli("check", "-c", str(good))
    assert ok.returncode == 0, ok.stderr
    assert "sources (1):" in ok.stdout and "bbc" in ok.stdout and "desk" in ok.stdout
    assert "console" in ok.stdout

    text = good.read_text().replace(
        'url = "https://feeds', 'interval = "often"\nurl = "https://feeds'
    )
    bad = write_config(text, name="bad.toml")
    result = await run_cli("check", "-c", str(bad))
    line = text.splitlines().index('interval = "often"') + 1
    assert result.returncode == 2
    assert (
        f'bad.toml:{line}: sources[0] (id "bbc"), field "interval": not a duration' in result.stderr
    )

    broken = write_config('[monitor]\nstate = "sqlite:///x.db\n', name="broken.toml")
    result = await run_cli("check", "-c", str(broken))
    assert result.returncode == 2 and "broken.toml:2: TOML syntax error" in result.stderr

    result = await run_cli("check", "-c", str(tmp_path / "absent.toml"))
    assert result.returncode == 2 and "absent.toml: file not found" in result.stderr


def test_example_settings_file_is_valid() -> None:
    """The repository's settings.toml passes `bilat check` (no secrets needed by default)
    and runs the detector next to the keyword rule."""
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "monitor", "check"],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "bbc-hindi-international" in result.stdout and "pib-india" in result.stdout
    rules = [line.split() for line in result.stdout.splitlines() if line.startswith("  ")]
    assert ["bilats", "bilateral_meeting", "notify", "console"] in [r[:4] for r in rules]
    assert ["desk-watch", "keyword"] in [r[:2] for r in rules]


async def test_run_stops_cleanly_on_sigterm_during_a_slow_poll(
    feed_server: FeedServer, write_config: WriteConfig
) -> None:
    """`bilat run`: SIGTERM while a poll hangs exits 0 within grace_s; what was processed is
    saved (the next `once` re-alerts nothing) and the interrupted source is polled next time."""
    fast = feed_server.serve("/fast.xml", rss({"guid": "f1", "title": "Yunus meets Xi Jinping"}))
    slow = feed_server.serve(
        "/slow.xml", rss({"guid": "s1", "title": "Yunus in Beijing"}), delay_s=30
    )
    config = write_config(desk_config({"fast": fast, "slow": slow}, grace_s=1, startup_spread=0))
    proc = await start_cli("run", "-c", str(config))
    assert proc.stderr is not None and proc.stdout is not None
    events: list[dict[str, Any]] = []

    async def read_events() -> None:
        assert proc.stderr is not None
        async for raw in proc.stderr:
            if raw.startswith(b"{"):
                events.append(json.loads(raw))

    reader = asyncio.create_task(read_events())
    try:
        deadline = time.monotonic() + 20
        while not (
            any(e["event"] == "alert.delivered" for e in events)
            and feed_server.requests_for("/slow.xml")
        ):
            assert time.monotonic() < deadline, events
            await asyncio.sleep(0.05)
        sent_at = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(proc.wait(), 10)
        elapsed = time.monotonic() - sent_at
        stdout = (await proc.stdout.read()).decode()
        await reader
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert returncode == 0
    assert elapsed < 1 + 3  # grace_s plus process teardown
    names = [e["event"] for e in events]
    assert "daemon.stopping" in names and names[-1] == "daemon.stopped"
    cancelled = next(e for e in events if e["event"] == "scheduler.cancelled")
    assert cancelled["sources"] == ["slow"]
    assert alert_blocks(stdout) == ["Yunus meets Xi Jinping [Xi Jinping, Yunus]"]

    feed_server.routes["/slow.xml"].delay_s = 0
    again = await run_cli("once", "-c", str(config))
    assert again.returncode == 0, again.stderr
    assert alert_blocks(again.stdout) == ["Yunus in Beijing [Yunus]"]


async def test_run_keeps_running_calmly_when_sources_are_down(
    feed_server: FeedServer, write_config: WriteConfig
) -> None:
    """With every source unreachable the daemon keeps running and logs one failing line
    per source, then stops cleanly."""
    config = write_config(
        desk_config(
            {"a": "http://127.0.0.1:9/a.xml", "b": feed_server.url("/nothing-here.xml")},
            startup_spread=0,
        )
    )
    proc = await start_cli("run", "-c", str(config))
    assert proc.stderr is not None
    head = []  # up to daemon.started: a loaded machine may take seconds to start
    while not head or b'"daemon.started"' not in head[-1]:
        head.append(await asyncio.wait_for(proc.stderr.readline(), 30))
        assert head[-1], b"".join(head)
    await asyncio.sleep(3)
    assert proc.returncode is None  # still running
    proc.send_signal(signal.SIGINT)
    _, rest = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 0
    err = b"".join(head) + rest
    events = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    failing = sorted(e["source_id"] for e in events if e["event"] == "source.failing")
    assert failing == ["a", "b"]
    assert not any(e.get("level") == "error" for e in events), [
        e for e in events if e.get("level") == "error"
    ]
    assert os.environ.get("BILAT_MONITOR__STATE") is None
