"""The silent-source check against the store: verdicts for every enabled source (shared by
``bilat status``, the web page and the metrics) and the episodes with their alerts.

``SilenceWatch.check`` runs on the scheduler's ticker (and once at the end of ``bilat
once``). A source that turns silent opens an episode in the store and, in the same
transaction, queues one alert to ``[monitor] operator_notify`` through the outbox; while the
episode is open nothing more is sent, whoever checks (a restart, another node: opening is a
unique insert, so only one check ever wins). When the source is no longer silent the
episode closes and, in the same transaction, the recovery note is queued. Without
``operator_notify`` (or with a disabled notifier) the episode is still kept and logged as one
warning line (``source.silent``) and one info line (``source.speaks_again``). Episodes of
sources disabled or removed from the configuration close without a note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import structlog

from adapters.base import SourceOptions
from monitor import metrics
from monitor.model import Alert, utcnow
from monitor.settings import Settings
from monitor.store.base import SourceState, Store
from monitor.store.ops_types import SilenceEpisode
from monitor.watch import notes
from monitor.watch.silence import HISTORY, MAX_GAPS, Pace, Verdict, judge

log = structlog.get_logger("monitor.watch")

CHECK_EVERY_S = 30.0  # the check's cadence unless an expect_every asks for a finer one


@dataclass(frozen=True, slots=True)
class SourceWatch:
    """One enabled source as the check sees it."""

    state: SourceState | None
    pace: Pace
    verdict: Verdict


async def watch_sources(
    store: Store, sources: Iterable[SourceOptions], now: datetime
) -> dict[str, SourceWatch]:
    """The silence verdict of every enabled source in ``sources`` (two store reads)."""
    states = await store.source_states()
    times = await store.new_item_times(since=now - HISTORY, per_source=MAX_GAPS + 1)
    out: dict[str, SourceWatch] = {}
    for options in sources:
        if not options.enabled:
            continue
        state = states.get(options.id)
        pace = Pace.of(times.get(options.id, ()))
        verdict = judge(
            state, pace, interval_s=options.interval, expect_every_s=options.expect_every, now=now
        )
        out[options.id] = SourceWatch(state, pace, verdict)
    return out


def check_every_s(settings: Settings, tick_s: float) -> float:
    """How often the daemon checks: every ``CHECK_EVERY_S``, or a quarter of the shortest
    ``expect_every`` when that is finer, never faster than the ticker."""
    limits = [s.expect_every for s in settings.sources if s.enabled and s.expect_every]
    return max(tick_s, min([CHECK_EVERY_S, *(limit / 4 for limit in limits)]))


class SilenceWatch:
    """Opens and closes silence episodes and queues their alerts (module docstring)."""

    def __init__(
        self,
        settings: Callable[[], Settings],
        store: Store,
        *,
        notifiers: Callable[[], Iterable[str]],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings  # the current settings (a reload replaces them)
        self.store = store
        self.notifiers = notifiers  # names of the enabled notifiers
        self.clock = clock
        self._last_check: datetime | None = None
        self._failing = False

    async def tick(self, tick_s: float) -> None:
        """The scheduler's tick: a check when one is due (``check_every_s``); a store that
        fails is logged once, then quietly retried on the next due tick."""
        now = self.clock()
        every = check_every_s(self.settings(), tick_s)
        if self._last_check is not None and (now - self._last_check).total_seconds() < every:
            return
        self._last_check = now
        try:
            await self.check()
        except Exception as exc:
            metrics.store_error("watch")
            if self._failing:
                log.debug("watch.failed", error=f"{type(exc).__name__}: {exc}")
            else:
                log.warning("watch.failed", error=f"{type(exc).__name__}: {exc}")
            self._failing = True
            return
        self._failing = False

    def _operator(self) -> str | None:
        name = self.settings().monitor.operator_notify
        return name if name is not None and name in set(self.notifiers()) else None

    async def check(self) -> list[str]:
        """One pass; returns the ids of the sources silent now."""
        now = self.clock()
        settings = self.settings()
        watched = await watch_sources(self.store, settings.sources, now)
        episodes = await self.store.silence_episodes()
        labels = {s.id: s.label or s.id for s in settings.sources}
        for sid, seen in watched.items():
            episode = episodes.get(sid)
            if seen.verdict.silent and episode is None:
                await self._open(sid, labels[sid], seen.verdict, now)
            elif episode is not None and not seen.verdict.silent:
                line = notes.recovery_line(episode, seen.verdict, seen.state)
                await self._close(episode, labels[sid], line, now)
        for sid, episode in episodes.items():
            if sid not in watched:  # disabled or removed: nobody waits for it any more
                await self._close(episode, sid, None, now)
        return sorted(sid for sid, seen in watched.items() if seen.verdict.silent)

    async def _open(self, source_id: str, label: str, verdict: Verdict, now: datetime) -> None:
        since = verdict.since or now
        episode = SilenceEpisode(
            source_id, notes.episode_id(source_id, since), since, now, notes.reason(verdict)
        )
        operator = self._operator()
        alerts = [notes.silence_alert(operator, episode, label, now)] if operator else []
        queued = await self._write(episode, alerts, opening=True)
        if queued is None:
            return  # another node (or an earlier check) opened it: it alerted already
        log.warning(
            "source.silent",
            source_id=source_id,
            reason=episode.reason,
            since=since.isoformat(),
            operator_notify=operator,
        )

    async def _close(
        self, episode: SilenceEpisode, label: str, line: str | None, now: datetime
    ) -> None:
        operator = self._operator() if line is not None else None
        alerts = (
            [notes.recovery_alert(operator, episode, label, line, now)] if operator and line else []
        )
        queued = await self._write(episode, alerts, opening=False)
        if queued is None or line is None:
            return
        silent_for = (now - episode.since).total_seconds()
        log.info(
            "source.speaks_again",
            source_id=episode.source_id,
            note=line,
            silent_for_s=round(silent_for),
            operator_notify=operator,
        )

    async def _write(
        self, episode: SilenceEpisode, alerts: list[Alert], *, opening: bool
    ) -> list[Alert] | None:
        """Open or close ``episode`` and queue ``alerts`` in one transaction; None when the
        store says another check got there first (nothing queued)."""
        async with self.store.transaction() as tx:
            if opening:
                changed = await tx.open_silence(episode)
            else:
                changed = await tx.close_silence(episode.source_id, episode.episode_id)
            if not changed:
                return None
            new = set(await tx.add_alerts(alerts)) if alerts else set()
        queued = [a for a in alerts if a.id in new]
        metrics.committed((), queued)
        return queued
