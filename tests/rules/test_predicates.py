"""The inventory of diplomatic predicates (``tests/fixtures/rules/predicates.tsv``): each way
news says two officials met, phoned, will meet, called a meeting off or did not meet, written
in every language the detector reads, so that a language's coverage is judged concept by
concept rather than by the items one corpus happens to hold.

Read with no language given, by the grammar alone (the model only drops or keeps what the
grammar proposes); every row passes.
"""

from __future__ import annotations

import pytest

from tests.rules.cases import load_cases, outcome

CASES = load_cases("predicates.tsv")


@pytest.mark.parametrize(
    ("lang", "text", "want"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_predicate(lang: str, text: str, want: list[str]) -> None:
    assert outcome(text, None, decide=False) == want


def test_the_table_is_not_empty() -> None:
    assert CASES, "predicates.tsv holds no case"
