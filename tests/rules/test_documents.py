"""Whole documents: several meetings, plans and asides in one text, read together."""

from __future__ import annotations

from monitor.model import Meeting
from rules.bilateral.detector import detect


def summary(meetings: list[Meeting]) -> dict[str, tuple[str, str | None]]:
    return {"-".join(sorted(m.parties)): (m.status, m.location) for m in meetings}


def test_press_release_with_visit_calls_and_a_next_stop() -> None:
    """A ministry readout: talks and a call-on held in Tokyo, a meeting planned in Seoul."""
    text = (
        "External Affairs Minister Dr. S. Jaishankar is on an official visit to Japan from 5-8 "
        "March. On 6 March, EAM held talks with Foreign Minister Takeshi Iwaya in Tokyo. The two "
        "ministers reviewed the Special Strategic and Global Partnership. In the afternoon, EAM "
        "called on Prime Minister Shigeru Ishiba. He also met leaders of Japanese industry and "
        "addressed a gathering of the Indian community. EAM will travel to Seoul on 8 March, "
        "where he is scheduled to meet Foreign Minister Cho Tae-yul."
    )
    got = summary(detect(text, lang="en"))
    assert got == {"IN-JP": ("held", "Tokyo"), "IN-KR": ("scheduled", "Seoul")}


def test_summit_story_keeps_only_the_bilaterals() -> None:
    """A summit article: the joint statement of four is nothing; sideline meetings count."""
    text = (
        "Leaders of the G20 gathered in Rio de Janeiro on Monday for a two-day summit. Brazil, "
        "India, South Africa and the United States issued a joint statement on climate finance. "
        "On the sidelines, Chinese President Xi Jinping met US President Joe Biden for what is "
        "expected to be their last meeting. Prime Minister Narendra Modi held bilateral talks "
        "with Italian Prime Minister Giorgia Meloni and French President Emmanuel Macron. Modi "
        "will meet Australian Prime Minister Anthony Albanese on Tuesday."
    )
    got = {k: v[0] for k, v in summary(detect(text, lang="en")).items()}
    assert got == {"CN-US": "held", "IN-IT": "held", "FR-IN": "held", "AU-IN": "scheduled"}


def test_headline_and_speculation() -> None:
    """The held meeting is reported once, from the headline and the sentence; a meeting
    "likely" on a stated day is a plan (the labelling convention, data/meetings/README.md)."""
    text = (
        "Modi, Putin hold talks in Kazan; Xi meeting likely\n"
        "Prime Minister Narendra Modi held talks with Russian President Vladimir Putin in Kazan "
        "on Tuesday on the sidelines of the BRICS summit. A meeting with Chinese President Xi "
        "Jinping is likely on Wednesday, officials said."
    )
    found = {"-".join(sorted(m.parties)): m for m in detect(text, lang="en")}
    assert {k: m.status for k, m in found.items()} == {"IN-RU": "held", "CN-IN": "scheduled"}
    assert len(found["IN-RU"].evidence) == 2


def test_pronouns_carry_the_protagonist() -> None:
    """ "He", "उनका" and dropped subjects stand for the article's main actor."""
    hindi = (
        "प्रधानमंत्री नरेंद्र मोदी सोमवार को तीन दिवसीय यात्रा पर फ्रांस पहुंचे। पेरिस में राष्ट्रपति "
        "इमैनुएल मैक्रों ने उनका स्वागत किया। इसके बाद प्रधानमंत्री अमेरिका के लिए रवाना होंगे, जहां "
        "वह राष्ट्रपति ट्रंप से मुलाकात करेंगे।"
    )
    assert {"-".join(sorted(m.parties)): m.status for m in detect(hindi, lang="hi")} == {
        "FR-IN": "held",
        "IN-US": "scheduled",
    }
    spanish = "El presidente Javier Milei viajó a Washington. Allí se reunió con Donald Trump."
    assert [set(m.parties) for m in detect(spanish, lang="es")] == [{"AR", "US"}]


def test_quoted_reaction_after_talks() -> None:
    """A quote opening the story does not hide the talks it is about."""
    text = (
        '"We had a very good meeting," Japanese Prime Minister Shigeru Ishiba told reporters '
        "after talks with South Korean President Lee Jae-myung in Tokyo."
    )
    assert summary(detect(text, lang="en")) == {"JP-KR": ("held", "Tokyo")}
