"""Cross-cutting properties: evidence is quoted exactly; languages, rosters and terms resolve."""

from __future__ import annotations

from datetime import date

import pytest

from rules.bilateral.detector import detect
from rules.bilateral.gazetteer import gazetteer
from rules.bilateral.language import guess_language
from tests.rules.test_detect_asia import CASES as ASIA
from tests.rules.test_detect_en import CASES as EN
from tests.rules.test_detect_europe import CASES as EUROPE

ALL = [c for c in EN + ASIA + EUROPE if c[2]]


@pytest.mark.parametrize(
    ("lang", "text", "want"), ALL, ids=[f"{c[0]}-{i}" for i, c in enumerate(ALL)]
)
def test_evidence_is_an_exact_substring(lang: str, text: str, want: list[str]) -> None:
    """Every evidence string is a verbatim slice of the input, whatever the fold did."""
    for meeting in detect(text, lang=lang):
        assert meeting.evidence
        for ev in meeting.evidence:
            assert ev and ev in text


def test_evidence_from_the_title_is_quoted_from_the_title() -> None:
    """Title and text are both read; each evidence string comes from one of them verbatim."""
    title = "Jaishankar meets Wang Yi in Astana"
    text = "The two ministers discussed the border.\u00a0They agreed to meet again."
    (m,) = detect(text, title=title)
    assert m.evidence == (title,)


LANGS = [
    ("English", "The minister met his counterpart in the capital.", "en"),
    ("English with an initial", "S. Jaishankar met Wang Yi.", "en"),
    ("French", "Le président a reçu son homologue à l'Élysée.", "fr"),
    ("Spanish", "El presidente se reunió con su homólogo en la capital.", "es"),
    ("Portuguese", "O presidente recebeu o seu homólogo no palácio.", "pt"),
    ("German", "Der Kanzler traf sich mit dem Präsidenten in der Hauptstadt.", "de"),
    # closed-class words only French writes ("où", "qui", "à") outvote the "en" Spanish shares
    ("French headline, où and à", "Le ministre en visite à Rome, où il a rencontré le pape", "fr"),
    ("Italian headline, tra", "Colloquio telefonico tra il premier e il presidente", "it"),
    # Turkish case endings after a name's apostrophe are no Albanian "i" or Portuguese "da"
    ("Turkish case endings", "Cumhurbaşkanı, Aliyev'i Beştepe'de kabul etti.", "tr"),
    ("Albanian", "Presidenti është takuar me homologun e tij në kryeqytet.", "sq"),
    ("Croatian", "Premijer se sastao s predsjednikom u Zagrebu i razgovarao je o suradnji.", "sr"),
    ("Hindi", "प्रधानमंत्री ने राष्ट्रपति से मुलाकात की।", "hi"),
    ("Marathi", "पंतप्रधानांनी राष्ट्राध्यक्षांची भेट घेतली आणि चर्चा केली आहे.", "mr"),
    ("Marathi headline", "पंतप्रधान आज रात्री जपानच्या राष्ट्राध्यक्षांशी चर्चा करणार", "mr"),
    ("Marathi headline, postponed", "परराष्ट्रमंत्र्यांची बैठक पुढे ढकलली", "mr"),
    ("Marathi headline, next month", "पंतप्रधानांचा दौरा पुढील महिन्यात", "mr"),
    ("Nepali headline", "प्रधानमन्त्री भोलि पाँच दिने चीन भ्रमणमा जाँदै", "ne"),
    ("Nepali case endings", "परराष्ट्रमन्त्री विमानबाट दिल्ली पुगे, प्रधानमन्त्रीसँग भेट", "ne"),
    ("Hindi headline", "प्रधानमंत्री मोदी आज शाम जापान के प्रधानमंत्री से मिलेंगे", "hi"),
    ("Urdu", "وزیر اعظم نے صدر سے ملاقات کی۔", "ur"),
    ("Arabic", "التقى الرئيس نظيره في القاهرة.", "ar"),
    ("Russian", "Президент встретился с коллегой в Москве.", "ru"),
    ("Serbian Cyrillic", "Председник се састао са колегом у Београду.", "sr"),
    # one Ukrainian letter and no Russian one (ы э ъ ё) is Ukrainian; a Russian letter
    # outweighs function words Serbian shares ("за", "из")
    ("Ukrainian headline, one і", "Прем'єр провів розмову з канцлером", "uk"),
    ("Russian with za/iz", "Министры за два дня из Минска прилетели в Баку", "ru"),
    ("Chinese", "习近平会见法国总统。", "zh"),
    ("Japanese", "首相はワシントンで大統領と会談した。", "ja"),
    # a headline of Han characters and one particle: Chinese writes no hiragana
    ("Japanese headline, one kana", "日豪首脳が電話会談", "ja"),
    # "met" is an English meeting word and Dutch for "with": the other words decide
    ("Dutch headline", "Schoof belt met Zelensky over steun aan Oekraïne", "nl"),
    ("Chinese with a Japanese name's dot", "岸田・文雄会见中国总理。", "zh"),
    ("Korean", "대통령은 워싱턴에서 정상회담을 가졌다.", "ko"),
    ("Bengali", "প্রধানমন্ত্রী রাষ্ট্রপতির সঙ্গে বৈঠক করেন।", "bn"),
    ("Tamil", "பிரதமர் அதிபரை சந்தித்தார்.", "ta"),
    ("Gujarati", "વડાપ્રધાને રાષ્ટ્રપતિ સાથે મુલાકાત કરી.", "gu"),
    # Polish, Swahili and Indonesian share short words with Portuguese and Italian ("na",
    # "do", "di"): their own commonest ones vote too
    ("Polish headline", "Premier z wizytą w Kijowie, rozmowy z prezydentem na temat pomocy", "pl"),
    ("Swahili headline", "Rais na mgeni wake wazungumza kuhusu biashara na usalama", "sw"),
    ("Indonesian headline", "Menlu bertemu mitranya di Jakarta untuk bahas kerja sama", "id"),
]


