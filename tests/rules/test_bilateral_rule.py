"""The ``bilateral_meeting`` rule type and the detector's document-level behaviour."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from monitor.model import Item
from rules import RULES
from rules.bilateral.detector import BilateralMeetingOptions, BilateralMeetingRule, detect, summary
from tests.rules.cases import outcome


def item(text: str, **kw: object) -> Item:
    base: dict[str, object] = {"id": "1", "source_id": "feed", "title": "", "text": text}
    base.update(kw)
    return Item(**base)  # type: ignore[arg-type]


def rule(**kw: object) -> BilateralMeetingRule:
    opts = BilateralMeetingOptions.model_validate({"id": "r", "type": "bilateral_meeting", **kw})
    return BilateralMeetingRule(opts)


def test_registered_by_type_name() -> None:
    """TOML ``type = "bilateral_meeting"`` finds this class and its options model."""
    assert RULES["bilateral_meeting"] is BilateralMeetingRule
    assert BilateralMeetingRule.type_name == "bilateral_meeting"
    assert BilateralMeetingRule.Options is BilateralMeetingOptions


def test_options_defaults_and_validation() -> None:
    """Defaults: held only, confidence 0.6; unknown keys and bad values are refused."""
    opts = BilateralMeetingOptions.model_validate({"id": "r", "type": "bilateral_meeting"})
    assert opts.statuses == ["held"] and opts.min_confidence == 0.0
    with pytest.raises(ValidationError):
        BilateralMeetingOptions.model_validate({"id": "r", "type": "bilateral_meeting", "x": 1})
    with pytest.raises(ValidationError):
        BilateralMeetingOptions.model_validate(
            {"id": "r", "type": "bilateral_meeting", "statuses": ["happened"]}
        )


TEXT = "External Affairs Minister S. Jaishankar met Chinese Foreign Minister Wang Yi in Astana."


def test_match_carries_the_meeting_and_a_readable_summary() -> None:
    """One Match per meeting, with the meeting, its evidence, confidence and a summary line."""
    (match,) = rule(countries=["IN", "CN"]).evaluate(item(TEXT))
    assert match.kind == "bilateral_meeting" and match.rule_id == "r"
    assert match.meeting is not None and set(match.meeting.parties) == {"IN", "CN"}
    assert match.evidence == (TEXT,) and match.confidence == match.meeting.confidence
    assert match.summary == "CN–IN held: Wang Yi met S. Jaishankar in Astana" or (
        match.summary == "CN–IN held: S. Jaishankar met Wang Yi in Astana"
    )


@pytest.mark.parametrize(
    ("options", "hits"),
    [
        ({}, 1),
        ({"countries": ["IN", "CN"]}, 1),
        ({"countries": ["IN", "PK"]}, 0),
        ({"any_countries": ["PK", "CN"]}, 1),
        ({"any_countries": ["PK"]}, 0),
        ({"statuses": ["scheduled"]}, 1),  # statuses decide alerts, not matches
        ({"officials": ["wang yi"]}, 1),
        ({"officials": ["Xi Jinping"]}, 0),
        ({"min_confidence": 0.999}, 0),
        ({"languages": ["hi"]}, 0),
        ({"sources": ["other"]}, 0),
        ({"enabled": False}, 0),
    ],
)
def test_options_filter_meetings(options: dict[str, object], hits: int) -> None:
    """Country, official, confidence, language and source filters all apply; ``statuses``
    does not filter matches (the alert decisions apply it)."""
    assert len(rule(**options).evaluate(item(TEXT, lang="en"))) == hits


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Modi will meet Xi Jinping in Beijing next week.", "scheduled"),
        ("Modi spoke by phone with Putin on Monday.", "call"),
        ("The meeting between Jaishankar and Wang Yi was cancelled.", "cancelled"),
        (TEXT, "held"),
    ],
)
def test_every_status_reaches_the_event_layer(text: str, status: str) -> None:
    """A held-only rule still reports plans, calls and cancellations (they teach the event;
    ``statuses`` is applied when alerts are decided)."""
    (match,) = rule(statuses=["held"]).evaluate(item(text, lang="en"))
    assert match.meeting is not None and match.meeting.status == status


def test_title_author_and_published_reach_the_detector() -> None:
    """The item's title is read too, its author handle is a side, its date picks the term."""
    post = item(
        "Glad to meet FM Wang Yi today in Astana.",
        author_handle="@DrSJaishankar",
        published_at=datetime(2024, 7, 4, tzinfo=UTC),
    )
    (match,) = rule().evaluate(post)
    assert set(match.meeting.parties) == {"IN", "CN"}  # type: ignore[union-attr]
    titled = item("The two leaders discussed trade.", title="Modi meets Macron in Paris")
    assert [set(m.meeting.parties) for m in rule().evaluate(titled)] == [{"IN", "FR"}]  # type: ignore[union-attr]


def test_summary_wording_per_status() -> None:
    """Summaries say who met whom, or that a meeting is planned, a call, or cancelled."""
    (m,) = detect("Modi will meet Xi Jinping in Beijing next week.")
    assert summary(m) == "CN–IN scheduled: Narendra Modi to meet Xi Jinping in Beijing"
    (m,) = detect("Modi spoke by phone with Putin.")
    assert summary(m).startswith("IN–RU call:")


def test_social_post_author_is_a_side() -> None:
    """ "Name (@handle): text" posts: the author's country pairs with whom they met."""
    assert outcome("S. Jaishankar (@DrSJaishankar): Great to meet FM @SenatorWong today.") == [
        "AU-IN:held"
    ]
    assert outcome("Glad to meet President Putin today.", author="@narendramodi") == ["IN-RU:held"]
    assert outcome("Glad to meet the President of Russia today.", author="@MEAIndia") == [
        "IN-RU:held"
    ]


def test_held_wins_over_plans_and_calls_of_the_same_pair() -> None:
    """One meeting per pair; a held report in the text wins over plans and calls."""
    text = "Modi spoke to Putin by phone on Monday. On Friday Modi met Putin in Moscow."
    ms = detect(text)
    assert [(m.status, len(m.evidence)) for m in ms] == [("held", 1)]


def test_former_officials_by_date() -> None:
    """With a publication date, a long-retired office holder is not a side."""
    text = "Angela Merkel met Joe Biden in Berlin."
    assert outcome(text, published=datetime(2021, 7, 15, tzinfo=UTC)) == ["DE-US:held"]
    assert outcome(text, published=datetime(2025, 6, 1, tzinfo=UTC)) == []


def test_shared_alias_and_multi_country_careers() -> None:
    """A shared alias prefers the person in office on the date; a stated country picks the
    matching term of someone who served two countries."""
    meet = "Kirchner met Lula in Brasília."
    assert outcome(meet, published=datetime(2005, 3, 1, tzinfo=UTC)) == ["AR-BR:held"]
    assert outcome(meet, published=datetime(2010, 3, 1, tzinfo=UTC)) == ["AR-BR:held"]
    soviet = "Soviet Foreign Minister Eduard Shevardnadze met Hans-Dietrich Genscher in Bonn."
    assert outcome(soviet) == ["DE-RU:held"]
    georgian = "Georgian President Eduard Shevardnadze met Joschka Fischer in Tbilisi."
    assert outcome(georgian) == ["DE-GE:held"]


def test_unsupported_language_falls_back_to_the_text() -> None:
    """A declared language without a lexicon is guessed from the text instead."""
    assert outcome("Modi met Putin in Moscow.", lang="xx") == ["IN-RU:held"]
