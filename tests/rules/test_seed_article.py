"""The project's seed document: a Hindi article about EAM Jaishankar's meetings in Astana."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.model import Meeting
from rules.bilateral.detector import detect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"
TEXT = (FIXTURES / "seed-article-hi.txt").read_text(encoding="utf-8")
EXPECTED = json.loads((FIXTURES / "seed-article-expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def meetings() -> list[Meeting]:
    return detect(TEXT, lang="hi")


def test_exactly_the_five_expected_pairs(meetings: list[Meeting]) -> None:
    """IN-CN, IN-BY, IN-TJ, IN-UN and IN-RU, all held, and nothing else."""
    got = {frozenset(m.parties) for m in meetings}
    assert got == {frozenset(p) for p in EXPECTED["pairs"]}
    assert {m.status for m in meetings} == {"held"}


def test_none_of_the_sco_member_pairs(meetings: list[Meeting]) -> None:
    """The SCO member list and the summit host yield no pair (no IN-IR, IN-KZ, IN-PK...)."""
    got = {frozenset(m.parties) for m in meetings}
    assert not got & {frozenset(p) for p in EXPECTED["must_not_include_pairs"]}


def test_astana_where_the_article_says_so(meetings: list[Meeting]) -> None:
    """Meetings the article places in Astana carry that location."""
    by_pair = {frozenset(m.parties): m for m in meetings}
    for exp in EXPECTED["meetings"]:
        if exp["location_basis"] == "explicit":
            assert by_pair[frozenset(exp["parties"])].location == "Astana"


def test_officials_and_evidence(meetings: list[Meeting]) -> None:
    """Named counterparts resolve to canonical names; evidence is quoted from the article."""
    by_pair = {frozenset(m.parties): m for m in meetings}
    assert {"S. Jaishankar", "Wang Yi"} <= set(by_pair[frozenset(("IN", "CN"))].officials)
    assert "Antonio Guterres" not in by_pair[frozenset(("IN", "UN"))].officials  # spelled António
    assert "António Guterres" in by_pair[frozenset(("IN", "UN"))].officials
    for m in meetings:
        assert m.evidence
        for ev in m.evidence:
            assert ev in TEXT
    # the sentence the label quotes for the unnamed Russian counterpart is among the evidence
    ru = by_pair[frozenset(("IN", "RU"))]
    assert any(EXPECTED["meetings"][4]["evidence"][0] in ev for ev in ru.evidence)
