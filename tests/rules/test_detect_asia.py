"""Detector cases in South and East Asian languages: positives and near misses.

The table is ``tests/fixtures/rules/cases-asia.tsv``: language, expected meetings as
"AA-BB:status" (empty for a near miss that must report nothing), text.
"""

from __future__ import annotations

import pytest

from tests.rules.cases import load_cases, outcome

CASES = load_cases("cases-asia.tsv")


@pytest.mark.parametrize(
    ("lang", "text", "want"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_detects(lang: str, text: str, want: list[str]) -> None:
    """The grammar reports exactly the expected pairs and statuses (or nothing); the shipped
    path, with the status model, is held to these tables in test_detect_tables_shipped.py."""
    assert outcome(text, lang, decide=False) == want
