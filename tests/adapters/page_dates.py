"""Press-page dates in the layouts ministries and government sites print them, with the page's
declared language and the value a reader takes from them (None: nobody can tell for sure).

Written by hand in each site's layout (the sites named are where the layout is used; the
dates are not copied from a page). Used by the page-date tests and to compare readers.
"""

from __future__ import annotations

from datetime import datetime

D = datetime(2024, 3, 14)

# (text, page language or None, script, expected)
CASES: list[tuple[str, str | None, str, datetime | None]] = [
    # Latin
    ("14 mars 2024", "fr", "Latin", D),  # elysee.fr
    ("Publié le 14 mars 2024", "fr", "Latin", D),
    ("jeudi 14 mars 2024 à 10h30", "fr", "Latin", D.replace(hour=10, minute=30)),
    ("14 de marzo de 2024", "es", "Latin", D),  # exteriores.gob.es
    ("Jueves, 14 de marzo de 2024", "es", "Latin", D),
    ("14 de março de 2024", "pt", "Latin", D),  # gov.br
    ("14. März 2024", "de", "Latin", D),  # bundesregierung.de
    ("Donnerstag, 14. März 2024", "de", "Latin", D),
    ("14 marzo 2024", "it", "Latin", D),  # esteri.it
    ("14 maart 2024", "nl", "Latin", D),
    ("14 marca 2024", "pl", "Latin", D),  # gov.pl
    ("14 Mart 2024", "tr", "Latin", D),  # mfa.gov.tr
    ("14 Maret 2024", "id", "Latin", D),  # kemlu.go.id
    ("14 martie 2024", "ro", "Latin", D),
    ("2024. március 14.", "hu", "Latin", D),  # kormany.hu
    ("2024 m. kovo 14 d.", "lt", "Latin", D),  # urm.lt
    ("14 tháng 3 năm 2024", "vi", "Latin", D),
    ("Thursday, March 14, 2024", "en", "Latin", D),
    ("Posted On: 14 MAR 2024 5:22PM by PIB Delhi", "en", "Latin", D.replace(hour=17, minute=22)),
    # Devanagari
    ("14 मार्च 2024", "hi", "Devanagari", D),  # mea.gov.in (Hindi)
    ("मार्च 14, 2024", "hi", "Devanagari", D),
    ("१४ मार्च २०२४", "hi", "Devanagari", D),
    ("गुरुवार, 14 मार्च 2024", "hi", "Devanagari", D),
    ("14 मार्च 2024 5:22PM", "hi", "Devanagari", D.replace(hour=17, minute=22)),  # pib (Hindi)
    ("14 मार्च 2024", "mr", "Devanagari", D),
    # Cyrillic
    ("14 марта 2024 г.", "ru", "Cyrillic", D),  # mid.ru
    ("14 марта 2024 года, 15:30", "ru", "Cyrillic", D.replace(hour=15, minute=30)),  # kremlin.ru
    ("14 березня 2024 року", "uk", "Cyrillic", D),  # mfa.gov.ua
    ("14 март 2024 г.", "bg", "Cyrillic", D),
    # CJK
    ("2024年3月14日", "zh", "CJK", D),  # fmprc.gov.cn
    ("2024年03月14日 10:30", "zh", "CJK", D.replace(hour=10, minute=30)),
    ("2024年3月14日 下午3:30", "zh", "CJK", D.replace(hour=15, minute=30)),
    ("令和6年3月14日", "ja", "CJK", D),  # mofa.go.jp
    ("2024年3月14日", "ja", "CJK", D),
    ("2024년 3월 14일", "ko", "CJK", D),  # mofa.go.kr
    ("2024.03.14", "ko", "CJK", D),
    # Arabic script
    ("14 مارس 2024", "ar", "Arabic", D),  # mfa.gov.eg
    ("الخميس 14 مارس 2024", "ar", "Arabic", D),
    ("١٤ مارس ٢٠٢٤", "ar", "Arabic", D),
    ("14 آذار 2024", "ar", "Arabic", D),  # Levantine month names (sana.sy, Lebanon)
    ("١٤ مارس ٢٠٢٤م - 10:30 م", "ar", "Arabic", D.replace(hour=22, minute=30)),  # spa.gov.sa
    ("14 مارچ 2024", "ur", "Arabic", D),  # mofa.gov.pk (Urdu)
    ("۱۴ مارس ۲۰۲۴", "fa", "Arabic", D),
    # Other scripts
    ("14 Μαρτίου 2024", "el", "Greek", D),
    ("14 במרץ 2024", "he", "Hebrew", D),
    ("14 มีนาคม 2567", "th", "Thai", D),  # Buddhist era (mfa.go.th)
    ("১৪ মার্চ ২০২৪", "bn", "Bengali", D),
    ("14 மார்ச் 2024", "ta", "Tamil", D),
    # Nobody can tell, or not a Gregorian date: never guessed
    ("14/03/2024", "fr", "Latin", None),  # a numeric layout: set date_format
    ("05.06.2024", "de", "Latin", None),
    ("14 mars", "fr", "Latin", None),  # no year
    ("Mis à jour le 14 mars 2024, publié le 12 mars 2024", "fr", "Latin", None),  # two dates
    ("14 mars — participants : 2000", "fr", "Latin", None),  # a number, not its year
    ("yesterday", "en", "Latin", None),
    ("2 hours ago", "en", "Latin", None),
    ("۲۴ اسفند ۱۴۰۲", "fa", "Arabic", None),  # Solar Hijri
    ("4 رمضان 1445 هـ", "ar", "Arabic", None),  # Hijri
]
