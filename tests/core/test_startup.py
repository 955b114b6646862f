"""Start-up imports only what the configuration uses (the plugin registries are lazy)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def _sources_config(tmp_path: Path, count: int, workers: str) -> Path:
    lines = ["[monitor]", f'state = "sqlite:///{tmp_path / "state.db"}"', workers, ""]
    for i in range(count):
        lines += ["[[sources]]", f'id = "s{i}"', 'type = "feed"']
        lines += [f'url = "https://example.org/{i}.xml"', ""]
    config = tmp_path / f"bilat-{count}-{len(workers)}.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: always inline")
async def test_a_small_one_shot_pass_runs_inline_unless_workers_are_asked_for(
    tmp_path: Path,
) -> None:
    """``bilat once`` over a few sources starts no worker processes (the forkserver's start
    costs more than their parsing); over many it does; the daemon always does, so a heavy
    feed never parses on its loop; ``[monitor] workers`` set explicitly is obeyed."""
    from monitor.runtime import POOL_MIN_SOURCES, open_runtime
    from monitor.settings import load_settings

    cores = len(os.sched_getaffinity(0)) - 1

    async def pool_size(count: int, workers: str, one_shot: bool = True) -> int:
        settings = load_settings(_sources_config(tmp_path, count, workers))
        async with open_runtime(settings, one_shot=one_shot) as rt:
            return 0 if rt.pipeline.pool is None else rt.pipeline.pool.workers

    assert await pool_size(1, "") == 0
    assert await pool_size(1, "workers = 1") == 1
    assert await pool_size(1, "", one_shot=False) == cores
    assert await pool_size(POOL_MIN_SOURCES, "") == cores
    assert await pool_size(POOL_MIN_SOURCES, "workers = 0") == 0


CLI_PROBE = """
import json, sys
from monitor.cli import main
main(sys.argv[1:])
print(json.dumps(sorted(sys.modules)))
"""


@pytest.mark.parametrize("command", ["check", "once"])
def test_one_shot_commands_import_only_what_they_use(tmp_path: Path, command: str) -> None:
    """``bilat check`` reads the configuration without the HTTP client; neither command
    imports the other commands' modules, pydantic-settings (no ``BILAT_<TABLE>`` variable
    is set: ``BILAT_CACHE_DIR`` overrides nothing), the detector's gazetteer (no bilateral
    rule) or the worker pool's forkserver (one source runs inline)."""
    config = tmp_path / "bilat.toml"
    text = CONFIG.format(state=tmp_path / "state.db")
    # A closed loopback port: the poll fails at once, without the network.
    text = text.replace("https://example.org/feed.xml", "http://127.0.0.1:9/feed.xml")
    config.write_text(text.replace("[monitor]", "[monitor]\nallow_private_networks = true"))
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("BILAT_")}
    env["BILAT_CACHE_DIR"] = str(tmp_path / "cache")
    out = subprocess.run(
        [sys.executable, "-c", CLI_PROBE, command, "-c", str(config)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert f"monitor.commands.{command}" in loaded
    unused = {
        "monitor.commands.run",
        "monitor.commands.scan",
        "monitor.commands.replay",
        "pydantic_settings",
        "rules.bilateral.gazetteer",
        "multiprocessing.forkserver",
    }
    if command == "check":
        unused |= {"aiohttp", "monitor.daemon", "fastfeedparser"}
    assert sorted(unused & loaded) == []
