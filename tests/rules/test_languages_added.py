"""Language data for tr, fa, it, uk, pl, vi, id, sw, nl, ml, te, ne, pa, si: country names in
their case forms, demonyms, roles and meeting words are found; the language is guessed; a
plain bilateral sentence in each language gives its pair. Sentences written for these tests."""

from __future__ import annotations

import pytest

from rules.bilateral.detector import detect
from rules.bilateral.gazetteer import scan_text
from rules.bilateral.inflect_pl_uk import pl_adjective, pl_name, uk_adjective, uk_name
from rules.bilateral.language import guess_language
from rules.bilateral.records import CAPITAL, COUNTRY, DEMONYM, ROLE, TRIGGER

_KIND = {COUNTRY: "name", DEMONYM: "adj", ROLE: "role", TRIGGER: "meet", CAPITAL: "capital"}


def found(text: str) -> set[tuple[str, str, str]]:
    """(matched text, kind, value) of every name, demonym, role and meeting word."""
    _, mentions = scan_text(text)
    out = set()
    for m in mentions:
        for e in m.entries:
            if e.kind in _KIND:
                out.add((text[m.ostart : m.oend], _KIND[e.kind], e.value))
    return out


# (language, sentence, what must be found: (surface, kind, code or class))
CASES = [
    (
        "tr",
        "Türkiye Cumhurbaşkanı, Rusya'nın Ankara büyükelçisini kabul etti.",
        [
            ("Türkiye", "name", "TR"),
            ("Rusya", "name", "RU"),
            ("Cumhurbaşkanı", "role", "hos"),
            ("büyükelçisini", "role", "envoy"),
            ("kabul etti", "meet", "held"),
        ],
    ),
    (
        "tr",
        "Dışişleri Bakanı, Alman mevkidaşı ve Çinlilerle telefonda görüştü; ABD'ye gidecek.",
        [
            ("Alman", "adj", "DE"),
            ("Çinlilerle", "adj", "CN"),
            ("Dışişleri Bakanı", "role", "fm"),
            ("telefonda görüştü", "meet", "call"),
            ("ABD", "name", "US"),
        ],
    ),
    (
        "tr",
        "İki bakan gelecek hafta Tahran'da görüşecek.",
        [("Tahran", "capital", "IR"), ("görüşecek", "meet", "scheduled")],
    ),
    (
        "fa",
        "رئیس‌جمهور ایران با نخست‌وزیر هند در تهران دیدار کرد.",
        [
            ("ایران", "name", "IR"),
            ("هند", "name", "IN"),
            ("رئیس‌جمهور", "role", "hos"),
            ("نخست‌وزیر", "role", "hog"),
            ("دیدار کرد", "meet", "held"),
        ],
    ),
    (
        "fa",
        "وزیر خارجه با همتای روسی خود گفت و گوی تلفنی داشت.",
        [("روسی", "adj", "RU"), ("همتای", "role", "counterpart"), ("تلفنی", "meet", "call")],
    ),
    (
        "it",
        "La premier ha incontrato il presidente ucraino; gli Usa e la Cina erano assenti.",
        [
            ("ucraino", "adj", "UA"),
            ("Usa", "name", "US"),
            ("Cina", "name", "CN"),
            ("premier", "role", "hog"),
            ("ha incontrato", "meet", "held"),
        ],
    ),
    (
        "it",
        "Il ministro degli Esteri ha avuto una telefonata con l'omologa tedesca.",
        [
            ("tedesca", "adj", "DE"),
            ("ministro degli Esteri", "role", "fm"),
            ("telefonata", "meet", "call"),
            ("omologa", "role", "counterpart"),
        ],
    ),
    (
        "uk",
        "Президент України зустрівся з прем'єр-міністром Польщі та послом Китаю у Києві.",
        [
            ("України", "name", "UA"),
            ("Польщі", "name", "PL"),
            ("Китаю", "name", "CN"),
            ("Києві", "capital", "UA"),
            ("зустрівся", "meet", "held"),
            ("прем'єр-міністром", "role", "hog"),
        ],
    ),
    (
        "uk",
        "Міністр провів телефонну розмову з британським колегою щодо Великої Британії й Німеччини.",
        [
            ("британським", "adj", "GB"),
            ("Великої Британії", "name", "GB"),
            ("Німеччини", "name", "DE"),
            ("провів телефонну розмову", "meet", "call"),
            ("колегою", "role", "counterpart"),
        ],
    ),
    (
        "pl",
        "Prezydent Polski spotkał się z kanclerzem Niemiec i premierem Wielkiej Brytanii"
        " w Waszyngtonie.",
        [
            ("Polski", "name", "PL"),
            ("Niemiec", "name", "DE"),
            ("Wielkiej Brytanii", "name", "GB"),
            ("Waszyngtonie", "capital", "US"),
            ("spotkał się", "meet", "held"),
            ("kanclerzem", "role", "hog"),
        ],
    ),
    (
        "pl",
        "Szef MSZ rozmawiał telefonicznie z chińskim odpowiednikiem o Chinach, Indiach i Ukrainie.",
        [
            ("chińskim", "adj", "CN"),
            ("Chinach", "name", "CN"),
            ("Indiach", "name", "IN"),
            ("Ukrainie", "name", "UA"),
            ("rozmawiał telefonicznie", "meet", "call"),
        ],
    ),
    (
        "vi",
        "Thủ tướng Đức hội đàm với Tổng thống Nga và Ngoại trưởng Mỹ tại Hà Nội.",
        [
            ("Đức", "name", "DE"),
            ("Nga", "name", "RU"),
            ("Mỹ", "name", "US"),
            ("Hà Nội", "capital", "VN"),
            ("hội đàm", "meet", "held"),
            ("Ngoại trưởng", "role", "fm"),
        ],
    ),
    (
        "vi",
        "Chủ tịch nước sẽ điện đàm với Thủ tướng Ý và Thủ tướng Nhật Bản.",
        [
            ("Chủ tịch nước", "role", "hos"),
            ("Thủ tướng Ý", "role", "hog"),
            ("Nhật Bản", "name", "JP"),
            ("điện đàm", "meet", "call"),
        ],
    ),
    (
        "id",
        "Presiden RI bertemu Perdana Menteri Malaysia dan Menlu AS di Istana Merdeka.",
        [
            ("RI", "name", "ID"),
            ("Malaysia", "name", "MY"),
            ("AS", "name", "US"),
            ("Perdana Menteri", "role", "hog"),
            ("Menlu", "role", "fm"),
            ("bertemu", "meet", "held"),
        ],
    ),
    (
        "id",
        "Menteri Luar Negeri Tiongkok dijadwalkan berkunjung ke Jepang pekan depan.",
        [
            ("Tiongkok", "name", "CN"),
            ("Jepang", "name", "JP"),
            ("Menteri Luar Negeri", "role", "fm"),
            ("dijadwalkan", "meet", "scheduled"),
        ],
    ),
    (
        "sw",
        "Rais wa Kenya alikutana na Waziri Mkuu wa Uingereza na Wachina jijini Nairobi.",
        [
            ("Kenya", "name", "KE"),
            ("Uingereza", "name", "GB"),
            ("Wachina", "adj", "CN"),
            ("Nairobi", "capital", "KE"),
            ("Rais", "role", "hos"),
            ("alikutana na", "meet", "held"),
        ],
    ),
    (
        "sw",
        "Waziri wa Mambo ya Nje wa Tanzania atakutana na balozi wa Marekani.",
        [
            ("Tanzania", "name", "TZ"),
            ("Marekani", "name", "US"),
            ("balozi", "role", "envoy"),
            ("atakutana na", "meet", "scheduled"),
        ],
    ),
    (
        "nl",
        "De Nederlandse premier ontmoette de Chinese president; het Verenigd Koninkrijk"
        " en de VS belden.",
        [
            ("Nederlandse", "adj", "NL"),
            ("Chinese", "adj", "CN"),
            ("Verenigd Koninkrijk", "name", "GB"),
            ("VS", "name", "US"),
            ("premier", "role", "hog"),
            ("ontmoette", "meet", "held"),
        ],
    ),
    (
        "nl",
        "De minister van Buitenlandse Zaken voerde een telefoongesprek met zijn Duitse ambtgenoot.",
        [
            ("Duitse", "adj", "DE"),
            ("minister van Buitenlandse Zaken", "role", "fm"),
            ("telefoongesprek", "meet", "call"),
            ("ambtgenoot", "role", "counterpart"),
        ],
    ),
    (
        "ml",
        "ഇന്ത്യൻ പ്രധാനമന്ത്രി ജപ്പാൻ വിദേശകാര്യ മന്ത്രി കൂടിക്കാഴ്ച നടത്തി.",
        [
            ("ഇന്ത്യൻ", "adj", "IN"),
            ("ജപ്പാൻ", "name", "JP"),
            ("പ്രധാനമന്ത്രി", "role", "hog"),
            ("വിദേശകാര്യ മന്ത്രി", "role", "fm"),
            ("കൂടിക്കാഴ്ച നടത്തി", "meet", "held"),
        ],
    ),
    (
        "ml",
        "അമേരിക്ക പ്രസിഡന്റ് ചൈന പ്രസിഡന്റ് ഫോണിൽ സംസാരിച്ചു.",
        [("അമേരിക്ക", "name", "US"), ("ചൈന", "name", "CN"), ("ഫോണിൽ സംസാരിച്ചു", "meet", "call")],
    ),
    (
        "te",
        "భారత ప్రధాని రష్యా అధ్యక్షుడు ద్వైపాక్షిక చర్చలు జరిపారు.",
        [
            ("భారత", "adj", "IN"),
            ("రష్యా", "name", "RU"),
            ("ప్రధాని", "role", "hog"),
            ("అధ్యక్షుడు", "role", "hos"),
            ("ద్వైపాక్షిక చర్చలు", "meet", "held"),
        ],
    ),
    (
        "ne",
        "नेपाल र चीन बीच भेटवार्ता भयो; भारतीय राजदूत र प्रधानमन्त्री भेट गर्नेछन् ।",
        [
            ("नेपाल", "name", "NP"),
            ("चीन", "name", "CN"),
            ("भारतीय", "adj", "IN"),
            ("प्रधानमन्त्री", "role", "hog"),
            ("भेटवार्ता भयो", "meet", "held"),
            ("भेट गर्नेछन्", "meet", "scheduled"),
        ],
    ),
    (
        "pa",
        "ਭਾਰਤ ਦੇ ਪ੍ਰਧਾਨ ਮੰਤਰੀ ਨੇ ਕੈਨੇਡਾ ਦੇ ਪ੍ਰਧਾਨ ਮੰਤਰੀ ਨਾਲ ਮੁਲਾਕਾਤ ਕੀਤੀ; ਅਮਰੀਕੀ ਰਾਜਦੂਤ ਵੀ ਸਨ।",
        [
            ("ਭਾਰਤ", "name", "IN"),
            ("ਕੈਨੇਡਾ", "name", "CA"),
            ("ਅਮਰੀਕੀ", "adj", "US"),
            ("ਪ੍ਰਧਾਨ ਮੰਤਰੀ", "role", "hog"),
            ("ਮੁਲਾਕਾਤ ਕੀਤੀ", "meet", "held"),
        ],
    ),
    (
        "si",
        "ශ්‍රී ලංකා ජනාධිපති ඉන්දීය අගමැති සමඟ ද්විපාර්ශ්වික සාකච්ඡා පැවැත්වීය; චීනය ද සහභාගි විය.",
        [
            ("ශ්‍රී ලංකා", "name", "LK"),
            ("ඉන්දීය", "adj", "IN"),
            ("චීනය", "name", "CN"),
            ("ජනාධිපති", "role", "hos"),
            ("ද්විපාර්ශ්වික සාකච්ඡා", "meet", "held"),
        ],
    ),
]


