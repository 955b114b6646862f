"""English verb paradigms for starred lexicon words (rules/bilateral/inflect_en.py)."""

from __future__ import annotations

from rules.bilateral.inflect import starred_forms
from rules.bilateral.inflect_en import en_verb


def test_regular_verbs_take_every_tense() -> None:
    assert en_verb("postpone") == {"postpone", "postpones", "postponed", "postponing"}
    assert en_verb("ditch") == {"ditch", "ditches", "ditched", "ditching"}


def test_final_consonants_double_after_a_short_vowel() -> None:
    assert {"scrapped", "scrapping"} <= en_verb("scrap")
    assert "scraped" not in en_verb("scrap")  # another verb
    # British and American spellings of an unstressed final l
    assert {"cancelled", "canceled", "cancelling", "canceling"} <= en_verb("cancel")


def test_irregular_verbs_take_their_own_past() -> None:
    assert {"fell", "fallen", "falling"} <= en_verb("fall")
    assert "falled" not in en_verb("fall")
    assert starred_forms("put* off", "en") == {"put off", "puts off", "putting off"}


def test_a_longer_verb_keeps_its_undoubled_past() -> None:
    # stress is not spelled: "offered" and "visited" must be there, "admitted" too
    assert {"offered", "offering"} <= en_verb("offer")
    assert {"visited", "visiting"} <= en_verb("visit")
    assert "admitted" in en_verb("admit")
    assert "stoped" not in en_verb("stop")  # one syllable: always doubled
