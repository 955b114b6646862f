"""Detector behaviour found missing when the event layer ran it end to end.

Each test covers a class of text, not one sentence: defence ministers as sides, a
capitalised date word before a surname, Russian soft-sign names, meeting cities, the
author of a social post named among the officials.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rules.bilateral import detect
from rules.inflect_slavic import ru_first_name, ru_surname
from tests.rules.cases import outcome

MID_2025 = datetime(2025, 6, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lang", "text", "want"),
    [
        ("en", "Richard Marles held talks with Gen Nakatani in Tokyo.", ["AU-JP:held"]),
        ("en", "Khawaja Asif met Sjafrie Sjamsoeddin in Jakarta on Tuesday.", ["ID-PK:held"]),
        ("en", "Pete Hegseth will meet Dong Jun in Singapore next week.", ["CN-US:scheduled"]),
        ("ru", "Белоусов провёл переговоры с Дун Цзюнем в Пекине.", ["CN-RU:held"]),
        ("zh", "董军在北京会见到访的澳大利亚国防部长马尔斯。", ["AU-CN:held"]),
        ("hi", "राजनाथ सिंह ने डोंग जुन से मुलाकात की।", ["CN-IN:held"]),
        ("en", "Raksha Mantri held talks with the Chinese defence minister.", ["CN-IN:held"]),
    ],
)
def test_defence_ministers_are_sides(lang: str, text: str, want: list[str]) -> None:
    """Defence ministers of the G20 and neighbours resolve to their country in any script."""
    assert outcome(text, lang, published=MID_2025) == want


@pytest.mark.parametrize(
    ("lang", "text", "want"),
    [
        ("ru", "Вчера Лавров встретился с Джайшанкаром в Астане.", ["IN-RU:held"]),
        ("ru", "Сегодня Белоусов провёл переговоры с Хрениным.", ["BY-RU:held"]),
        ("de", "Gestern empfing Pistorius Crosetto in Berlin.", ["DE-IT:held"]),
        ("es", "Ayer Albares se reunió con Lavrov en Moscú.", ["ES-RU:held"]),
        # a real first name before a known surname is still someone else
        ("en", "Melania Trump met Brigitte Macron in Paris.", []),
    ],
)
def test_capitalised_date_word_is_not_a_first_name(lang: str, text: str, want: list[str]) -> None:
    """ "Сегодня Лавров", "Gestern ... Pistorius": a sentence-initial date word before a
    surname does not make the surname someone else's."""
    assert outcome(text, lang, published=MID_2025) == want


def test_russian_soft_sign_names_decline() -> None:
    """Names ending in a soft sign take Russian case endings ("Дун Цзюнем", "Игорем")."""
    assert {"Цзюнь", "Цзюня", "Цзюню", "Цзюнем", "Цзюне"} <= ru_surname("Цзюнь")
    assert "Цзюньем" not in ru_surname("Цзюнь")
    assert {"Игорь", "Игоря", "Игорем"} <= ru_first_name("Игорь")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Jaishankar met Wang Yi in Shanghai on Monday.", "Shanghai"),
        ("Modi held talks with Shigeru Ishiba in Osaka.", "Osaka"),
        ("Macron and Modi met in Lyon.", None),  # a city the data does not know
    ],
)
def test_a_venue_city_is_the_location(text: str, place: str | None) -> None:
    """A known venue city after "in" is where they met (it is never a side)."""
    (m,) = detect(text, lang="en")
    assert m.location == place


def test_social_post_author_is_named_among_the_officials() -> None:
    """A post by a known official names its author as an official of the meeting."""
    (m,) = detect("Held talks with FM Wang Yi in Astana today.", author="@DrSJaishankar")
    assert m.parties == ("CN", "IN") and m.officials == ("S. Jaishankar", "Wang Yi")