@pytest.mark.parametrize(("lang", "text", "want"), CASES, ids=[c[0] for c in CASES])
def test_names_demonyms_roles_and_meeting_words(
    lang: str, text: str, want: list[tuple[str, str, str]]
) -> None:
    """Country names in their case forms, demonyms, roles and meeting words are all found."""
    got = found(text)
    missing = [w for w in want if w not in got]
    assert not missing, (lang, missing)


GUESS = [
    ("tr", "Bakan, Almanya'daki toplantıda ikili ilişkileri ele aldı ve bu konuda açıklama yaptı."),
    ("fa", "وزیر خارجه گفت که این دیدار در تهران برگزار شد."),
    ("uk", "Міністр закордонних справ України провів переговори у Варшаві."),
    ("pl", "Minister powiedział, że rozmowy nie przyniosły przełomu i będą kontynuowane."),
    ("nl", "De minister zei dat het gesprek met zijn collega niet werd afgebroken."),
    ("id", "Menteri mengatakan bahwa pertemuan dengan Jepang akan diadakan pada bulan depan."),
    ("sw", "Waziri alisema kuwa mazungumzo hayo ni muhimu kwa nchi hizo mbili."),
    ("vi", "Bộ trưởng cho biết cuộc gặp với người đồng cấp đã diễn ra tốt đẹp."),
    ("it", "Il ministro ha detto che il colloquio con la collega è stato utile."),
    ("ne", "प्रधानमन्त्रीले भनेका छन् कि भेटवार्ता सकारात्मक भएको छ ।"),
    ("pa", "ਪ੍ਰਧਾਨ ਮੰਤਰੀ ਨੇ ਮੁਲਾਕਾਤ ਕੀਤੀ।"),
    ("te", "ప్రధాని సమావేశమయ్యారు."),
    ("ml", "പ്രധാനമന്ത്രി കൂടിക്കാഴ്ച നടത്തി."),
    ("si", "අගමැති හමු විය."),
]


