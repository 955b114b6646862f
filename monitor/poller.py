"""Polls one source once and records what happened: the one place a poll's outcome is decided.

Success: the items go through the pipeline, committed together with the new cursor, validators
and next due time; one canonical ``source.polled`` line. Failure: the cursor stays, the due
time backs off (``monitor.pacing``), and the source's state records the error. Transitions are
logged once: ``source.failing`` when a source goes bad (with the reason and when it will be
tried again), ``source.recovered`` when it works again (with the downtime); failures in
between are debug lines, plus a ``source.still_failing`` reminder at most every few hours.
A broken source fails alone: nothing a source raises escapes ``poll``, except cancellation.

The canonical ``source.polled`` line is a debug line (thousands of polls a minute would
drown everything else at info); ``PollStats`` counts what the polls did, for the periodic
``poll.summary`` line at info (``monitor.daemon``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from adapters.base import SourceOptions, with_country
from monitor import metrics
from monitor.contracts import DEFER_PARSE, FetchError, HttpClient, PolledSource, PollResult
from monitor.logs import HotLogger, mask_text
from monitor.model import utcnow
from monitor.pacing import Cadence, after_failure, after_success, is_transient
from monitor.pipeline import Pipeline
from monitor.pipeline.feedjob import FeedJob
from monitor.store.base import LeaseLost, SourceState, Store
from monitor.store.health import StoreHealth

log = HotLogger("monitor.poller")

STILL_FAILING_EVERY = timedelta(hours=6)


@dataclass(slots=True)
class PollStats:
    """What the polls did since the last summary (``take`` reads and resets)."""

    polls: int = 0
    not_modified: int = 0
    failed: int = 0
    new: int = 0
    matched: int = 0
    alerts: int = 0

    def take(self) -> dict[str, int]:
        counts = {
            "polls": self.polls,
            "not_modified": self.not_modified,
            "failed": self.failed,
            "new_items": self.new,
            "matches": self.matched,
            "alerts": self.alerts,
        }
        self.polls = self.not_modified = self.failed = self.new = self.matched = 0
        self.alerts = 0
        return counts


@dataclass(frozen=True, slots=True)
class PolledSourceRuntime:
    """A configured polled source with its timing."""

    options: SourceOptions
    source: PolledSource
    cadence: Cadence


def describe_error(exc: BaseException) -> str:
    """One line naming the error, safe to log and store (secrets masked)."""
    text = str(exc).strip()
    name = type(exc).__name__
    return mask_text(f"{name}: {text}" if text else name)


def error_status(exc: BaseException) -> str:
    status = getattr(exc, "status", None)
    if isinstance(exc, FetchError) and status:
        return f"error {status}"
    return type(exc).__name__


class Poller:
    """Polls sources by id; safe to call concurrently for different sources."""

    def __init__(
        self,
        store: Store,
        http: HttpClient,
        pipeline: Pipeline,
        sources: Mapping[str, PolledSourceRuntime],
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        health: StoreHealth | None = None,
    ) -> None:
        self.store = store
        self.health = health or StoreHealth(store.url)
        # Polls whose commit the store refused: still leased to this node, polled again as
        # soon as the store heals (the scheduler takes them), not a lease later.
        self.rolled_back: set[str] = set()
        self.http = http
        self.pipeline = pipeline
        self.sources = dict(sources)
        self.clock = clock
        self.rng = rng or random.Random()
        self._announced: dict[str, datetime] = {}  # failing sources logged in this process
        self.stats = PollStats()

    async def poll(self, source_id: str) -> bool:
        """Poll ``source_id`` once; True when the poll (and its processing) succeeded."""
        runtime = self.sources[source_id]
        with structlog.contextvars.bound_contextvars(source_id=source_id):
            state = await self.store.source_state(source_id)
            t0 = time.perf_counter()
            first_poll = state.last_ok_at is None
            try:
                result, job = await self._fetch(runtime, state, first_poll)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._failed(runtime, state, exc, t0)
                return False
            now = self.clock()
            delay = after_success(runtime.cadence, result.min_delay_s, self.rng)
            status = str(result.http_status or ("304" if result.not_modified else "ok"))
            # Every field named (``evolve``'s ``dataclasses.replace`` is several times the
            # cost of the constructor, once per poll).
            next_state = SourceState(
                state.source_id,
                cursor=result.cursor,
                next_due_at=now + timedelta(seconds=delay),
                failures=0,
                failing_since=None,
                last_ok_at=now,
                last_polled_at=now,
                last_status=status,
                last_error=None,
                fingerprint=state.fingerprint,
            )
            items = (
                [] if result.not_modified else with_country(result.items, runtime.options.country)
            )
            try:
                outcome = await self.pipeline.process(
                    next_state,
                    items,
                    first_poll=first_poll,
                    received_at=result.received_at,
                    job=job,
                )
            except asyncio.CancelledError:
                raise
            except LeaseLost as exc:
                # Another node claimed this source after our lease ran out: its poll counts,
                # ours was rolled back whole.
                log.warning("source.lease_lost", reason=str(exc))
                metrics.poll_done(source_id, "lease_lost", time.perf_counter() - t0)
                return False
            except Exception as exc:
                if self.health.refused(exc):
                    # The store refuses writes (announced once by StoreHealth): nothing
                    # was committed; this source is polled again when the store heals.
                    metrics.store_error("commit")
                    self.rolled_back.add(source_id)
                    log.debug("source.rolled_back", reason=describe_error(exc))
                    return False
                # The store or a decision failed: nothing was committed, the cursor did
                # not move; back off like any other failure.
                log.exception("source.process_failed", error=describe_error(exc))
                metrics.store_error("commit")
                await self._failed(runtime, state, exc, t0)
                return False
            self.health.wrote()
            kind = "not_modified" if result.not_modified else "ok"
            metrics.poll_done(source_id, kind, time.perf_counter() - t0, outcome.new)
            stats = self.stats
            stats.polls += 1
            stats.not_modified += result.not_modified
            stats.new += outcome.new
            stats.matched += outcome.matched
            stats.alerts += len(outcome.alerts)
            log.debug(
                "source.polled",
                status=status,
                fetched=result.fetched or len(items),
                new=outcome.new,
                matched=outcome.matched,
                alerts=len(outcome.alerts),
                ms=round((time.perf_counter() - t0) * 1000),
                next_in_s=round(delay),
            )
            for note in result.notes:
                log.info("source.note", note=mask_text(note))
            if state.failures:
                since = state.failing_since or now
                log.info(
                    "source.recovered",
                    downtime_s=round((now - since).total_seconds()),
                    failures=state.failures,
                )
            self._announced.pop(source_id, None)
            return True

    async def _fetch(
        self, runtime: PolledSourceRuntime, state: SourceState, first_poll: bool
    ) -> tuple[PollResult, FeedJob | None]:
        """The source's poll; with worker processes, a source that can defer its parse
        (``PollResult.parse``) has it parsed in the same worker job as the rules."""
        if self.pipeline.pool is None:
            return await runtime.source.poll(self.http, state.cursor), None
        token = DEFER_PARSE.set(True)
        try:
            result = await runtime.source.poll(self.http, state.cursor)
        finally:
            DEFER_PARSE.reset(token)
        if result.parse is None:
            return result, None
        job = await self.pipeline.feed_job(
            runtime.options.id,
            result.parse,
            country=runtime.options.country,
            first_poll=first_poll,
            size=result.parse_bytes,
        )
        wishes = [w for w in (result.min_delay_s, job.ttl_s) if w is not None]
        merged = dataclasses.replace(
            result,
            min_delay_s=max(wishes) if wishes else None,
            fetched=job.entries,
            notes=(*result.notes, *job.notes),
            parse=None,
        )
        return merged, job

    def take_rolled_back(self, limit: int) -> list[str]:
        """Up to ``limit`` sources whose last poll the store refused (see ``rolled_back``)."""
        taken = sorted(self.rolled_back)[: max(0, limit)]
        self.rolled_back.difference_update(taken)
        return taken

    async def _failed(
        self, runtime: PolledSourceRuntime, state: SourceState, exc: Exception, t0: float
    ) -> None:
        self.stats.polls += 1
        self.stats.failed += 1
        metrics.poll_done(runtime.options.id, "failed", time.perf_counter() - t0)
        now = self.clock()
        failures = state.failures + 1
        delay = after_failure(runtime.cadence, failures, exc, self.rng)
        reason = describe_error(exc)
        status = error_status(exc)
        next_state = state.evolve(
            next_due_at=now + timedelta(seconds=delay),
            failures=failures,
            failing_since=state.failing_since or now,
            last_polled_at=now,
            last_status=status,
            last_error=reason[:1000],
        )
        try:
            await self.store.save_source_state(next_state)
        except asyncio.CancelledError:
            raise
        except LeaseLost as lost:
            log.warning("source.lease_lost", reason=str(lost))
            return
        except Exception as failed:
            metrics.store_error("save_state")
            if not self.health.refused(failed):
                log.exception("source.state_not_saved")
        fields = {
            "status": status,
            "reason": reason,
            "failures": failures,
            "retry_in_s": round(delay),
            "transient": is_transient(exc),
        }
        sid = runtime.options.id
        announced = self._announced.get(sid)
        # Errors we did not anticipate get their traceback once, for the bug report.
        expected = isinstance(exc, FetchError | ValueError)
        if announced is None:
            self._announced[sid] = now
            log.warning("source.failing", **fields, exc_info=None if expected else exc)
        elif now - announced >= STILL_FAILING_EVERY:
            self._announced[sid] = now
            since = state.failing_since or now
            log.warning(
                "source.still_failing",
                **fields,
                down_s=round((now - since).total_seconds()),
            )
        else:
            ms = round((time.perf_counter() - t0) * 1000)
            log.debug("source.polled", **fields, ms=ms)
