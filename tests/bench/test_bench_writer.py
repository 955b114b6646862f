"""BENCHMARKS.md keeps one section per benchmark: a rerun replaces its own, a new one is
appended, the others stay as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.__main__ as bench_main
from bench.__main__ import merge_section
from tests.web import cdp


def block(name: str, body: str) -> str:
    return f"<!-- bench:{name} -->\n{body}\n<!-- /bench:{name} -->"


def test_a_new_section_is_appended_and_a_rerun_replaces_only_its_own() -> None:
    text = "# Benchmarks\n\n" + block("events", "old events") + "\n"
    text = merge_section(text, "polling", block("polling", "first polling"))
    assert "old events" in text and "first polling" in text
    text = merge_section(text, "polling", block("polling", "second polling"))
    assert "first polling" not in text and text.count("<!-- bench:polling -->") == 1
    assert text.index("old events") < text.index("second polling")
    text = merge_section(text, "events", block("events", "new events"))
    assert "old events" not in text and "new events" in text and "second polling" in text


def test_a_benchmark_that_cannot_run_here_leaves_its_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without Chromium the browser bench says why and BENCHMARKS.md keeps its old figures."""
    out = tmp_path / "BENCHMARKS.md"
    before = "# Benchmarks\n\n" + block("webgraph", "figures of an earlier run") + "\n"
    out.write_text(before, encoding="utf-8")
    monkeypatch.setattr(bench_main, "OUT", out)
    monkeypatch.setattr(cdp, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on the PATH either
    assert bench_main.main(["webgraph"]) == 0
    assert out.read_text(encoding="utf-8") == before
    assert "webgraph skipped: chromium is not installed" in capsys.readouterr().err