@pytest.mark.parametrize(("code", "text"), GUESS, ids=[g[0] for g in GUESS])
def test_language_guess_for_the_new_languages(code: str, text: str) -> None:
    """Undeclared texts in the new languages get their own lexicon."""
    assert guess_language(None, [text]) == code


DETECT = [
    ("Premier Polski spotkał się w Warszawie z kanclerzem Niemiec.", ("DE", "PL"), "held"),
    ("Cumhurbaşkanı Erdoğan, Fransa Cumhurbaşkanı ile telefonda görüştü.", ("FR", "TR"), "call"),
    ("Президент України зустрівся з прем'єр-міністром Польщі у Києві.", ("PL", "UA"), "held"),
    ("Thủ tướng Việt Nam hội đàm với Thủ tướng Nhật Bản tại Hà Nội.", ("JP", "VN"), "held"),
    ("Rais wa Kenya alikutana na Rais wa Tanzania jijini Nairobi.", ("KE", "TZ"), "held"),
    ("وزیر امور خارجه ایران با همتای روسی خود در مسکو دیدار کرد.", ("IR", "RU"), "held"),
    (
        "Il presidente del Consiglio ha incontrato il presidente ucraino a Roma.",
        ("IT", "UA"),
        "held",
    ),
]


@pytest.mark.parametrize(("text", "pair", "status"), DETECT, ids=[d[0][:24] for d in DETECT])
def test_a_plain_bilateral_sentence_gives_its_pair(
    text: str, pair: tuple[str, str], status: str
) -> None:
    """With no language declared, the detector reads the pair and status in the new languages."""
    got = {(m.parties, str(m.status)) for m in detect(text)}
    assert (pair, status) in got


