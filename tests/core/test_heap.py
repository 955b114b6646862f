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
