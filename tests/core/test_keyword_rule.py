"""The keyword rule: Unicode-aware, script-aware whole-word matching with exact evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from monitor.model import Item
from rules import RULES
from rules.keyword import KeywordOptions, KeywordRule, find_term
from rules.sentences import split_sentences
from rules.text import normalize


def rule(**options: Any) -> KeywordRule:
    return KeywordRule(KeywordOptions(id="kw", type="keyword", **options))


def item(text: str, title: str = "", lang: str | None = None) -> Item:
    return Item(id="1", source_id="src", title=title, text=text, lang=lang)


# (terms, text, matches?, why)
CASES: list[tuple[dict[str, Any], str, bool, str]] = [
    ({"any": ["भारत"]}, "भारत और चीन के रिश्ते", True, "whole Devanagari word"),
    ({"any": ["भारत"]}, "भारतीय विदेश मंत्री ने कहा", False, "भारतीय (Indian) is a longer word"),
    ({"any": ["भारत"]}, "भारत-चीन सीमा", True, "hyphen is a boundary"),
    ({"any": ["भारत"]}, "भारत।", True, "danda is a boundary"),
    ({"any": ["चीन"]}, "चीनी सामान", False, "vowel sign after the term: चीनी (Chinese)"),
    ({"any": ["मंत्री"]}, "विदेश मंत्रियों से मिले", False, "inflected plural continues the word"),
    ({"any": ["जयशंकर"]}, "एस. जयशंकर ने कहा", True, "postposition separated by a space"),
    ({"any": ["फ्रांस"]}, "फ़्रांस के राष्ट्रपति", True, "nukta folded: फ़ = फ"),
    ({"any": ["फ़्रांस"]}, "फ्रांस के राष्ट्रपति", True, "nukta folded in the term too"),
    ({"any": ["क़ानून"]}, "\u0958ानून बना", True, "precomposed क़ (U+0958) equals क + nukta"),
    ({"any": ["क्षेत्र"]}, "क्\u200dषेत्र में", True, "ZWJ inside a conjunct is ignored"),
    ({"any": ["India"]}, "Indiana Jones returns", False, "Latin letter after the term"),
    ({"any": ["India"]}, "INDIA and China", True, "case-insensitive by default"),
    ({"any": ["India"], "case_sensitive": True}, "INDIA and China", False, "case-sensitive"),
    ({"any": ["US"], "case_sensitive": True}, "Us and them", False, "acronym, case-sensitive"),
    ({"any": ["Strasse"]}, "Die Straße ist lang", True, "casefold: ß = ss"),
    ({"any": ["USA"]}, "ＵＳＡ と日本", True, "NFKC: fullwidth letters"),
    ({"any": ["Côte d’Ivoire"]}, "talks with Côte d’Ivoire today", True, "curly apostrophe"),
    ({"any": ["中国"]}, "中国外交部长王毅会见印度外长", True, "CJK needs no boundary"),
    (
        {"any": ["印度"]},
        "印度尼西亚总统",
        True,
        "CJK substring (the detector, not this rule, knows 印度尼西亚)",
    ),
    ({"any": ["王毅"]}, "外长王毅会见", True, "CJK inside a run of Han"),
    ({"any": ["인도"]}, "인도는 중국과", True, "Hangul: particles attach on the right"),
    ({"any": ["ไทย"]}, "ประเทศไทยและจีน", True, "Thai is written without spaces"),
    ({"any": ["G20"]}, "在G20峰会上", True, "Latin term next to Han characters"),
    ({"any": ["الصين"]}, "التقى وزير الخارجية والصين", True, "Arabic proclitic و before it"),
    ({"any": ["الصين"]}, "الصينية", False, "Arabic: a longer word"),
    ({"any": ["Russia-India"]}, "the Russia–India talks", True, "dashes are one character"),
    ({"any": ["Modi", "Xi"]}, "Modi met Xi", True, "any: one term is enough"),
    ({"all": ["Modi", "Xi"]}, "Modi met Putin", False, "all: every term must appear"),
    ({"all": ["Modi", "Xi"]}, "Xi hosted Modi", True, "all: order does not matter"),
    ({"any": ["Modi"], "none": ["cricket"]}, "Modi watched cricket", False, "none vetoes"),
    ({"any": ["Modi"], "none": ["क्रिकेट"]}, "Modi met Albanese", True, "none absent"),
    ({"regex": [r"\bmet\s+(?:with\s+)?Wang"]}, "Jaishankar met with Wang Yi", True, "regex"),
    ({"regex": "wang yi"}, "Jaishankar met Wang Yi", True, "regex case-insensitive by default"),
    ({"any": ["Modi"], "regex": ["summit"]}, "Modi speaks", False, "any and regex both needed"),
]


@pytest.mark.parametrize(("options", "text", "expected", "why"), CASES, ids=[c[3] for c in CASES])
def test_matching_table(options: dict[str, Any], text: str, expected: bool, why: str) -> None:
    """Each row: the rule matches the text exactly when expected (reason in the row id)."""
    assert bool(rule(**options).evaluate(item(text))) is expected, why


def test_evidence_is_exact_sentences_of_the_original() -> None:
    """Evidence is the sentences with hits, exact substrings of title or text, in order."""
    text = (
        "Talks were held. विदेश मंत्री एस. जयशंकर ने अस्ताना में वांग यी से मुलाकात की है। "
        "दूसरा वाक्य।\nMr. Wang later met ministers."
    )
    matches = rule(any=["जयशंकर", "Wang"]).evaluate(item(text, title="Jaishankar in Astana"))
    assert len(matches) == 1
    match = matches[0]
    assert match.evidence == (
        "विदेश मंत्री एस. जयशंकर ने अस्ताना में वांग यी से मुलाकात की है।",
        "Mr. Wang later met ministers.",
    )
    for sentence in match.evidence:
        assert sentence in text
    assert match.kind == "keyword" and match.rule_id == "kw" and match.item_key == "src:1"
    assert "Jaishankar in Astana" in match.summary and "जयशंकर" in match.summary


def test_evidence_offsets_survive_normalisation() -> None:
    """With folding that changes lengths (nukta, ß, ligatures) evidence is still exact."""
    text = "ﬁrst line.\nफ़्रांस और भारत मिले। Straße talks."
    matches = rule(any=["फ्रांस", "strasse"]).evaluate(item(text))
    assert matches[0].evidence == ("फ़्रांस और भारत मिले।", "Straße talks.")


def test_hits_map_back_to_the_original() -> None:
    """A hit in the folded text (the detector's fold) is a span of the original text."""
    original = "Ｆ\u0958ा Straße, «Côte d’Ivoire»"
    norm = normalize(original)
    assert [original[s:e] for s, e in find_term(norm, "strasse")] == ["Straße"]
    term = normalize("Côte d'Ivoire").folded
    assert [original[s:e] for s, e in find_term(norm, term)] == ["Côte d’Ivoire"]
    cased = normalize(original, casefold=False)
    assert find_term(cased, "strasse") == [] and len(find_term(cased, "Straße")) == 1


def test_sentence_spans_keep_initials_and_abbreviations() -> None:
    """Initials (एस., U.S.) and titles (Mr., Dr.) do not end a sentence; । and ? do."""
    text = "Mr. Blinken met the U.S. team. एस. जयशंकर ने कहा। क्या? Yes"
    parts = [text[s.start : s.end] for s in split_sentences(text)]
    assert parts == ["Mr. Blinken met the U.S. team.", "एस. जयशंकर ने कहा।", "क्या?", "Yes"]


def test_seed_article_matches_with_hindi_terms() -> None:
    """The seed article (Hindi) matches जयशंकर and its evidence sentences are in the text."""
    seed = Path(__file__).resolve().parents[1] / "fixtures" / "core" / "seed-article-hi.txt"
    text = seed.read_text(encoding="utf-8")
    matches = rule(any=["वांग यी"], languages=["hi"]).evaluate(item(text, lang="hi"))
    assert len(matches) == 1
    assert matches[0].evidence[0] == (
        "विदेश मंत्री एस. जयशंकर ने कजाकिस्तान की राजधानी अस्ताना में शंघाई सहयोग संगठन (SCO) के "
        "वार्षिक शिखर सम्मेलन में चीन के विदेश मंत्री वांग यी से मुलाकात की है।"
    )
    assert all(sentence in text for sentence in matches[0].evidence)


def test_options_filter_and_registry() -> None:
    """The rule is registered as "keyword"; languages/sources filters come from the base."""
    assert RULES["keyword"] is KeywordRule
    opts = KeywordOptions(id="kw", type="keyword", any=["x"], languages=["hi"], sources=["a"])
    assert opts.accepts(Item(id="1", source_id="a", title="", text="", lang="hi-IN"))
    assert not opts.accepts(Item(id="1", source_id="a", title="", text="", lang="en"))
    assert not opts.accepts(Item(id="1", source_id="b", title="", text="", lang="hi"))
