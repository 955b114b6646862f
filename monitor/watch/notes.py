"""The operator's alert about a silent source and the recovery note (PURE): ordinary
``Alert``s, so they travel through the outbox like meeting alerts (durable, retried, never
duplicated), rendered by every notifier as a non-meeting alert.

Both alerts of one episode share its event key, so the delivery worker's order within an
event holds: a recovery note never goes out before the alert it ends. Both are "new" alerts
(not updates), so a notifier with ``updates = false`` still sends the note. Their rule id is
``OPERATOR_RULE`` (no configured rule can have it: rule ids cannot start with "~"), their
match kind ``source_silent`` or ``source_recovered``; the source's URL is never in them (it
may hold a token).
"""

from __future__ import annotations

from datetime import datetime

from monitor.model import Alert, Match, ReportRef, stable_hash
from monitor.store.base import SourceState
from monitor.store.ops_types import SilenceEpisode
from monitor.units import format_duration
from monitor.watch.silence import Verdict

OPERATOR_RULE = "~operator"
SILENT_KIND = "source_silent"
RECOVERED_KIND = "source_recovered"


def episode_id(source_id: str, since: datetime) -> str:
    return stable_hash("silence", source_id, since.isoformat())


def event_key(episode: str) -> str:
    return f"source-silence:{episode}"


def _span(seconds: float) -> str:
    """A readable length at the precision that matters: "7h10m", "2d3h", "45m", "12s"."""
    if seconds >= 86400:
        seconds -= seconds % 3600
    elif seconds >= 3600:
        seconds -= seconds % 60
    return format_duration(round(seconds))


def limit_text(verdict: Verdict) -> str:
    """ "limit 6h from its history" / "expect_every 2h"."""
    if verdict.limit is None:
        return "no limit (too little history)"
    limit = _span(verdict.limit.total_seconds())
    return (
        f"expect_every {limit}"
        if verdict.basis == "expect_every"
        else f"limit {limit} from its history"
    )


def reason(verdict: Verdict) -> str:
    """Why the source counts as silent: "nothing new for 7h10m (limit 6h from its history)";
    "failing for 3h (expect_every 2h)"."""
    parts = []
    if verdict.quiet_too_long and verdict.quiet_for is not None:
        parts.append(f"nothing new for {_span(verdict.quiet_for.total_seconds())}")
    if verdict.failing_for is not None and (verdict.failing_too_long or parts):
        parts.append(f"failing for {_span(verdict.failing_for.total_seconds())}")
    return f"{', '.join(parts) or 'silent'} ({limit_text(verdict)})"


def _alert(
    notifier: str, episode: str, kind: str, seq: int, source_id: str, label: str, line: str,
    now: datetime,
) -> Alert:  # fmt: skip
    key = event_key(episode)
    headline = f"bilat: source {label} {line}"
    return Alert(
        id=Alert.make_id(notifier, OPERATOR_RULE, key, kind, seq),
        notifier=notifier,
        rule_id=OPERATOR_RULE,
        kind="new",
        event_key=key,
        headline=headline,
        match=Match(OPERATOR_RULE, f"{source_id}:~{kind}", kind, headline),
        report=ReportRef(f"{source_id}:~{kind}", source_id, None, label, None),
        created_at=now,
    )


def silence_alert(notifier: str, episode: SilenceEpisode, label: str, now: datetime) -> Alert:
    """The one alert of a silence episode."""
    line = f"is silent: {episode.reason}"
    return _alert(notifier, episode.episode_id, SILENT_KIND, 0, episode.source_id, label, line, now)


def recovery_line(episode: SilenceEpisode, verdict: Verdict, state: SourceState | None) -> str:
    """What ended the episode: a new item, good polls again, or a changed limit."""
    silent_for = _span(
        max(0.0, ((verdict.last_item_at or episode.since) - episode.since).total_seconds())
    )
    if verdict.last_item_at is not None and verdict.last_item_at > episode.since:
        return f"speaks again: a new item after {silent_for} of silence"
    if state is not None and not state.failures and state.last_ok_at is not None:
        return "polls fine again and is no longer silent"
    return f"no longer counts as silent ({limit_text(verdict)})"


def recovery_alert(
    notifier: str, episode: SilenceEpisode, label: str, line: str, now: datetime
) -> Alert:
    """The recovery note ending a silence episode (same event as its alert: sent after it)."""
    return _alert(
        notifier, episode.episode_id, RECOVERED_KIND, 1, episode.source_id, label, line, now
    )
