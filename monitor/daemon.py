"""The composition root: runs the parts ``monitor.runtime`` builds and owns their lifetimes.

``run`` is the daemon: it schedules polls, runs push sources under a TaskGroup
(``run_push_source``), serves the HTTP endpoint (``monitor.server``), reloads the
configuration on SIGHUP or ``POST /-/reload`` (``runtime.Reloader``), and on SIGINT/SIGTERM
stops scheduling, lets polls and deliveries in flight finish for ``grace_s``, cancels what is
left (open transactions roll back), closes everything and returns 0. ``once`` polls every
enabled source once, delivers what is pending, and returns 0 when everything went fine, 1
otherwise.
"""

from __future__ import annotations

import asyncio
import functools
import signal
from collections.abc import Callable, Coroutine
from typing import Any

import structlog

from adapters.base import with_country
from monitor import metrics
from monitor.contracts import PushSource, SourceCursor
from monitor.leases import LeaseKeeper
from monitor.model import Item, utcnow
from monitor.poller import describe_error
from monitor.retry import PUSH_RESTART_BASE_S, PUSH_RESTART_CAP_S, Backoff
from monitor.runtime import Reloader, Runtime, open_runtime, sync_schedule
from monitor.scheduler import Scheduler
from monitor.settings import Settings
from monitor.store import LeaseLost, stream_lease
from monitor.warmup import settle_heap
from monitor.watch.watcher import SilenceWatch

__all__ = ["Runtime", "once", "open_runtime", "run", "run_push_source"]

log = structlog.get_logger("monitor.daemon")

STREAM_LEASE_S = 8.0  # a dead node's streams move after about this long ([monitor] lease)
SUMMARY_EVERY_S = 60.0  # the info-level "poll.summary" line; per-poll lines are debug
FIRST_SUMMARY_S = 10.0  # the first one comes sooner: the first results of a fresh start

_sync_schedule = sync_schedule  # the name bench/pollclient.py imports
Reload = Callable[[], Coroutine[Any, Any, tuple[bool, str]]]


