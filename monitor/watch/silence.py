"""The one definition of a silent source (PURE): ``bilat status``, the web page's Sources
table, the ``bilat_sources_silent`` gauge and the operator's alerts all call ``judge``.

A source is silent when, for longer than its *limit*,
- it brought nothing new: from its newest item's first sighting up to now (up to its last
  good poll when the daemon has not polled it lately, or it fails since), or
- it kept failing: from its first failure in a row up to its latest poll.

The limit is the source's ``expect_every`` when set (the operator's word wins). Otherwise it
is learned from the store's own record of the source — the distinct times its items were
first seen, one per poll that brought something new, over the last ``HISTORY``: with at
least ``MIN_GAPS`` gaps between them, the limit is the largest of ``FACTOR`` × the 90th
percentile of the latest ``MAX_GAPS`` gaps, ``POLLS`` poll intervals and ``FLOOR``; with
fewer, no limit applies (too little history to say what is usual) and the source is never
silent. A source that has never brought an item is judged only by its failures.

Why measured "up to the last poll" when the daemon is not polling a source on schedule: a
daemon restarted after a week off would otherwise call every source silent before polling
any. Why the 90th percentile: a source's usual night or weekend gap is part of its pace and
should not raise an alarm; three times it (and at least an hour) is far outside it.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from monitor.store.base import SourceState

HISTORY = timedelta(days=30)  # how far back a source's new-item times are read
MAX_GAPS = 50  # the latest gaps between new items that make its pace
MIN_GAPS = 5  # fewer: too little history to learn a pace from
QUANTILE = 0.9
FACTOR = 3.0
FLOOR = timedelta(hours=1)
POLLS = 3  # never silent before this many poll intervals without news
ON_SCHEDULE = 2  # polled within this many intervals: the daemon is watching it now

Basis = Literal["expect_every", "history", "unknown"]


@dataclass(frozen=True, slots=True)
class Pace:
    """A source's recent history: the distinct times its items were first seen, newest
    first (``Store.new_item_times``)."""

    times: tuple[datetime, ...] = ()

    @classmethod
    def of(cls, times: Sequence[datetime]) -> Pace:
        return cls(tuple(sorted(set(times), reverse=True)[: MAX_GAPS + 1]))

    @property
    def last_item_at(self) -> datetime | None:
        return self.times[0] if self.times else None

    def gaps(self) -> list[float]:
        """Seconds between consecutive new-item times, newest first."""
        return [(a - b).total_seconds() for a, b in zip(self.times, self.times[1:], strict=False)]

    def usual_gap(self) -> timedelta | None:
        """The median gap between new items (None with fewer than two sightings)."""
        gaps = self.gaps()
        return timedelta(seconds=statistics.median(gaps)) if gaps else None

    def learned_limit(self, interval_s: float) -> timedelta | None:
        """``FACTOR`` × the 90th percentile gap, at least ``POLLS`` intervals and ``FLOOR``;
        None with fewer than ``MIN_GAPS`` gaps."""
        gaps = self.gaps()
        if len(gaps) < MIN_GAPS:
            return None
        high = statistics.quantiles(gaps, n=10, method="inclusive")[int(QUANTILE * 10) - 1]
        return max(timedelta(seconds=FACTOR * high), timedelta(seconds=POLLS * interval_s), FLOOR)


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``judge`` says about one source at one moment."""

    silent: bool
    limit: timedelta | None  # None: nothing to judge by (too little history, no expect_every)
    basis: Basis
    last_item_at: datetime | None
    quiet_for: timedelta | None  # nothing new for this long (as far as the polls saw)
    failing_since: datetime | None
    failing_for: timedelta | None  # failing in a row for this long (None: not failing)

    @property
    def quiet_too_long(self) -> bool:
        limit, quiet = self.limit, self.quiet_for
        return limit is not None and quiet is not None and quiet > limit

    @property
    def failing_too_long(self) -> bool:
        return (
            self.limit is not None
            and self.failing_for is not None
            and self.failing_for > self.limit
        )

    @property
    def since(self) -> datetime | None:
        """When the silence began: the newest item, or the first failure when the source
        only fails (None when it is not silent)."""
        if self.quiet_too_long:
            return self.last_item_at
        return self.failing_since if self.failing_too_long else None


def limit_for(
    expect_every_s: float | None, interval_s: float, pace: Pace
) -> tuple[timedelta | None, Basis]:
    if expect_every_s is not None:
        return timedelta(seconds=expect_every_s), "expect_every"
    learned = pace.learned_limit(interval_s)
    return learned, "history" if learned is not None else "unknown"


def judge(
    state: SourceState | None,
    pace: Pace,
    *,
    interval_s: float,
    expect_every_s: float | None,
    now: datetime,
) -> Verdict:
    """Whether the source is silent now (see the module docstring for the rule)."""
    limit, basis = limit_for(expect_every_s, interval_s, pace)
    last_item = pace.last_item_at
    state = state or SourceState("")
    watching = state.last_polled_at is not None and now - state.last_polled_at <= timedelta(
        seconds=ON_SCHEDULE * interval_s
    )
    polled_until = now if watching else state.last_polled_at
    failing_for = None
    if state.failures and state.failing_since is not None and polled_until is not None:
        failing_for = max(timedelta(0), polled_until - state.failing_since)
    # Nothing new is known only up to the last good poll while the source fails.
    seen_until = state.last_ok_at if state.failures else polled_until
    if state.last_ok_at is not None and seen_until is not None and state.last_ok_at > seen_until:
        seen_until = state.last_ok_at
    quiet_for = None
    if last_item is not None and seen_until is not None:
        quiet_for = max(timedelta(0), seen_until - last_item)
    failing_since = state.failing_since if failing_for is not None else None
    verdict = Verdict(False, limit, basis, last_item, quiet_for, failing_since, failing_for)
    silent = verdict.quiet_too_long or verdict.failing_too_long
    return replace(verdict, silent=silent) if silent else verdict
