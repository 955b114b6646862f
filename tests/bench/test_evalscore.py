"""The error classes ``make eval`` counts, on invented items and readings."""

from __future__ import annotations

from typing import Any

from bench.evalscore import ERROR_CLASSES, Score, error_class


def _item(status: str, *pairs: tuple[str, str]) -> dict[str, Any]:
    return {"id": "x", "lang": "en", "status": status, "parties": [list(p) for p in pairs]}


def _met(a: str, b: str, status: str = "held") -> dict[str, Any]:
    return {"parties": [a, b], "status": status, "confidence": 0.9}


def test_each_wrong_reading_gets_its_class() -> None:
    two = _item("held", ("IN", "CN"), ("IN", "RU"))
    assert error_class(two, []) == "missed"
    assert error_class(two, [_met("FR", "DE")]) == "other pairs"
    assert error_class(two, [_met("CN", "IN", "scheduled")]) == "status"
    assert error_class(two, [_met("CN", "IN")]) == "pairs missing"
    assert error_class(_item("held", ("IN", "CN")), [_met("CN", "IN"), _met("IN", "JP")]) == (
        "extra pairs"
    )
    assert error_class(_item("none"), [_met("US", "MX", "call")]) == "false meeting"


def test_a_score_counts_only_wrong_items_by_class() -> None:
    score = Score()
    assert score.add(_item("held", ("IN", "CN")), [_met("IN", "CN")])
    assert score.add(_item("none"), [])
    assert not score.add(_item("call", ("US", "MX")), [])
    assert not score.add(_item("none"), [_met("US", "MX")])
    assert dict(score.errors) == {"missed": 1, "false meeting": 1}
    assert set(score.errors) <= set(ERROR_CLASSES)
    assert any("by error class (2 of 4)" in line for line in score.lines("t"))
