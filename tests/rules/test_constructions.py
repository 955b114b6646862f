"""Two constructions of news in many languages (``tests/fixtures/rules/constructions.tsv``):
coordinated demonyms sharing one title ("les présidents russe et américain") and verbless
headlines dated by a future-only or past time ("Treffen Scholz-Macron am kommenden Montag").

Read with no language given, by the grammar alone; every row passes. A date compared with
the day of publication needs that day, which the table has no column for: those cases are
below.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rules.bilateral.detector import detect
from tests.rules.cases import load_cases, outcome

CASES = load_cases("constructions.tsv")


@pytest.mark.parametrize(
    ("lang", "text", "want"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_construction(lang: str, text: str, want: list[str]) -> None:
    assert outcome(text, None, decide=False) == want


_PUBLISHED = datetime(2026, 3, 10, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Rencontre Macron-Meloni le 20 mars à Rome", "scheduled"),  # ten days ahead
        ("Rencontre Macron-Meloni le 2 mars à Rome", "held"),
        ("Rencontre Macron-Meloni le 10 mars à Rome", "held"),  # the day itself: a report
        ("日米首脳会談、15日に", "scheduled"),
        ("日米首脳会談、9日に", "held"),
        # prose names other events' dates beside a held meeting: only a headline's counts
        ("Macron met Meloni in Rome on Monday to prepare the summit on March 20.", "held"),
    ],
)
def test_headline_date_after_publication(text: str, want: str) -> None:
    got = {m.status for m in detect(text, published=_PUBLISHED, decide=False)}
    assert got == {want}


def test_no_publication_date_keeps_the_words() -> None:
    got = {m.status for m in detect("Rencontre Macron-Meloni le 20 mars à Rome", decide=False)}
    assert got == {"held"}
