"""Which family names alone the roster derives (``rules.bilateral.surnames``)."""

from __future__ import annotations

from datetime import UTC, datetime

from rules.bilateral.detector import detect
from rules.bilateral.roster import load_roster
from rules.bilateral.surnames import surname_aliases
from rules.text import fold


def _derived() -> dict[str, set[str]]:
    roster = load_roster()
    return {
        roster.people[pid].name: {fold(f) for f in forms}
        for pid, forms in surname_aliases(roster, set()).items()
    }


def test_a_family_of_one_country_shares_its_name() -> None:
    derived = _derived()
    assert "sharif" in derived["Shehbaz Sharif"] and "sharif" in derived["Nawaz Sharif"]
    assert "rajapaksa" in derived["Gotabaya Rajapaksa"]


def test_family_names_that_come_first() -> None:
    derived = _derived()
    assert "yoon" in derived["Yoon Suk Yeol"]
    # the given name's last syllable is nobody's surname
    assert not any(f.startswith("yeol") for f in derived["Yoon Suk Yeol"])


def test_a_name_common_everywhere_is_not_derived() -> None:
    derived = _derived()
    assert "khan" not in derived.get("Imran Khan", set())


def test_the_one_in_office_on_the_day_is_the_side() -> None:
    """Invented text: either Sharif is Pakistan's; the date picks which."""
    text = "Sharif held talks with Xi Jinping in Beijing on Monday."
    for year in (2015, 2024):
        published = datetime(year, 6, 1, tzinfo=UTC)
        assert [m.parties for m in detect(text, lang="en", published=published, decide=False)] == [
            ("CN", "PK")
        ]


def test_a_generational_suffix_is_not_the_family_name() -> None:
    derived = _derived()
    assert "marcos" in derived["Ferdinand Marcos Jr."]
    assert not any(f.startswith("jr") for f in derived["Ferdinand Marcos Jr."])


def test_a_regnal_name_has_no_family_name() -> None:
    assert "Hans-Adam II" not in _derived()


def test_ones_own_family_name_written_first_is_no_given_name() -> None:
    """ "Hayashi Yoshimasa", the Japanese order, among the aliases of Yoshimasa Hayashi."""
    derived = _derived()
    assert "hayashi" in derived["Yoshimasa Hayashi"]
    assert "ishiba" in derived["Shigeru Ishiba"]
