"""Meeting dates read from text, per language (rules/dates/meeting.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from monitor.model import Item, Match, Meeting
from rules.dates.meeting import (
    date_of,
    dateline_date,
    extract_meeting_date,
    find_dates,
    languages_for,
    meeting_date,
    tense_for_status,
)

PUBLISHED = datetime(2025, 4, 3, 10, 0, tzinfo=UTC)  # a Thursday
D = date

# (lang, text, status, expected meeting date or None)
CASES: list[tuple[str | None, str, str, date | None]] = [
    # English
    ("en", "Jaishankar met Wang Yi in Astana on Wednesday.", "held", D(2025, 4, 2)),
    ("en", "Jaishankar will meet Wang Yi on Monday.", "scheduled", D(2025, 4, 7)),
    ("en", "The ministers met on April 2, 2025 in Astana.", "held", D(2025, 4, 2)),
    ("en", "The two leaders met Sept 9 in New Delhi.", "held", D(2024, 9, 9)),
    ("en", "Talks between the two are planned for Sept 9.", "scheduled", D(2025, 9, 9)),
    ("en", "The ministers met yesterday in Astana.", "held", D(2025, 4, 2)),
    ("en", "The ministers met last Thursday.", "held", D(2025, 3, 27)),
    ("en", "The ministers met earlier today.", "held", D(2025, 4, 3)),
    ("en", "Minutes of the 2025-04-01 meeting were published.", "held", D(2025, 4, 1)),
    ("en", "The talks on 04/01/2025 went well.", "held", D(2025, 4, 1)),
    ("en", "The ministers met to discuss trade and connectivity.", "held", None),
    ("en", "They met on April 20, 2025.", "held", None),  # a held meeting is never in the future
    ("en", "The ministers met on 1st April.", "held", D(2025, 4, 1)),
    # French
    ("fr", "Emmanuel Macron a reçu mercredi son homologue indien.", "held", D(2025, 4, 2)),
    ("fr", "Les deux ministres se sont rencontrés le 2 avril 2025.", "held", D(2025, 4, 2)),
    ("fr", "Les ministres se sont rencontrés hier à Astana.", "held", D(2025, 4, 2)),
    ("fr", "Ils se rencontrent aujourd’hui à Paris.", "held", D(2025, 4, 3)),
    ("fr", "Le président l'a reçu le 1er avril.", "held", D(2025, 4, 1)),
    ("fr", "La rencontre du 02/04/2025 a été annulée.", "cancelled", D(2025, 4, 2)),
    # German
    (
        "de",
        "Scholz hat Macron am Mittwochnachmittag im Kanzleramt empfangen.",
        "held",
        D(2025, 4, 2),
    ),
    ("de", "Die Minister trafen sich am 2. April 2025 in Berlin.", "held", D(2025, 4, 2)),
    ("de", "Die Minister trafen sich gestern in Warschau.", "held", D(2025, 4, 2)),
    ("de", "Hier in Berlin trafen sich die Minister.", "held", None),  # "hier" = here
    ("de", "Das Treffen am 02.04.2025 war kurz.", "held", D(2025, 4, 2)),
    # Spanish, Portuguese
    ("es", "Los cancilleres se reunieron ayer en Santiago.", "held", D(2025, 4, 2)),
    ("es", "El presidente lo recibió el 2 de abril de 2025.", "held", D(2025, 4, 2)),
    ("es", "El presidente se reunió por la mañana con su homólogo.", "held", None),
    ("es", "El presidente recibió este martes a su homólogo.", "held", D(2025, 4, 1)),
    ("es", "Los presidentes se reunirán mañana en Lima.", "scheduled", D(2025, 4, 4)),
    ("pt", "O chanceler recebeu ontem o ministro argentino.", "held", D(2025, 4, 2)),
    ("pt", "Os ministros reuniram-se em 2 de abril.", "held", D(2025, 4, 2)),
    # Russian
    ("ru", "Лавров и Джайшанкар встретились 2 апреля в Астане.", "held", D(2025, 4, 2)),
    ("ru", "Вчера Лавров встретился с Ван И.", "held", D(2025, 4, 2)),
    ("ru", "Лавров встретился с Ван И в среду.", "held", D(2025, 4, 2)),
    ("ru", "Среди министров был и Лавров.", "held", None),  # "среди" = among
    # Hindi (कल is yesterday or tomorrow: the tense decides)
    ("hi", "जयशंकर ने 2 अप्रैल 2025 को वांग यी से मुलाकात की।", "held", D(2025, 4, 2)),
    ("hi", "जयशंकर ने कल वांग यी से मुलाकात की।", "held", D(2025, 4, 2)),
    ("hi", "जयशंकर कल वांग यी से मिलेंगे।", "scheduled", D(2025, 4, 4)),
    ("hi", "जयशंकर आज वांग यी से मिले।", "held", D(2025, 4, 3)),
    ("hi", "जयशंकर बुधवार को वांग यी से मिले।", "held", D(2025, 4, 2)),
    ("hi", "जयशंकर ने २ अप्रैल को वांग यी से मुलाकात की।", "held", D(2025, 4, 2)),
    ("hi", "जयशंकर कलकत्ता में वांग यी से मिले।", "held", None),  # not कल
    # Chinese
    ("zh", "2025年4月2日，王毅在阿斯塔纳会见苏杰生。", "held", D(2025, 4, 2)),
    ("zh", "王毅4月2日在阿斯塔纳会见苏杰生。", "held", D(2025, 4, 2)),
    ("zh", "王毅2日在阿斯塔纳会见苏杰生。", "held", D(2025, 4, 2)),
    ("zh", "王毅昨天在阿斯塔纳会见苏杰生。", "held", D(2025, 4, 2)),
    ("zh", "王毅昨日在阿斯塔纳会见苏杰生。", "held", D(2025, 4, 2)),
    ("zh", "王毅今天会见苏杰生。", "held", D(2025, 4, 3)),
    ("zh", "上周四，王毅会见苏杰生。", "held", D(2025, 3, 27)),
    # Japanese
    ("ja", "石破首相は2日午後、李在明大統領と会談した。", "held", D(2025, 4, 2)),
    ("ja", "石破首相はきのう李在明大統領と会談した。", "held", D(2025, 4, 2)),
    ("ja", "石破首相は水曜日に李在明大統領と会談した。", "held", D(2025, 4, 2)),
    ("ja", "大統領が2日間の日程で日本を訪れる。", "scheduled", None),  # a duration
    # Korean
    ("ko", "조태열 장관은 2일 왕이 부장과 회담을 가졌다.", "held", D(2025, 4, 2)),
    ("ko", "조태열 장관은 어제 왕이 부장과 회담했다.", "held", D(2025, 4, 2)),
    ("ko", "조태열 장관은 4월 2일 왕이 부장과 회담했다.", "held", D(2025, 4, 2)),
    ("ko", "조태열 장관은 수요일에 왕이 부장과 회담했다.", "held", D(2025, 4, 2)),
    ("ko", "오늘날 한중 관계는 복잡하다.", "held", None),  # "nowadays"
    # Arabic, Urdu (proclitics, Levantine month names, Arabic-Indic digits)
    ("ar", "استقبل وزير الخارجية أمس نظيره الهندي.", "held", D(2025, 4, 2)),
    ("ar", "استقبل وزير الخارجية اليوم نظيره الهندي.", "held", D(2025, 4, 3)),
    ("ar", "استقبل وزير الخارجية، الأربعاء، نظيره الهندي.", "held", D(2025, 4, 2)),
    ("ar", "التقى الوزيران في ٢ أبريل ٢٠٢٥.", "held", D(2025, 4, 2)),
    ("ar", "التقى الوزيران في 2 نيسان.", "held", D(2025, 4, 2)),
    ("ar", "وأمس التقى الوزيران في أستانا.", "held", D(2025, 4, 2)),
    ("ur", "وزیر خارجہ نے کل اپنے ہم منصب سے ملاقات کی۔", "held", D(2025, 4, 2)),
    ("ur", "وزیر خارجہ نے بدھ کو اپنے ہم منصب سے ملاقات کی۔", "held", D(2025, 4, 2)),
    # Other detector languages
    ("bn", "পররাষ্ট্রমন্ত্রী গতকাল চীনের পররাষ্ট্রমন্ত্রীর সঙ্গে বৈঠক করেন।", "held", D(2025, 4, 2)),
    ("ta", "அமைச்சர் நேற்று சீன அமைச்சரை சந்தித்தார்.", "held", D(2025, 4, 2)),
    ("mr", "परराष्ट्र मंत्र्यांनी काल चीनच्या मंत्र्यांची भेट घेतली.", "held", D(2025, 4, 2)),
    # No language given: guessed from the script
    (None, "जयशंकर ने कल वांग यी से मुलाकात की।", "held", D(2025, 4, 2)),
    (None, "王毅昨天会见苏杰生。", "held", D(2025, 4, 2)),
]


@pytest.mark.parametrize(("lang", "text", "status", "expected"), CASES)
def test_meeting_date_per_language(
    lang: str | None, text: str, status: str, expected: date | None
) -> None:
    """The meeting date a text states is read in its language, relative to the publish time."""
    assert meeting_date(text, published=PUBLISHED, lang=lang, status=status) == expected


def test_dateline_is_the_reference_for_relative_words() -> None:
    """ "NAIROBI, Sept 9 (AFP) --": "on Saturday" counts back from the dateline."""
    text = "NAIROBI, Sept 9 (AFP) -- The leaders met on Saturday and adopted a declaration."
    published = datetime(2023, 9, 10, 1, 0, tzinfo=UTC)
    assert dateline_date(text, reference=published.date()) == D(2023, 9, 9)
    found = extract_meeting_date(text, published=published, lang="en", status="held")
    assert found is not None
    assert (found.value, found.source) == (D(2023, 9, 9), "text")  # Saturday = Sept 9


def test_dateline_is_the_fallback_not_the_meeting_date() -> None:
    """A dateline without any date in the body gives the dateline date, marked as such."""
    text = "WASHINGTON, April 2 (Reuters) - Rubio met Wang Yi to discuss trade."
    found = extract_meeting_date(text, published=PUBLISHED, lang="en", status="held")
    assert found is not None and (found.value, found.source) == (D(2025, 4, 2), "dateline")
    body_date = "ASTANA, April 3 (Reuters) - Jaishankar met Wang Yi on Wednesday."
    assert meeting_date(body_date, published=PUBLISHED, lang="en", status="held") == D(2025, 4, 2)


def test_spanish_dateline_in_parentheses() -> None:
    """ "Santo Domingo, Rep. Dom. (08 Agosto 2023).-" is a dateline, not the meeting date."""
    text = "Santo Domingo, Rep. Dom. (08 Agosto 2023).- El presidente recibió este martes al rey."
    published = datetime(2023, 8, 8, 15, 0, tzinfo=UTC)  # a Tuesday
    assert dateline_date(text, reference=published.date(), lang="es") == D(2023, 8, 8)
    assert meeting_date(text, published=published, lang="es", status="held") == D(2023, 8, 8)


def test_evidence_outranks_title_and_lead() -> None:
    """The evidence sentence's date wins over other dates in the article."""
    text = "On Monday the summit opened. Jaishankar met Wang Yi on Wednesday."
    evidence = ("Jaishankar met Wang Yi on Wednesday.",)
    found = meeting_date(text, published=PUBLISHED, lang="en", status="held", evidence=evidence)
    assert found == D(2025, 4, 2)
    assert meeting_date(text, published=PUBLISHED, lang="en", status="held") == D(2025, 3, 31)


