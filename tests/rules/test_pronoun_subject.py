"""Sentences whose subject is a pronoun (``tests/fixtures/rules/pronoun-subject.tsv``).

Read with no language given, by the grammar alone; every row passes.
"""

from __future__ import annotations

import pytest

from tests.rules.cases import load_cases, outcome

CASES = load_cases("pronoun-subject.tsv")


@pytest.mark.parametrize(
    ("lang", "text", "want"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_pronoun_subject(lang: str, text: str, want: list[str]) -> None:
    assert outcome(text, None, decide=False) == want
