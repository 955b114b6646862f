"""Two mechanisms that must hold on any text, not on particular items.

Written sentences (real officials, invented occasions); none is taken from the corpus.
"""

from __future__ import annotations

from rules.bilateral.detector import detect

GLOSSED = (
    "नई दिल्ली (New Delhi) में जी20 सम्मेलन (G20 Conference) से पहले सोमवार को विदेश मंत्री एस. "
    "जयशंकर (External Affairs Minister S. Jaishankar) और जापान के विदेश मंत्री ताकेशी इवाया "
    "(Japanese Foreign Minister Takeshi Iwaya) के बीच द्विपक्षीय बैठक हुई।"
)


def test_english_glosses_in_a_hindi_text_are_not_read_twice() -> None:
    meetings = detect(GLOSSED)
    assert [(m.parties, m.status, m.location) for m in meetings] == [
        (("IN", "JP"), "held", "New Delhi")
    ]
    # the evidence still quotes the text as written, glosses included
    assert meetings[0].evidence[0] in GLOSSED
    assert "(New Delhi)" in meetings[0].evidence[0]


def test_the_same_sentence_without_glosses_reads_the_same() -> None:
    plain = GLOSSED
    for gloss in (
        " (External Affairs Minister S. Jaishankar)",
        " (New Delhi)",
        " (G20 Conference)",
        " (Japanese Foreign Minister Takeshi Iwaya)",
    ):
        plain = plain.replace(gloss, "")
    assert [(m.parties, m.status) for m in detect(plain)] == [(("IN", "JP"), "held")]


def test_a_request_in_another_clause_does_not_unmake_the_meeting() -> None:
    text = (
        "As Tokyo had requested last week, Prime Minister Narendra Modi held a phone call "
        "with Japanese Prime Minister Shigeru Ishiba on Monday."
    )
    assert [(m.parties, m.status) for m in detect(text)] == [(("IN", "JP"), "call")]


def test_a_request_in_the_same_clause_still_governs() -> None:
    text = "Japan requested a meeting with Indian Prime Minister Narendra Modi next month."
    assert all(m.status != "held" for m in detect(text))


def test_split_verb_prefilter_is_a_superset_of_the_search() -> None:
    """``may_hold`` (one automaton pass on every quiet text) must pass every text in which
    ``find`` sees a split meeting verb, the particle ending the text or followed by a next
    word included, and turn away a particle inside a word or mid-clause."""
    from rules.bilateral.gazetteer import gazetteer

    split = gazetteer().langs["de"].split
    assert split is not None
    held = [
        "der minister kommt am montag mit seinem amtskollegen zusammen.",
        "der kanzler ruft den präsidenten an",
        "der kanzler ruft den präsidenten an   ",
        "die ministerin kommt mit ihm zusammen mit blick auf die wahl",
    ]
    for text in held:
        assert split.find(text, triggers_only=True), text
        assert split.may_hold(text), text
    for text in ("der plan kommt an die öffentlichkeit", "iran and an ally met", "anruf"):
        assert not split.find(text, triggers_only=True), text
        assert not split.may_hold(text), text
