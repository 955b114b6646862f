"""The officials roster files (rules/data/officials*.toml): all loaded, well formed, and the
people they add resolve to the party of the office they held on an item's date."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from importlib import resources

import pytest

from rules.bilateral.roster import ROSTER_FILES, load_roster
from tests.rules.cases import outcome

_DATA = resources.files("rules").joinpath("data")
_OFFICES = {"hos", "hog", "fm", "vp", "minister", "nsa", "envoy", "military", "speaker", "org_head"}
# one- to three-letter names that predate the rule and are matched with a capital initial only
_SHORT_KEPT = {"Xi", "Oli", "Abe"}


def _party_codes() -> set[str]:
    territories = json.loads(_DATA.joinpath("cldr.json").read_text(encoding="utf-8"))
    countries = {c for c in territories["territories"]["en"] if len(c) == 2 and c.isalpha()}
    orgs = tomllib.loads(_DATA.joinpath("orgs.toml").read_text(encoding="utf-8"))["org"]
    return countries | set(orgs)


def test_every_roster_file_is_loaded() -> None:
    """Each officials*.toml in rules/data is read by the loader, and each file it reads exists."""
    on_disk = {p.name for p in _DATA.iterdir() if p.name.startswith("officials")}
    assert on_disk == set(ROSTER_FILES)


def test_terms_are_well_formed() -> None:
    """Every term names a known country or organisation and an office; terms run in order."""
    codes = _party_codes()
    problems = []
    for person in load_roster().people:
        if not person.terms:
            problems.append(f"{person.name}: no term")
        for t in person.terms:
            if t.party not in codes or t.office not in _OFFICES:
                problems.append(f"{person.name}: {t.party} {t.office}")
            if t.start and t.end and t.end < t.start:
                problems.append(f"{person.name}: ends before it starts")
        starts = [t.start for t in person.terms if t.start]
        if starts != sorted(starts):
            problems.append(f"{person.name}: terms out of order")
    assert problems == []


def test_names_are_unique() -> None:
    """A canonical name belongs to one person (a second term is added to the first record)."""
    names = [p.name for p in load_roster().people]
    assert len(names) == len(set(names))


def test_short_latin_names_are_acronyms() -> None:
    """A Latin surname alone has at least four letters unless it is an acronym ("MBS")."""
    short = {
        alias
        for person in load_roster().people
        for alias in person.aliases
        if alias.isascii() and alias.isalpha() and len(alias) < 4 and not alias.isupper()
    }
    assert short <= _SHORT_KEPT


@pytest.mark.parametrize(
    ("lang", "text", "year", "want"),
    [
        ("en", "Qamar Javed Bajwa met Lloyd Austin at the Pentagon on Tuesday.", 2021, "PK-US"),
        ("ru", "Хулуси Акар провёл переговоры с Сергеем Шойгу в Москве.", 2019, "RU-TR"),
        ("en", "Pham Binh Minh held talks with Wang Yi in Hanoi.", 2019, "CN-VN"),
        ("ar", "التقى فيصل المقداد بوزير الخارجية الروسي سيرغي لافروف في موسكو.", 2021, "RU-SY"),
        (
            "bn",
            "পররাষ্ট্রমন্ত্রী এ কে আব্দুল মোমেন ভারতের পররাষ্ট্রমন্ত্রী এস জয়শঙ্করের সঙ্গে বৈঠক করেন।",
            2021,
            "BD-IN",
        ),
        ("ja", "茂木外相は訪日中の鄭義溶外相と会談した。", 2021, "JP-KR"),
        ("en", "Kyrylo Budanov met Steve Witkoff in Miami.", 2026, "UA-US"),
        # the African Union Commission is AUC; AU is Australia
        ("en", "Moussa Faki met Narendra Modi in New Delhi.", 2023, "AUC-IN"),
    ],
)
def test_added_officials_are_sides(lang: str, text: str, year: int, want: str) -> None:
    """Foreign and defence ministers, army chiefs and organisation heads of the expanded roster
    resolve to their party in the scripts their press writes them in."""
    published = datetime(year, 6, 15, tzinfo=UTC)
    assert outcome(text, lang, published=published) == [f"{want}:held"]


@pytest.mark.parametrize(
    ("month", "want"),
    [((2023, 6), "CN-DE"), ((2025, 11), "CN-UN")],
)
def test_the_office_on_the_date_names_the_party(month: tuple[int, int], want: str) -> None:
    """Baerbock was Germany's foreign minister in 2023 and presides over the UN General
    Assembly from September 2025: the item's date picks the party."""
    published = datetime(*month, 15, tzinfo=UTC)
    text = "Annalena Baerbock met Wang Yi in New York."
    assert outcome(text, "en", published=published) == [f"{want}:held"]


@pytest.mark.parametrize(
    ("lang", "text", "want"),
    [
        (
            "ur",
            "وزیر خارجہ شاہ محمود قریشی نے چینی وزیر خارجہ وانگ ای سے بیجنگ میں ملاقات کی۔",
            ["CN-PK:held"],
        ),
        ("ur", "ڈاکٹر قریشی نے چینی وزیر خارجہ وانگ ای سے بیجنگ میں ملاقات کی۔", []),
        ("hi", "डॉक्टर कुरैशी ने चीनी विदेश मंत्री वांग यी से बीजिंग में मुलाकात की।", []),
    ],
)
def test_a_common_surname_alone_names_no_official(lang: str, text: str, want: list[str]) -> None:
    """Qureshi is one of the most common surnames of Pakistan and India: the former foreign
    minister is known by his full name only, and a "Dr Qureshi" is nobody's side."""
    published = datetime(2020, 6, 15, tzinfo=UTC)
    assert outcome(text, lang, published=published) == want
