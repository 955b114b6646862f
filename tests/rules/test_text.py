"""rules.text: the fold, the offset map back to the original, sentences, boundaries."""

from __future__ import annotations

import pytest

from rules.sentences import SentenceFinder, split_sentences
from rules.text import boundary_after, boundary_before, fold, normalize

FOLDS = [
    ("ASCII is lower-cased", "New Delhi", "new delhi"),
    ("Turkish dotted capital I", "İRAN", "iran"),
    ("German sharp s", "Weißrussland", "weissrussland"),
    ("fullwidth Latin", "ＵＳＡ", "usa"),
    ("Arabic harakat and tatweel", "الهِنْد الصيـن", "الهند الصين"),
    ("Devanagari nukta (combining)", "फ़्रांस", "फ्रांस"),
    ("Devanagari nukta (precomposed)", "\u095e\u094d\u0930\u093e\u0902\u0938", "फ्रांस"),
    ("zero-width joiner inside a word", "पाकिस्\u200dतान", "पाकिस्तान"),
    ("non-breaking hyphen", "Guinea\u2011Bissau", "guinea-bissau"),
    ("curly apostrophe", "Côte d’Ivoire", "côte d'ivoire"),
    ("decomposed accent composes", "Co\u0302te", "côte"),
    ("Arabic presentation form", "\ufef7", "لا"),
    ("Urdu letters unify with Arabic", "پاکستانی", "پاكستاني"),
    ("chandrabindu folds to anusvara", "हाँ", "हां"),
]


@pytest.mark.parametrize(("what", "text", "folded"), FOLDS, ids=[f[0] for f in FOLDS])
def test_fold(what: str, text: str, folded: str) -> None:
    """Variant spellings fold to one form that patterns are stored in."""
    assert fold(text) == folded
    assert normalize(text).folded == folded


@pytest.mark.parametrize("text", [f[1] for f in FOLDS] + ["plain ascii text"])
def test_offset_map_points_back_into_the_original(text: str) -> None:
    """Every folded character maps to an original span; the whole maps to the whole text."""
    norm = normalize(text)
    start, end = norm.span(0, len(norm.folded))
    assert (start, end) == (0, len(text))
    for i in range(len(norm.folded)):
        s, e = norm.span(i, i + 1)
        assert 0 <= s < e <= len(text)


def test_offset_map_after_deletions_keeps_word_spans() -> None:
    """A word after a dropped nukta still maps to its exact original characters."""
    text = "फ़्रांस और भारत"
    norm = normalize(text)
    i = norm.folded.index("भारत")
    s, e = norm.span(i, i + len("भारत"))
    assert text[s:e] == "भारत"


SENTENCES = [
    (
        "initials and abbreviations do not end sentences",
        "Dr. Smith met U.S. officials. He left.",
        ["Dr. Smith met U.S. officials.", "He left."],
    ),
    (
        "Devanagari danda and an initial with a dot",
        "विदेश मंत्री एस. जयशंकर ने कहा। वे मिले।",
        ["विदेश मंत्री एस. जयशंकर ने कहा।", "वे मिले।"],
    ),
    (
        "Telugu, Tamil and Malayalam initials with a virama or one syllable",
        "మంత్రి ఎస్. జైశంకర్ వెళ్లారు. கி. வீரமணி வந்தார். ഡോ. എസ്. ജയശങ്കർ എത്തി. അത് ആണ്. కలిశా రు. అవి",
        [
            "మంత్రి ఎస్. జైశంకర్ వెళ్లారు.",
            "கி. வீரமணி வந்தார்.",
            "ഡോ. എസ്. ജയശങ്കർ എത്തി.",
            "അത് ആണ്.",
            "కలిశా రు.",
            "అవి",
        ],
    ),
    ("CJK full stop without spaces", "王毅会见外长。后来见面。", ["王毅会见外长。", "后来见面。"]),
    ("Arabic question mark", "هل التقيا؟ نعم.", ["هل التقيا؟", "نعم."]),
    ("Urdu full stop", "ملاقات کی۔ پھر", ["ملاقات کی۔", "پھر"]),
    (
        "a headline line",
        "Modi meets Xi\nThe two leaders met.",
        ["Modi meets Xi", "The two leaders met."],
    ),
    (
        "a hard-wrapped line goes on; a line of its own ends",
        "Rais Samia alikutana,\nkama ilivyopangwa, na Rais Ruto\nmjini Arusha.\nHabari\nZaidi",
        [
            "Rais Samia alikutana,\nkama ilivyopangwa, na Rais Ruto\nmjini Arusha.",
            "Habari",
            "Zaidi",
        ],
    ),
    (
        "Swahili honorifics before a name",
        "Rais Samia amekutana na Mhe. Dkt. William Ruto. Bw. Odinga hakuwepo.",
        ["Rais Samia amekutana na Mhe. Dkt. William Ruto.", "Bw. Odinga hakuwepo."],
    ),
    (
        "an abbreviation ending a compound",
        "They held Canada-U.S. Trade Talks. The EU-U.K. Summit ended. Both sides left.",
        ["They held Canada-U.S. Trade Talks.", "The EU-U.K. Summit ended.", "Both sides left."],
    ),
    ("decimals and times", "At 7.45 p.m. local time he met.", ["At 7.45 p.m. local time he met."]),
    (
        "two dots inside a Telugu sentence are a pause",
        "ప్రధాని మోదీ.. జపాన్ ప్రధానితో భేటీ అయ్యారు. తర్వాత",
        ["ప్రధాని మోదీ.. జపాన్ ప్రధానితో భేటీ అయ్యారు.", "తర్వాత"],
    ),
    (
        "an ellipsis before a capital still ends one",
        "They met... He left.",
        ["They met...", "He left."],
    ),
    (
        "an ellipsis written solid between two words joins the parts of a headline",
        "한미 회담…공조 확인\n끝났다… 다음 날",
        ["한미 회담…공조 확인", "끝났다…", "다음 날"],
    ),
    (
        "German ordinals (a day before its month, a number after an article) end nothing",
        "Am 3. Oktober kam er zur 12. Sitzung des Rates. Sie blieb. He scored 15. Then he left.",
        [
            "Am 3. Oktober kam er zur 12. Sitzung des Rates.",
            "Sie blieb.",
            "He scored 15.",
            "Then he left.",
        ],
    ),
]