def test_title_is_read_when_the_evidence_has_no_date() -> None:
    """A date in the headline is used when the evidence sentence names none."""
    found = meeting_date(
        "Jaishankar met Wang Yi in Astana.",
        title="Jaishankar, Wang Yi meet in Astana on Wednesday",
        published=PUBLISHED,
        lang="en",
        status="held",
        evidence=("Jaishankar met Wang Yi in Astana.",),
    )
    assert found == D(2025, 4, 2)


def test_source_time_zone_decides_what_today_is() -> None:
    """ "आज" in a paper published at 01:30 IST is the Indian date, not the UTC one."""
    published = datetime(2025, 4, 2, 20, 0, tzinfo=UTC)  # 01:30 on April 3 in India
    text = "जयशंकर आज वांग यी से मिले।"
    assert meeting_date(text, published=published, lang="hi", status="held") == D(2025, 4, 2)
    kolkata = ZoneInfo("Asia/Kolkata")
    assert meeting_date(text, published=published, lang="hi", status="held", tz=kolkata) == D(
        2025, 4, 3
    )


def test_year_is_inferred_towards_the_tense() -> None:
    """Without a year, held meetings look back ("Dec 30" on Jan 2) and scheduled ones ahead."""
    published = datetime(2025, 1, 2, 9, 0, tzinfo=UTC)
    assert meeting_date("They met Dec 30.", published=published, lang="en", status="held") == D(
        2024, 12, 30
    )
    assert meeting_date(
        "They will meet Jan 10.", published=published, lang="en", status="scheduled"
    ) == D(2025, 1, 10)
    assert meeting_date("They met on 30日.", published=published, lang="zh", status="held") == D(
        2024, 12, 30
    )


