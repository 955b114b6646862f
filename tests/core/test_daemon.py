"""The composition root: the push-source hook and startup errors."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor import daemon
from monitor.config_errors import ConfigError
from monitor.contracts import EmitItems, HttpClient, HttpSettings, SourceCursor
from monitor.model import Item
from monitor.notifiers import NOTIFIERS
from monitor.notifiers.console import ConsoleOptions
from monitor.settings import MonitorSettings, Settings
from rules.keyword import KeywordOptions
from tests.conftest import FeedServer, captured_logs


class LinesSource:
    """A push source written for this test: one JSON item per streamed line; its cursor is
    the number of lines consumed, so a restart resumes after them."""

    def __init__(self, source_id: str, url: str) -> None:
        self.id = source_id
        self.url = url
        self.runs = 0

    async def run(self, http: HttpClient, cursor: SourceCursor, emit: EmitItems) -> None:
        self.runs += 1
        done = int(cursor.cursor or 0)
        n = 0
        async for line in http.stream_lines(self.url):
            n += 1
            if n <= done or not line.strip():
                continue
            data = json.loads(line)
            item = Item(
                id=data["id"],
                source_id=self.id,
                title=data["title"],
                text="",
                published_at=datetime.now(UTC),
            )
            await emit([item], SourceCursor(cursor=str(n)))


def settings_for(tmp_path: Path, **notifiers: Any) -> Settings:
    return Settings(
        path=tmp_path / "settings.toml",
        monitor=MonitorSettings(
            state=f"sqlite:///{tmp_path / 'state.db'}",
            allow_private_networks=True,
            http=HttpSettings(allow_private_networks=True),
        ),
        rules=(KeywordOptions(id="kw", type="keyword", any=["Jaishankar"], notify=["console"]),),
        notifiers=notifiers or {"console": ConsoleOptions(type="console")},
    )


async def test_push_source_batches_are_processed_and_resume_from_the_cursor(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run_push_source feeds each emitted batch through the pipeline with its cursor, restarts
    a stream that ended, and the restarted stream resumes after what was committed."""
    monkeypatch.setattr(daemon, "PUSH_RESTART_BASE_S", 0.05)
    lines = [
        {"id": "p1", "title": "Jaishankar lands in Astana"},
        {"id": "p2", "title": "weather"},
        {"id": "p3", "title": "Jaishankar meets Wang Yi"},
    ]
    url = feed_server.serve(
        "/stream", "\n".join(json.dumps(x) for x in lines).encode() + b"\n", validators=False
    )
    source = LinesSource("stream", url)
    async with daemon.open_runtime(settings_for(tmp_path)) as rt:
        with captured_logs() as logs:
            task = asyncio.create_task(daemon.run_push_source(source, rt))
            for _ in range(200):
                await asyncio.sleep(0.02)
                if source.runs >= 3:
                    break
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        state = await rt.store.source_state("stream")
        rows = await rt.store.outbox()
    assert state.cursor.cursor == "3"
    assert [r.alert.report.title for r in rows] == [
        "Jaishankar lands in Astana",
        "Jaishankar meets Wang Yi",
    ]
    pushed = [e for e in logs if e["event"] == "source.pushed"]
    assert len(pushed) == 3  # later runs resumed after line 3 and emitted nothing
    assert all(e["source_id"] == "stream" for e in pushed)
    restarts = [e for e in logs if e["event"] == "source.stream_restart"]
    assert restarts and restarts[0]["reason"] == "stream ended"


async def test_notifier_that_cannot_start_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A notifier whose constructor refuses (e.g. a secret missing) stops startup with a
    ConfigError naming it; nothing is left open."""

    class Refusing:
        type_name = "refusing"
        Options = ConsoleOptions

        def __init__(self, name: str, options: Any, http: Any) -> None:
            raise ValueError("environment variable DESK_TOKEN (from token_env) is not set")

    monkeypatch.setitem(NOTIFIERS, "refusing", Refusing)
    settings = settings_for(tmp_path, desk=ConsoleOptions(type="refusing"))
    with pytest.raises(ConfigError) as info:
        async with daemon.open_runtime(settings):
            pass
    assert "notifiers.desk" in str(info.value) and "DESK_TOKEN" in str(info.value)
