"""Checks on Block Kit payloads shared by the rendering and Slack notifier tests."""

from __future__ import annotations

from typing import Any

from monitor.render.fit import utf16_len


def all_texts(payload: dict[str, Any]) -> list[str]:
    """Every text string inside a Block Kit payload (top-level text included)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return found


def assert_slack_limits(payload: dict[str, Any]) -> None:
    blocks = payload["blocks"]
    assert 1 <= len(blocks) <= 50
    assert 0 < utf16_len(payload["text"]) <= 3000
    for block in blocks:
        assert block["type"] in {"header", "section", "context", "divider"}
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert 0 < utf16_len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            if "text" in block:
                assert block["text"]["type"] == "mrkdwn"
                assert 0 < utf16_len(block["text"]["text"]) <= 3000
            for field in block.get("fields", []):
                assert 0 < utf16_len(field["text"]) <= 2000
            assert len(block.get("fields", [])) <= 10
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            for element in block["elements"]:
                assert 0 < utf16_len(element["text"]) <= 3000
