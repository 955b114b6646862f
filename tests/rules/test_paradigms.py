"""Verb paradigms by rule (``rules.bilateral.paradigms``): one entry, every form."""

from __future__ import annotations

from rules.bilateral.paradigms import paradigm_forms, paradigm_triggers


def test_english_plans_after_a_modal_only() -> None:
    own, plan = paradigm_forms("host", "en") or (set(), set())
    assert own == set()  # the English lists give the other tenses with their "*"
    assert {"will host", "would host", "'ll host", "is to host"} <= plan
    assert not any(p.startswith(("may ", "might ", "could ")) for p in plan)  # speculation


def test_a_planned_call_stays_a_call_in_english_and_a_plan_elsewhere() -> None:
    en = paradigm_triggers("en", {"paradigm": {"call": ["phone"], "held": ["meet"]}})
    assert "will phone" in en["call"] and "will meet" in en["scheduled"]
    fr = paradigm_triggers("fr", {"paradigm": {"call": ["téléphoner"]}})
    assert "téléphonera" in fr["scheduled"] and "téléphone" in fr["call"]


def test_a_language_without_rules_keeps_its_lists() -> None:
    data = {"trigger": {"held": ["met"]}, "paradigm": {"held": ["x"]}}
    assert paradigm_forms("x", "sw") is None
    assert paradigm_triggers("sw", data) == {"held": ["met"]}
