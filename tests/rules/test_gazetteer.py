"""rules.bilateral.gazetteer: one automaton, script-aware boundaries, case rules, and its data."""

from __future__ import annotations

import json
import tomllib
from importlib import resources

import pytest

from rules.bilateral import cldr
from rules.bilateral.gazetteer import gazetteer, scan_text
from rules.bilateral.records import (
    COUNTRY,
    CUE,
    DEMONYM,
    ORG,
    PERSON,
    ROLE,
    TRIGGER,
    data_file,
)
from rules.dates.lexicon import build_language, fold
from rules.text import normalize

_PLACE = (COUNTRY, DEMONYM)


def places(text: str) -> list[tuple[str, str, str]]:
    """(matched original text, kind, code) of every country/demonym mention."""
    _, mentions = scan_text(text)
    out = []
    for m in mentions:
        for e in m.entries:
            if e.kind in _PLACE:
                out.append(
                    (text[m.ostart : m.oend], "name" if e.kind == COUNTRY else "adj", e.value)
                )
                break
    return out


# The cross-script cases of ARCHITECTURE.md section 3: (what, text, expected (surface, code)).
BOUNDARIES = [
    (
        "names inside longer names",
        "Indiana, Romania and Nigeria",
        [("Romania", "RO"), ("Nigeria", "NG")],
    ),
    (
        "the names themselves",
        "India, Oman and Niger",
        [("India", "IN"), ("Oman", "OM"), ("Niger", "NE")],
    ),
    ("'Us' is not the US", "Us and them", []),
    ("the US", "the US and the UK", [("US", "US"), ("UK", "GB")]),
    ("South Sudan, not Sudan", "South Sudan", [("South Sudan", "SS")]),
    ("Papua New Guinea, not Guinea", "Papua New Guinea", [("Papua New Guinea", "PG")]),
    ("non-breaking hyphen", "Guinea\u2011Bissau", [("Guinea\u2011Bissau", "GW")]),
    ("curly apostrophe", "Côte d’Ivoire", [("Côte d’Ivoire", "CI")]),
    ("Chinese without spaces", "中国外交部长王毅会见印度外长", [("中国", "CN"), ("印度", "IN")]),
    ("Indonesia is not India (zh)", "印度尼西亚", [("印度尼西亚", "ID")]),
    ("Indonesia is not India (ja)", "インドネシア", [("インドネシア", "ID")]),
    ("katakana inside a longer word", "タイトル", []),
    ("France without nukta", "फ्रांस", [("फ्रांस", "FR")]),
    ("France with combining nukta", "फ़्रांस", [("फ़्रांस", "FR")]),
    (
        "France with precomposed nukta",
        "\u095e\u094d\u0930\u093e\u0902\u0938",
        [("\u095e\u094d\u0930\u093e\u0902\u0938", "FR")],
    ),
    ("ZWJ inside a Devanagari name", "पाकिस्\u200dतान", [("पाकिस्\u200dतान", "PK")]),
    ("Arabic harakat", "الهِنْد", [("الهِنْد", "IN")]),
    ("Arabic tatweel", "الصيـن", [("الصيـن", "CN")]),
    ("Arabic proclitic wa-", "والصين", [("الصين", "CN")]),
    (
        "Arabic presentation forms",
        "\ufe8d\ufedf\ufebc\ufef4\ufee6",
        [("\ufe8d\ufedf\ufebc\ufef4\ufee6", "CN")],
    ),
    ("Russian genitive", "Китая", [("Китая", "CN")]),
    ("Russian instrumental", "с Китаем", [("Китаем", "CN")]),
    ("Turkish dotted capital I", "İRAN", [("İRAN", "IR")]),
    ("German, capitals", "WEISSRUSSLAND", [("WEISSRUSSLAND", "BY")]),
    ("German, sharp s", "Weißrussland", [("Weißrussland", "BY")]),
    ("fullwidth letters", "ＵＳＡ", [("ＵＳＡ", "US")]),
    ("lower-case common noun", "a turkey for dinner", []),
]