def test_find_dates_reports_each_expression_once() -> None:
    """ "ce jeudi 13 juillet" is a date and a weekday, each found once, not overlapping."""
    mentions = find_dates("ce jeudi 13 juillet", reference=D(2025, 7, 14), lang="fr", tense="past")
    assert [(m.kind, m.value) for m in mentions] == [
        ("weekday", D(2025, 7, 10)),
        ("month_day", D(2025, 7, 13)),
    ]


def test_tense_for_status() -> None:
    """Held meetings and calls look back, scheduled and cancelled ones forward."""
    assert [tense_for_status(s) for s in ("held", "call", "scheduled", "cancelled", None)] == [
        "past",
        "past",
        "future",
        "future",
        "any",
    ]


def test_languages_for_guesses_from_script_and_keeps_english() -> None:
    """Unknown or missing languages are guessed from the script; English is always read."""
    assert languages_for("hi-IN", "") == ("hi", "en")
    assert languages_for(None, "조태열 장관") == ("ko", "en")
    assert languages_for("xx", "Lavrov met Wang Yi") == ("en",)


def test_date_of_prefers_the_detector_then_the_text_then_the_publish_time() -> None:
    """A detector-supplied date wins; without one the text's; without that the publish date."""
    it = Item(id="1", source_id="s", title="", text="Jaishankar met Wang Yi yesterday.",
              published_at=PUBLISHED, lang="en")  # fmt: skip
    meeting = Meeting(("CN", "IN"), "held", evidence=(it.text,))
    m = Match("r", it.key, "bilateral_meeting", "", meeting.evidence, meeting)
    assert (date_of(it, m).value, date_of(it, m).source) == (D(2025, 4, 2), "text")
    dated = Match(
        "r",
        it.key,
        "bilateral_meeting",
        "",
        (),
        Meeting(("CN", "IN"), "held", meeting_date=D(2025, 4, 1)),
    )
    assert (date_of(it, dated).value, date_of(it, dated).source) == (D(2025, 4, 1), "detector")
    plain = Item(
        id="2", source_id="s", title="", text="They met.", published_at=PUBLISHED, lang="en"
    )
    m2 = Match("r", plain.key, "bilateral_meeting", "", (), Meeting(("CN", "IN"), "held"))
    assert (date_of(plain, m2).value, date_of(plain, m2).source) == (D(2025, 4, 3), "published")
