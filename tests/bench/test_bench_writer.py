"""BENCHMARKS.md keeps one section per benchmark: a rerun replaces its own, a new one is
appended, the others stay as they were."""

from __future__ import annotations

from bench.__main__ import merge_section


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