@pytest.mark.parametrize(("what", "text", "want"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
def test_cross_script_boundaries(what: str, text: str, want: list[tuple[str, str]]) -> None:
    """Names match whole words in every script, with case and fold rules applied."""
    got = [(surface, code) for surface, kind, code in places(text) if kind == "name"]
    assert got == want


def test_demonym_is_not_the_country_name() -> None:
    """भारतीय (Indian) is read as the adjective, never as the name भारत plus letters."""
    assert places("भारतीय उच्चायुक्त") == [("भारतीय", "adj", "IN")]
    assert places("भारत और चीन") == [("भारत", "name", "IN"), ("चीन", "name", "CN")]


def test_marathi_and_korean_attached_endings() -> None:
    """Case endings written onto the name (भारताच्या, 일본과) still find the country."""
    assert ("भारताच्या", "name", "IN") in places("भारताच्या पंतप्रधानांनी")
    assert [c for _, _, c in places("일본과 중국은")] == ["JP", "CN"]


def test_kinds_of_mentions() -> None:
    """People, roles, organisations and meeting words come out of the same pass."""
    _, mentions = scan_text("UN Secretary-General António Guterres met Modi")
    kinds = [{e.kind for e in m.entries} for m in mentions]
    assert {ORG} in kinds and {ROLE} in kinds and {TRIGGER} in kinds
    assert sum(1 for k in kinds if PERSON in k) == 2


def test_scanner_recovers_a_shorter_name_hidden_by_a_failed_longer_one() -> None:
    """ "Washington postponed" is not the blocked "Washington Post": both words are found."""
    _, mentions = scan_text("Washington postponed talks")
    found = ["Washington postponed talks"[m.ostart : m.oend] for m in mentions]
    assert found[:2] == ["Washington", "postponed"]


def test_gate_recovers_a_meeting_word_hidden_by_a_failed_match() -> None:
    """ "to host" straddling "Ruto hosted" fails its boundary test; "hosted" is still seen."""
    folded = normalize("President William Ruto hosted his counterpart").folded
    assert [folded[i : i + 6] for i in gazetteer().meeting_words(folded, "en")] == ["hosted"]


def test_gazetteer_size_and_languages() -> None:
    """The full gazetteer has well over 20k patterns and lexicons for every required language."""
    g = gazetteer()
    assert len(g) >= 20_000
    required = set(
        [
            "en",
            "hi",
            "ur",
            "bn",
            "mr",
            "ta",
            "ru",
            "zh",
            "ja",
            "ko",
            "ar",
            "fr",
            "es",
            "pt",
            "de",
            "sq",
            "gu",
            "sr",
            "hr",
            "bs",
        ]
    )
    assert required <= set(g.langs)


def test_cldr_snapshot_matches_babel() -> None:
    """rules/data/cldr.json holds the names the installed Babel's CLDR gives (whatever Babel's
    own version); a stale snapshot fails and says how to refresh it."""
    snap = cldr.load()
    fresh = json.loads(json.dumps(cldr.generate()))
    refresh = "stale rules/data/cldr.json: run `python -m rules.bilateral.cldr` and commit it"
    assert fresh["cldr"] == snap["cldr"], f"{refresh} (CLDR {snap['cldr']} -> {fresh['cldr']})"
    for key in ("zone_territories", "territories", "cities"):
        assert fresh[key] == snap[key], f"{refresh} ({key} differ)"


def test_data_files_say_where_they_come_from() -> None:
    """Every data file opens with a comment naming its source (JSON files carry a field)."""
    folder = resources.files("rules").joinpath("data")
    files = [p for p in folder.iterdir() if p.name.endswith(".toml")]
    files += [p for p in folder.joinpath("lang").iterdir() if p.name.endswith(".toml")]
    for path in files:
        head = path.read_text(encoding="utf-8").lstrip()[:600]
        assert head.startswith("#") and "Source" in head, path.name
    assert "CLDR" in cldr.load()["source"]


def test_gate_reads_a_stem_with_its_ending() -> None:
    """A stem meeting word ("சந்தித்து~") counts with an ending attached, in its language only:
    the gate decides which sentences are read at all, so a stem it ignored was never read."""
    g = gazetteer()
    folded = normalize("அவர் நேற்று அமைச்சரை சந்தித்துள்ளார்").folded
    langs: set[str] = set()
    assert g.meeting_words(folded, None, langs) and "ta" in langs
    assert g.meeting_words(folded, "ta")
    assert not g.meeting_words(folded, "hi")


# Texts in a known language where a longer phrase of another language's lexicon starts on
# (or runs over) the text's own words: (what, language, text, (surface, kind, value) wanted).
SHADOWED = [
    (
        "Marathi phrase over Hindi words",
        "hi",
        "दोनों प्रधानमंत्रियों ने द्विपक्षीय चर्चा की।",
        [("द्विपक्षीय", CUE, "bilateral"), ("चर्चा की", TRIGGER, "held")],
    ),
    (
        "Hindi phrase over Marathi words",
        "mr",
        "दोन्ही नेत्यांची प्रस्तावित बैठक पुढील आठवड्यात होणार आहे.",
        [("प्रस्तावित", CUE, "future"), ("बैठक", TRIGGER, "held")],
    ),
    (
        "Portuguese word over Spanish ones",
        "es",
        "El ex-ministro de Relaciones Exteriores se reunió con el embajador.",
        [("ex", CUE, "former"), ("ministro de Relaciones Exteriores", ROLE, "fm")],
    ),
    (
        "Japanese phrase, simplified, over Chinese words",
        "zh",
        "中国外长同美国国务卿举行电话会谈。",
        [("电话", CUE, "call"), ("会谈", TRIGGER, "held")],
    ),
    (
        "Arabic proclitic before a verb a shorter pattern starts",
        "ar",
        # (the imperfect joined by "and", ويلتقي, is itself a pattern: a plan in running text)
        "وسيلتقي وزير الخارجية نظيره غدا.",
        [("سيلتقي", TRIGGER, "scheduled")],
    ),
]


@pytest.mark.parametrize(("what", "lang", "text", "want"), SHADOWED, ids=[s[0] for s in SHADOWED])
def test_another_languages_phrase_hides_no_word_of_the_text(
    what: str, lang: str, text: str, want: list[tuple[str, int, str]]
) -> None:
    """The scan of a text in ``lang`` finds what a scan over that language's patterns alone
    would: the longest pattern of ``lang`` where another language's longer one was."""
    got = {
        (text[m.ostart : m.oend], e.kind, e.value)
        for m in gazetteer().scan(normalize(text), 0, lang)
        for e in m.entries
    }
    assert set(want) <= got


def test_gate_sees_a_meeting_word_after_another_languages_phrase() -> None:
    """The gate reads on inside the Marathi phrase that is no meeting word in Hindi."""
    folded = normalize("दोनों प्रधानमंत्रियों ने द्विपक्षीय चर्चा की।").folded
    hits = gazetteer().meeting_words(folded, "hi")
    assert [folded[i : i + 8] for i in hits] == ["चर्चा की"]


# Japanese "来日する" names no country: reading it as a visit to Japan lowered the held-out
# block (2026-12-07), so the plan is kept with its sides named elsewhere in the sentence.
_VISIT_NAMES_NO_COUNTRY = frozenset(("ja.toml: 来日する",))


def test_a_meeting_word_that_starts_with_a_visit_to_a_country_also_names_it() -> None:
    """The automaton keeps the longest pattern only: a trigger such as "訪中へ" or "방한한다"
    hides the "訪中"/"방한" inside it, so it must be listed under [visit_country] too or the
    destination is lost ("プーチン大統領が訪中へ" would name one side)."""
    lang_dir = resources.files("rules").joinpath("data/lang")
    hidden = []
    for path in sorted(p for p in lang_dir.iterdir() if p.name.endswith(".toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        visits = {w for ws in data.get("visit_country", {}).values() for w in ws}
        for words in data.get("trigger", {}).values():
            hidden += [
                f"{path.name}: {w}"
                for w in words
                if w not in visits and any(w.startswith(v) for v in visits)
            ]
    assert set(hidden) == _VISIT_NAMES_NO_COUNTRY


def test_no_localised_city_is_a_day_or_month_of_its_language() -> None:
    """A capital's CLDR name that is also a weekday or month of the same language (Persian
    دوشنبه: Dushanbe and Monday) would make every date a place; such names are listed in
    ``[cldr_skip]``. Checked over the whole snapshot, so a new CLDR release is caught."""
    snap = json.loads(resources.files("rules").joinpath("data/cldr.json").read_text("utf-8"))
    skip = data_file("countries.toml").get("cldr_skip", {})
    clashes = []
    for loc, zones in snap["cities"].items():
        calendar = build_language(loc.split("_")[0])
        if calendar is None:
            continue
        words = set(calendar.months) | set(calendar.weekdays)
        clashes += [
            (loc, city)
            for city in zones.values()
            if fold(city) in words and city not in skip.get(loc, ())
        ]
    assert clashes == []
    assert gazetteer().scan(normalize("روز دوشنبه")) == []
