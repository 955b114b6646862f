"""Config models for alerts: silences, realert, quiet hours (monitor/events/options.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from monitor.events.alerts import AlertRule, NotifierPolicy
from monitor.events.options import NotifierAlertOptions, QuietHours, RealertOptions, Silence
from monitor.notifiers.base import NotifierOptions
from rules.base import RuleOptions


def test_silence_needs_a_selector() -> None:
    """A silence that selects nothing is rejected with a message naming the keys."""
    with pytest.raises(ValidationError, match="needs party, pair, official, source or rule"):
        Silence(reason="why not")


@pytest.mark.parametrize(
    ("given", "field", "value"),
    [
        ({"party": "in"}, "party", "IN"),
        ({"party": "IN-CN"}, "pair", "CN-IN"),
        ({"pair": "in–cn"}, "pair", "CN-IN"),
        ({"pair": "CN/IN"}, "pair", "CN-IN"),
        ({"official": " Wang Yi "}, "official", "Wang Yi"),
    ],
)
def test_silence_normalises_parties_and_pairs(
    given: dict[str, str], field: str, value: str
) -> None:
    """Codes are upper-cased, pairs sorted, and a pair given as ``party`` becomes ``pair``."""
    assert getattr(Silence.model_validate(given), field) == value


@pytest.mark.parametrize(
    "bad",
    [
        {"pair": "IN"},
        {"pair": "IN-IN"},
        {"party": "India!"},
        {"rule": "  "},
        {"party": "IN", "until": "2025-07-01T00:00:00"},  # no offset: ambiguous
        {"party": "IN", "colour": "red"},
    ],
)
def test_silence_rejects_bad_values(bad: dict[str, str]) -> None:
    """Malformed pairs, codes, blank selectors, naive times and unknown keys are errors."""
    with pytest.raises(ValidationError):
        Silence.model_validate(bad)


def test_silence_expiry_and_description() -> None:
    """A silence is active until ``until``; its description says what and why."""
    s = Silence.model_validate(
        {"pair": "IN-CN", "until": "2025-07-05T00:00:00+05:30", "reason": "summit week"}
    )
    assert s.active(datetime(2025, 7, 4, 18, 0, tzinfo=UTC))
    assert not s.active(datetime(2025, 7, 4, 18, 30, tzinfo=UTC))
    assert s.describe() == "silence pair=CN-IN until 2025-07-04T18:30:00+00:00 (summit week)"


def test_quiet_hours_across_midnight_in_a_time_zone() -> None:
    """22:00-07:00 in Kolkata holds at 23:00 IST until 07:00 IST the next morning."""
    q = QuietHours.parse("22:00-07:00", "Asia/Kolkata")
    late = datetime(2025, 7, 1, 17, 30, tzinfo=UTC)  # 23:00 IST
    early = datetime(2025, 7, 1, 23, 0, tzinfo=UTC)  # 04:30 IST on July 2
    day = datetime(2025, 7, 1, 6, 0, tzinfo=UTC)  # 11:30 IST
    assert q.contains(late) and q.contains(early) and not q.contains(day)
    expected = datetime(2025, 7, 2, 1, 30, tzinfo=UTC)  # 07:00 IST on July 2
    assert q.release(late) == expected and q.release(early) == expected
    assert q.release(day) is None and q.next_open(day) == day


def test_quiet_hours_within_a_day_and_across_dst() -> None:
    """A same-day window; the release time follows the zone's DST change."""
    q = QuietHours.parse("01:00-06:00", "America/New_York")
    # 2025-03-09: clocks go from 02:00 EST to 03:00 EDT; 06:00 EDT is 10:00 UTC.
    assert q.release(datetime(2025, 3, 9, 6, 30, tzinfo=UTC)) == datetime(
        2025, 3, 9, 10, 0, tzinfo=UTC
    )
    assert q.release(datetime(2025, 3, 8, 6, 30, tzinfo=UTC)) == datetime(
        2025, 3, 8, 11, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("spec", "zone", "message"),
    [
        ("22-07", "UTC", "must look like"),
        ("25:00-07:00", "UTC", "not a time of day"),
        ("07:00-07:00", "UTC", "the same"),
        ("22:00-07:00", "Mars/Olympus", "unknown time zone"),
    ],
)
def test_notifier_options_reject_bad_quiet_hours(spec: str, zone: str, message: str) -> None:
    """Bad windows and unknown zones fail validation with a clear message."""
    with pytest.raises(ValidationError, match=message):
        NotifierAlertOptions(quiet_hours=spec, timezone=zone)


def test_mixins_extend_rule_and_notifier_options() -> None:
    """Rule and notifier option models inherit ``realert`` and the quiet-hours keys."""

    class Rule(RuleOptions, RealertOptions):
        statuses: tuple[str, ...] = ("held",)

    class Webhook(NotifierOptions, NotifierAlertOptions):
        pass

    rule = AlertRule.of(Rule(id="desk", type="bilateral_meeting", notify=["hook"], realert="6h"))
    assert (rule.realert_s, rule.statuses, rule.notify) == (21600.0, frozenset({"held"}), ("hook",))
    hook = NotifierPolicy.of("hook", Webhook(type="webhook", quiet_hours="22:00-07:00"))
    assert not hook.sends_updates and hook.quiet is not None
    assert NotifierPolicy.of("hook", Webhook(type="webhook", updates=True)).sends_updates
    assert NotifierPolicy.of("desk", Webhook(type="slack")).sends_updates
    with pytest.raises(ValidationError):
        Rule(id="desk", type="bilateral_meeting", realert="soon")
