"""Detector cases written per language from its grammar: paradigms of the meeting, call,
cancellation and future forms (``cases-south-asia.tsv``, ``cases-world.tsv``; columns as in
``cases-europe.tsv``).
"""

from __future__ import annotations

import pytest

from tests.rules.cases import load_cases, outcome

CASES = load_cases("cases-south-asia.tsv") + load_cases("cases-world.tsv")


@pytest.mark.parametrize(
    ("lang", "text", "want"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_detects(lang: str, text: str, want: list[str]) -> None:
    """The grammar reports exactly the expected pairs and statuses (or nothing); the shipped
    path is held to these tables in test_detect_tables_shipped.py."""
    assert outcome(text, lang, decide=False) == want