@pytest.mark.parametrize(("what", "text", "want"), SENTENCES, ids=[s[0] for s in SENTENCES])
def test_split_sentences(what: str, text: str, want: list[str]) -> None:
    """Sentences end at ., ।, 。, ؟, ۔ and line breaks, not at initials or abbreviations."""
    assert [text[s.start : s.end] for s in split_sentences(text)] == want


@pytest.mark.parametrize("text", [s[1] for s in SENTENCES])
def test_sentence_finder_agrees_with_the_full_split(text: str) -> None:
    """Finding the sentence around any offset gives the same spans as splitting everything."""
    finder = SentenceFinder(text)
    spans = [(s.start, s.end) for s in split_sentences(text)]
    assert [(s.start, s.end) for s in finder.first(len(spans))] == spans
    for start, end in spans:
        for pos in range(start, end):
            got = finder.around(pos)
            assert (got.start, got.end) == (start, end)


def _cluster_by_cluster(text: str, casefold: bool) -> tuple[str, list[int], list[int]]:
    """The slow fold as it was first written: every cluster on its own (the reference)."""
    from rules.text import _CLUSTER, _fold_char

    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for m in _CLUSTER.finditer(text):
        out = _fold_char(m.group(), casefold)
        pieces.append(out)
        starts += [m.start()] * len(out)
        ends += [m.end()] * len(out)
    return "".join(pieces), [*starts, len(text)], ends


@pytest.mark.parametrize("casefold", [True, False])
def test_slow_fold_by_runs_equals_cluster_by_cluster(casefold: bool) -> None:
    """``_slow`` folds runs of plain characters at once; the text and both offset maps are
    what folding each cluster alone gives (fullwidth signs, "ß", combining accents, dropped
    marks, letter variants, astral characters, Han)."""
    import random

    from rules.text import _slow

    pieces = ["中国", "（", "）", "ß", "Straße", "e\u0301", "\u0301", "o\u0302\u0323", "A", "Å"]
    pieces += ["\u00ad", "\u200d", "الهِنْد", "ی", "\ufef7", "ＵＳＡ", "İ", "ﬁ", "𝐀", "😀", " "]
    pieces += ["फ़्रांस", "\u0958", "’", "—", "\n", "x", "ŉ", "ΐ", "Σς", "\u0345"]
    rng = random.Random("slow-fold")
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        norm = _slow(text, casefold)
        folded, starts, ends = _cluster_by_cluster(text, casefold)
        assert norm.folded == folded, repr(text)
        assert list(norm.starts or []) == starts, repr(text)
        assert list(norm.ends or []) == ends, repr(text)


def test_stored_unicode_classes_are_what_the_running_unicode_database_derives() -> None:
    """The classes kept per Unicode version (so a start does not derive them) are the ones
    derived from the running Python's database; a version not stored derives them."""
    import unicodedata

    from rules import unitables

    if unicodedata.unidata_version not in unitables.STORED:
        pytest.skip(f"no stored classes for Unicode {unicodedata.unidata_version}")
    assert unitables.nfkc_changes() == frozenset(unitables.derive_nfkc_changes())
    assert unitables.expands() == frozenset(unitables.derive_expands())
    assert 0xFF21 in unitables.nfkc_changes() and 0xDF in unitables.expands()  # "Ａ", "ß"


def test_a_word_final_urdu_letter_ends_its_word_without_a_space() -> None:
    """Urdu sets the word after bari ye without a space ("سےبات"): two words all the same;
    a letter that also joins inside a word (ی) is no boundary."""
    text = "وزیر سےبات کی"
    at = text.index("بات")
    assert boundary_before(text, at)
    assert boundary_after(text, at)
    joined = "پاکستانی"
    assert not boundary_before(joined, joined.index("ی"))
