"""Start-up imports only what the configuration uses (the plugin registries are lazy)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CONFIG = """
[monitor]
state = "sqlite:///{state}"

[[sources]]
id = "one"
type = "feed"
url = "https://example.org/feed.xml"

[[rules]]
id = "kw"
type = "keyword"
any = ["met"]
notify = ["console"]

[notifiers.console]
type = "console"
"""

PROBE = """
import asyncio, json, sys
from monitor import daemon
from monitor.settings import load_settings
settings = load_settings(sys.argv[1])

async def build() -> None:
    async with daemon.open_runtime(settings) as rt:
        assert [r.options.type for r in rt.pipeline.rules] == ["keyword"]

asyncio.run(build())
from monitor.pipeline.decide import _roster_tables
print(_roster_tables.cache_info().currsize)
print(json.dumps(sorted(sys.modules)))
"""


def test_feed_keyword_console_config_skips_unused_plugins(tmp_path: Path) -> None:
    """A runtime for feeds, a keyword rule and the console never imports the bilateral
    detector, the roster's TOML, the social or press-page adapters, e-mail templates or the
    HTTP server (``bilat once`` never serves)."""
    config = tmp_path / "bilat.toml"
    config.write_text(CONFIG.format(state=tmp_path / "state.db"), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(config)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    *_, rosters_read, modules = out.stdout.strip().splitlines()
    assert rosters_read == "0"  # the officials roster is read when a report needs it
    loaded = set(json.loads(modules))
    assert "adapters.feed" in loaded and "rules.keyword" in loaded
    assert "monitor.notifiers.console" in loaded
    unused = {
        "rules.bilateral.detector",
        "adapters.html_list",
        "adapters.mastodon",
        "adapters.x",
        "adapters.bluesky_jetstream",
        "monitor.notifiers.email",
        "monitor.render.mail",
        "jinja2",
        "apscheduler",
        "feedparser",
        "monitor.server.app",
        "aiohttp.web",
    }
    assert sorted(unused & loaded) == []