async def run_push_source(
    source: PushSource, rt: Runtime, *, lease_s: float = STREAM_LEASE_S
) -> None:
    """Keep one push source streaming until cancelled: each batch it emits is processed and
    committed with its cursor; if ``run`` returns or raises, restart it with backoff. With
    several nodes, only the node holding the source's stream lease runs it; the others wait
    and one takes over within about one ``lease_s`` after the holder dies."""
    keeper = LeaseKeeper(rt.store, stream_lease(source.id), ttl_s=lease_s)
    with structlog.contextvars.bound_contextvars(source_id=source.id):
        try:
            while True:
                await keeper.wait_until_held()
                stream = asyncio.create_task(_stream(source, rt), name=f"stream:{source.id}")
                keeping = asyncio.create_task(keeper.keep(), name=f"lease:{source.id}")
                try:
                    # The stream only ends on LeaseLost (a fenced commit); keep() when a
                    # renewal finds the lease taken.
                    await asyncio.wait({stream, keeping}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    stream.cancel()
                    keeping.cancel()
                    await asyncio.gather(stream, keeping, return_exceptions=True)
                log.warning("source.stream_lease_lost")
        finally:
            await keeper.release()


async def _stream(source: PushSource, rt: Runtime) -> None:
    attempt = 0

    async def emit(items: list[Item], cursor: SourceCursor) -> None:
        entry = rt.pushed.get(source.id)
        if entry is not None:
            items = with_country(items, entry[0].country)
        outcome = await rt.pipeline.process_items(source.id, items, cursor)
        log.info(
            "source.pushed",
            fetched=outcome.fetched,
            new=outcome.new,
            matched=outcome.matched,
            alerts=len(outcome.alerts),
        )

    while True:
        started = asyncio.get_running_loop().time()
        try:
            state = await rt.store.source_state(source.id)
            await source.run(rt.http, state.cursor, emit)
            reason = "stream ended"
        except (asyncio.CancelledError, LeaseLost):
            raise
        except Exception as exc:
            reason = describe_error(exc)
        # A stream that ran for a while before failing starts its backoff afresh.
        attempt = 1 if asyncio.get_running_loop().time() - started > 600 else attempt + 1
        delay = Backoff(PUSH_RESTART_BASE_S, PUSH_RESTART_CAP_S).delay(attempt)
        log.warning("source.stream_restart", reason=reason, retry_in_s=round(delay, 1))
        await asyncio.sleep(delay)


async def _summaries(rt: Runtime, every_s: float, first_s: float = FIRST_SUMMARY_S) -> None:
    """Log what the polls did, once per ``every_s`` (nothing when nothing was polled); the
    first time after ``first_s``, so the first results show soon after the start."""
    period = first_s
    while True:
        await asyncio.sleep(period)
        counts = rt.poller.stats.take()
        if counts["polls"]:
            log.info("poll.summary", period_s=round(period), **counts)
        period = every_s


async def _first_polls(rt: Runtime) -> dict[str, float]:
    """When the first polls fall, for the start line: the first one and the last one."""
    now = utcnow()
    states = await rt.store.source_states()
    due = [
        max(0.0, (at - now).total_seconds())
        for sid in rt.polled
        if (at := states[sid].next_due_at if sid in states else None) is not None
    ]
    if not due:
        return {}
    return {"first_poll_in_s": round(min(due)), "all_polled_within_s": round(max(due))}


async def readiness(rt: Runtime, scheduler: Scheduler, stop: asyncio.Event) -> str | None:
    """Why the daemon cannot do its work now (``/readyz``), or None when it can: it is not
    stopping, its ticker dispatched recently, and the store takes a write."""
    if stop.is_set() or not scheduler.accepting:
        return "stopping" if stop.is_set() else "scheduler not started"
    age = scheduler.tick_age()
    limit = max(10.0, 5 * scheduler.tick_s)
    if age is None or age > limit:
        when = "never" if age is None else f"{age:.0f}s ago"
        return f"scheduler not ticking (last dispatch {when})"
    # The probe is a write like any other: a refusal pauses the daemon (StoreHealth), and a
    # success ends a pause at once rather than at the health check's next backoff step.
    try:
        await rt.store.probe_write()
    except Exception as exc:
        metrics.store_error("probe")
        rt.health.refused(exc)
        return f"store not writable: {describe_error(exc)}"
    rt.health.wrote()
    return None


def _watch(rt: Runtime) -> SilenceWatch:
    """The silent-source watch on the runtime's current settings (a reload replaces them)."""
    return SilenceWatch(lambda: rt.settings, rt.store, notifiers=lambda: rt.notifiers)


async def run(settings: Settings, *, tick_s: float = 1.0) -> int:
    """The daemon. Returns 0 after a graceful stop on SIGINT/SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def on_signal(signum: int) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            log.info("daemon.already_stopping", signal=name)
            return
        log.info("daemon.stopping", signal=name, grace_s=settings.monitor.grace_s)
        stop.set()

    reloads: set[asyncio.Task[tuple[bool, str]]] = set()
    reload: Reload | None = None  # set once the daemon runs; a SIGHUP before is only logged

    def on_hangup() -> None:
        if reload is None or stop.is_set():
            log.info("config.reload_ignored", signal="SIGHUP", reason="not running")
            return
        log.info("config.reload_requested", signal="SIGHUP")
        task = loop.create_task(reload(), name="reload")
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig)
    loop.add_signal_handler(signal.SIGHUP, on_hangup)
    try:
        async with open_runtime(settings) as rt:
            settle_heap(rt.pipeline.rules)
            await _sync_schedule(rt, spread=True)
            # polls a killed run left claimed are due now, not when their claims run out
            released = await rt.store.release_dead_claims(utcnow())
            if released:
                log.info("schedule.claims_released", sources=len(released), ids=released[:20])
            scheduler = Scheduler(
                rt.store,
                rt.poller,
                rt.delivery,
                concurrency=settings.monitor.concurrency,
                retention_s=settings.monitor.retention,
                lease_s=rt.lease_s,
                tick_s=tick_s,
                flush=rt.pipeline.flush_due,
                watch=_watch(rt).tick,
            )
            # Imported here: aiohttp's server side is a tenth of a start-up, and ``bilat
            # once`` never serves.
            from monitor.server.app import serve
            from monitor.server.context import ServerContext

            ctx = ServerContext(settings, rt.store, handles={"runtime": rt})
            ctx.readiness = functools.partial(readiness, rt, scheduler, stop)
            async with serve(ctx) as endpoint, asyncio.TaskGroup() as group:

                def start_push(sid: str, source: PushSource) -> asyncio.Task[None]:
                    lease = rt.settings.monitor.lease
                    return group.create_task(
                        run_push_source(source, rt, lease_s=lease), name=f"push:{sid}"
                    )

                push_tasks = {sid: start_push(sid, src) for sid, (_, src) in rt.pushed.items()}
                reloader = Reloader(rt, scheduler, push_tasks, start_push)

                async def reload_now() -> tuple[bool, str]:
                    if stop.is_set():
                        return False, "stopping: not reloading"
                    result = await reloader()
                    ctx.settings = rt.settings
                    return result

                ctx.reload = reload = reload_now
                if rt.pipeline.pool is not None:
                    rt.pipeline.pool.prestart()  # warm workers before the first poll lands
                rt.delivery.start()
                scheduler.start()
                summaries = group.create_task(_summaries(rt, SUMMARY_EVERY_S), name="summaries")
                log.info(
                    "daemon.started",
                    sources=len(rt.polled) + len(rt.pushed),
                    streams=len(rt.pushed),
                    **await _first_polls(rt),
                    rules=len(rt.pipeline.rules),
                    notifiers=sorted(rt.pipeline.notifiers),
                    state=rt.store.url,
                    endpoint=endpoint.url if endpoint else None,
                )
                await stop.wait()
                reload = None
                # A reload under way finishes first (it may be swapping the delivery worker).
                await asyncio.gather(*reloads, return_exceptions=True)
                grace = settings.monitor.grace_s
                await asyncio.gather(scheduler.stop(grace), rt.delivery.stop(grace))
                for task in [*push_tasks.values(), summaries]:
                    task.cancel()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(sig)
    log.info("daemon.stopped")
    return 0


async def once(settings: Settings) -> int:
    """Poll every enabled polled source once, deliver, return 0 if all went fine else 1."""
    async with open_runtime(settings, one_shot=True) as rt:
        settle_heap(rt.pipeline.rules, collect=False)
        await _sync_schedule(rt, spread=False)
        concurrency = settings.monitor.concurrency
        ids = list(rt.polled)
        pending = iter(ids)
        results: dict[str, bool] = {}
        in_flight = 0

        async def worker() -> None:
            # ``concurrency`` workers take the sources in order: the same polls in flight as
            # one task per source behind a semaphore, without 5,000 tasks, contexts and
            # semaphore waiters created up front (a few percent of an unchanged pass).
            nonlocal in_flight
            for sid in pending:
                in_flight += 1
                try:
                    results[sid] = await rt.poller.poll(sid)
                finally:
                    in_flight -= 1

        # Nobody waits on one poll's commit here: on SQLite, polls share larger commits
        # (half the polls in flight gather in one; the others keep fetching meanwhile).
        rt.store.gather_commits(lambda: in_flight, max(2, concurrency // 2))

        # Alerts go out while the polls run (the lanes wake on each queued alert), not after.
        rt.delivery.start()
        try:
            await asyncio.gather(*(worker() for _ in range(min(concurrency, len(ids)))))
        finally:
            rt.store.gather_commits(None)
            await rt.delivery.stop(settings.monitor.grace_s)
        failed = [sid for sid in ids if not results[sid]]
        await _watch(rt).check()  # silent sources: their operator alerts go out with the rest
        await rt.pipeline.flush_due()  # folded updates that came due since the last run
        report = await rt.delivery.drain(settings.monitor.grace_s)
        if rt.pushed:
            log.info("once.push_sources_skipped", sources=sorted(rt.pushed))
        counts = rt.poller.stats.take()
        log.info(
            "once.done",
            polled=len(ids),
            failed=len(failed),
            not_modified=counts["not_modified"],
            new_items=counts["new_items"],
            matches=counts["matches"],
            alerts=counts["alerts"],
            failed_sources=failed,
            delivered=rt.delivery.sent_total,
            dead=report.dead,
            pending=report.pending,
        )
        return 0 if not failed and not report.dead and not report.pending else 1