@pytest.mark.parametrize(("what", "text", "code"), LANGS, ids=[x[0] for x in LANGS])
def test_language_guess(what: str, text: str, code: str) -> None:
    """Undeclared languages are recognised from script and function words."""
    assert guess_language(None, [text]) == code


@pytest.mark.parametrize(
    ("declared", "code"),
    [("en-GB", "en"), ("hr", "sr"), ("bs", "sr"), ("ZH_hant", "zh"), ("hi", "hi")],
)
def test_declared_language_codes(declared: str, code: str) -> None:
    """Declared BCP 47 tags map to a lexicon (regional tags, Croatian/Bosnian to Serbian)."""
    assert guess_language(declared, ["whatever"]) == code


def test_roster_terms_follow_the_date() -> None:
    """A person's party follows the office held on the item's date (Rutte: NL, then NATO)."""
    g = gazetteer()
    rutte = next(p for p in g.roster.people if p.name == "Mark Rutte")
    term = rutte.term_at(date(2023, 1, 1))
    assert term is not None and term.party == "NL"
    term = rutte.term_at(date(2025, 1, 1))
    assert term is not None and term.party == "NATO"
    term = rutte.term_at(None)
    assert term is not None and term.party == "NATO"
    assert g.roster.office_handles["@pmoindia"] == "IN"
    assert g.roster.people[g.handles["@drsjaishankar"]].name == "S. Jaishankar"


def test_roster_covers_required_groups() -> None:
    """Heads of state/government or foreign ministers are known for G20, SCO, BRICS, ASEAN,
    EU and South Asian countries, and heads of the UN, NATO, EU, IMF, WHO and IAEA."""
    g = gazetteer()
    parties = {t.party for p in g.roster.people for t in p.terms}
    groups = {
        "G20": "AR AU BR CA CN FR DE IN ID IT JP KR MX RU SA ZA TR GB US EU",
        "SCO": "CN RU IN PK KZ KG TJ UZ IR BY",
        "BRICS": "BR RU IN CN ZA EG ET IR AE ID",
        "ASEAN": "BN KH ID LA MY MM PH SG TH VN TL",
        "EU": "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE",
        "South Asia": "AF BD BT IN MV NP PK LK",
        "organisations": "UN NATO EU IMF WHO IAEA",
    }
    missing = {code for codes in groups.values() for code in codes.split(" ")} - parties
    assert not missing


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("日米首脳が電話会談", [("JP", "US", "call")]),
        ("日中首脳会談、見送りへ", [("CN", "JP", "cancelled")]),
        ("日米首脳会談、来月開催へ", [("JP", "US", "scheduled")]),
    ],
)
def test_short_japanese_headlines_with_no_language_given(
    text: str, want: list[tuple[str, str, str]]
) -> None:
    """Invented headlines: one kana is enough to read them as Japanese, not Chinese."""
    assert [(*m.parties, m.status) for m in detect(text, decide=False)] == want


def test_a_french_headline_with_a_spanish_looking_en_and_no_language_given() -> None:
    """Invented: read as Spanish, the French visit found no French meeting word."""
    text = "Jean-Noël Barrot en visite à Kiev, où il a rencontré son homologue ukrainien"
    assert [(*m.parties, m.status) for m in detect(text, decide=False)] == [("FR", "UA", "held")]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # "à" is Portuguese as well as French: the Portuguese cue "adiou" is read
        ("Lula adiou a visita à Índia", [("BR", "IN", "cancelled")]),
        # "en" is French as well as Spanish and Dutch ("visite" is a Dutch word too)
        ("Macron, en visite en Italie, a rencontré Giorgia Meloni", [("FR", "IT", "held")]),
    ],
)
def test_romance_headlines_with_no_language_given(
    text: str, want: list[tuple[str, str, str]]
) -> None:
    """Invented short headlines whose few function words several languages share."""
    assert [(*sorted(m.parties), m.status) for m in detect(text, decide=False)] == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("मोदी-ट्रम्प भेट पुढील महिन्यात", [("IN", "US", "scheduled")]),
        ("जयशंकर-वांग यी बैठक पुढे ढकलली", [("CN", "IN", "cancelled")]),
    ],
)
def test_short_marathi_headlines_with_no_language_given(
    text: str, want: list[tuple[str, str, str]]
) -> None:
    """Invented verbless headlines: "next" or "pushed back" is enough to read them as Marathi,
    not Hindi (whose lexicon has neither)."""
    assert [(*m.parties, m.status) for m in detect(text, decide=False)] == want