def test_polish_and_ukrainian_declension() -> None:
    """Polish and Ukrainian names decline case by case, adjectives agreeing with their noun."""
    assert {"Polski", "Polsce", "Polską", "Polskę"} <= pl_name("Polska")
    assert {"Niemiec", "Niemczech", "Chin", "Chinach"} <= pl_name("Niemcy") | pl_name("Chiny")
    assert {"Stanów Zjednoczonych", "Stanach Zjednoczonych"} <= pl_name("Stany Zjednoczone")
    assert "Wielkiej Brytanii" in pl_name("Wielka Brytania")
    assert "Czech" not in pl_name("Czechy")  # the English adjective, not a Polish form
    assert {"rosyjskiego", "rosyjską", "rosyjskich"} <= pl_adjective("rosyjski")
    assert {"України", "Україною", "Україні", "Україну"} <= uk_name("Україна")
    assert {"Великої Британії", "Великою Британією"} <= uk_name("Велика Британія")
    assert {"Шрі-Ланки", "Китаю", "Києва"} <= uk_name("Шрі-Ланка") | uk_name("Китай") | uk_name(
        "Київ"
    )
    assert {"українського", "українською", "українських"} <= uk_adjective("український")


def test_vietnamese_given_names_are_not_countries() -> None:
    """ "Đức", "Nga", "Anh" are countries after a lower-case word, given names after a capital."""
    assert ("Nga", "name", "RU") in found("Tổng thống Nga phát biểu.")
    names = {code for _, kind, code in found("Bà Nguyễn Thị Nga và ông Minh Đức phát biểu.")}
    assert not names & {"RU", "DE"}
    assert ("Anh", "name", "GB") in found("Thủ tướng Anh phát biểu.")
    assert ("Anh", "name", "GB") not in found("Ông Tuấn Anh phát biểu.")


def test_skipped_cldr_names_stay_what_they_were() -> None:
    """Swahili "Misri" (Egypt) is not loaded: it is Vikram Misri, and "Israeli" stays a demonym."""
    assert not {
        c for _, kind, c in found("Foreign Secretary Vikram Misri met him.") if kind == "name"
    }
    assert ("Israeli", "adj", "IL") in found("The Israeli envoy")
    assert ("Israeli", "name", "IL") not in found("The Israeli envoy")


def test_malayalam_chillu_in_either_encoding() -> None:
    """A Malayalam name with an atomic chillu letter also matches the older ZWJ spelling."""
    assert ("ജപ്പാൻ", "name", "JP") in found("ജപ്പാൻ പ്രധാനമന്ത്രി")
    old = "ജപ്പാന്\u200d പ്രധാനമന്ത്രി"
    assert any(kind == "name" and code == "JP" for _, kind, code in found(old))
