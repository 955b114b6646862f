"""The one definition of a silent source (monitor/watch/silence.py), table-driven, and the
operator notes' wording and ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.store import SourceState
from monitor.store.ops_types import SilenceEpisode
from monitor.watch import notes
from monitor.watch.silence import FLOOR, MIN_GAPS, Pace, judge

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def hourly(count: int, last_h: float) -> Pace:
    """``count`` new-item sightings an hour apart, the newest ``last_h`` hours ago."""
    return Pace.of([NOW - timedelta(hours=last_h + i) for i in range(count)])


def polled_now(**changes: object) -> SourceState:
    return SourceState("s", last_ok_at=NOW, last_polled_at=NOW).evolve(**changes)


@pytest.mark.parametrize(
    ("pace", "expect_every", "silent"),
    [
        (hourly(30, 1), None, False),  # an item an hour, the last an hour ago
        (hourly(30, 3.5), None, True),  # an item an hour, none for 3.5 h (limit 3 h)
        (hourly(30, 2.5), None, False),  # within three usual gaps
        (hourly(MIN_GAPS, 100), None, False),  # too little history: no limit applies
        (hourly(MIN_GAPS + 1, 100), None, True),  # just enough history
        (hourly(2, 100), "7d", False),  # expect_every: within a week
        (hourly(2, 200), "7d", True),  # expect_every: more than a week
        (hourly(30, 1.5), "1h", True),  # expect_every wins over the learned limit
        (Pace(), "1h", False),  # never brought an item: judged only by its failures
    ],
)
def test_silence_is_measured_against_the_source_s_pace_or_expect_every(
    pace: Pace, expect_every: str | None, silent: bool
) -> None:
    every = {"1h": 3600.0, "7d": 7 * 86400.0}.get(expect_every or "")
    verdict = judge(polled_now(), pace, interval_s=600, expect_every_s=every, now=NOW)
    assert verdict.silent is silent
    assert verdict.basis == (
        "expect_every" if every else "history" if pace.learned_limit(600) else "unknown"
    )


def test_the_learned_limit_ignores_one_long_gap_and_has_a_floor() -> None:
    """One weekend-long gap among forty hourly ones does not stretch the limit (90th
    percentile), and a source that publishes every minute is not silent before an hour."""
    times = [NOW - timedelta(hours=i) for i in range(40)] + [NOW - timedelta(hours=100)]
    assert Pace.of(times).learned_limit(600) == 3 * HOUR
    busy = Pace.of([NOW - timedelta(minutes=i) for i in range(60)])
    assert busy.learned_limit(60) == FLOOR
    assert busy.learned_limit(3600) == 3 * HOUR  # never before three polls
    assert hourly(11, 0).usual_gap() == HOUR


def test_failing_longer_than_the_limit_is_silent_and_says_so() -> None:
    """A source failing for longer than its limit is silent, since its first failure; a
    short failure is not."""
    state = polled_now(failures=9, failing_since=NOW - 3 * HOUR, last_ok_at=None)
    verdict = judge(state, Pace(), interval_s=600, expect_every_s=7200, now=NOW)
    assert verdict.silent and verdict.since == NOW - 3 * HOUR
    assert notes.reason(verdict) == "failing for 3h (expect_every 2h)"
    brief = state.evolve(failing_since=NOW - HOUR)
    assert not judge(brief, Pace(), interval_s=600, expect_every_s=7200, now=NOW).silent


def test_a_daemon_that_was_stopped_does_not_call_sources_silent_before_polling() -> None:
    """Silence is counted only up to the last poll when the source has not been polled on
    schedule: after a week off, a source last polled (and last speaking) a week ago is not
    silent until a poll finds nothing new."""
    week = timedelta(days=7)
    stale = SourceState("s", last_ok_at=NOW - week, last_polled_at=NOW - week)
    pace = hourly(30, 7 * 24)
    assert not judge(stale, pace, interval_s=600, expect_every_s=None, now=NOW).silent
    assert judge(polled_now(), pace, interval_s=600, expect_every_s=None, now=NOW).silent


def test_notes_of_one_episode_share_its_event_and_keep_the_url_out() -> None:
    verdict = judge(polled_now(), hourly(30, 7), interval_s=600, expect_every_s=None, now=NOW)
    since = verdict.since
    assert since is not None
    episode = SilenceEpisode("s", notes.episode_id("s", since), since, NOW, notes.reason(verdict))
    assert episode.reason == "nothing new for 7h (limit 3h from its history)"
    alert = notes.silence_alert("ops", episode, "Wire", NOW)
    assert (
        alert.headline
        == "bilat: source Wire is silent: nothing new for 7h (limit 3h from its history)"
    )
    spoke = judge(polled_now(), hourly(30, 0), interval_s=600, expect_every_s=None, now=NOW)
    line = notes.recovery_line(episode, spoke, polled_now())
    assert line == "speaks again: a new item after 7h of silence"
    note = notes.recovery_alert("ops", episode, "Wire", line, NOW)
    assert note.event_key == alert.event_key and note.id != alert.id
    assert alert.kind == note.kind == "new" and alert.report.url is None
    assert notes.episode_id("s", since) != notes.episode_id("s", since + HOUR)
