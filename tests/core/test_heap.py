"""``settle_heap``: rules warmed, the startup heap frozen, collections rarer. Run in a child
interpreter: freezing the test process's own heap would keep every fixture alive."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import gc, json
from monitor.warmup import settle_heap
from rules import RULES
from rules.bilateral.gazetteer import gazetteer
opts = RULES["bilateral_meeting"].Options(id="b", type="bilateral_meeting")
rule = RULES["bilateral_meeting"](opts)
before = gazetteer.cache_info().currsize
settle_heap([rule])
print(json.dumps({
    "built_before": before,
    "built_after": gazetteer.cache_info().currsize,
    "frozen": gc.get_freeze_count(),
    "threshold": gc.get_threshold(),
    "enabled": gc.isenabled(),
}))
"""


def test_settle_heap_builds_the_gazetteer_and_freezes_it() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout)
    assert report["built_before"] == 0 and report["built_after"] == 1
    assert report["frozen"] > 100_000  # the gazetteer, Babel data, the config models
    assert report["threshold"][0] >= 10_000
    assert report["enabled"]


ONCE_CHILD = """
import gc, json, sys
from monitor import daemon
from monitor.cli import main
seen = {}
settle = daemon.settle_heap
def spy(rules, **kw):
    seen["off_before_settle"] = not gc.isenabled()
    settle(rules, **kw)
    seen["on_after_settle"] = gc.isenabled()
daemon.settle_heap = spy
seen["rc"] = main(["once", "-c", sys.argv[1]])
seen["on_after_once"] = gc.isenabled()
seen["rc_missing"] = main(["once", "-c", sys.argv[1] + ".missing"])
seen["on_after_failed_once"] = gc.isenabled()
print(json.dumps(seen))
"""

ONCE_CONFIG = """
[monitor]
state = "sqlite:///{state}"
allow_private_networks = true

[[sources]]
id = "one"
type = "feed"
url = "http://127.0.0.1:9/feed.xml"
"""


def test_once_keeps_the_collector_off_until_the_heap_is_settled(tmp_path: Path) -> None:
    """``bilat once`` starts with the collector off (``monitor.cli.main``): settling the
    heap turns it on, and ``main`` leaves it on whichever way the command ended."""
    config = tmp_path / "bilat.toml"
    config.write_text(ONCE_CONFIG.format(state=tmp_path / "state.db"))
    done = subprocess.run(
        [sys.executable, "-c", ONCE_CHILD, str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["off_before_settle"] and seen["on_after_settle"]
    assert seen["rc"] == 1  # the closed port: the poll failed
    assert seen["rc_missing"] == 2 and seen["on_after_failed_once"] and seen["on_after_once"]
