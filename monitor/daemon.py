"""The composition root: builds every part from Settings and owns their lifetimes.

``open_runtime`` enters, in order, the HTTP client (one session), the store, the notifiers,
and builds the rules, sources, pipeline, poller and delivery worker; an ``AsyncExitStack``
closes them in reverse. ``run`` is the daemon: it schedules polls, runs push sources under a
TaskGroup (``run_push_source``), and on SIGINT/SIGTERM stops scheduling, lets polls and
deliveries in flight finish for ``grace_s``, cancels what is left (open transactions roll
back), closes everything and returns 0. ``once`` polls every enabled source once, delivers
what is pending, and returns 0 when everything went fine, 1 otherwise.
"""

from __future__ import annotations

import asyncio
import functools
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import cast

import structlog

from adapters import ADAPTERS
from adapters.base import SourceOptions
from monitor import metrics
from monitor.config_errors import ConfigError, ConfigIssue, display_path
from monitor.contracts import OFFLOAD, HttpClient, PolledSource, PushSource, SourceCursor
from monitor.delivery import DeliveryWorker
from monitor.heap import settle_heap
from monitor.leases import LeaseKeeper
from monitor.logs import register_secrets
from monitor.model import Item, utcnow
from monitor.net.client import Http
from monitor.notifiers import NOTIFIERS
from monitor.notifiers.base import Notifier, NotifierOptions
from monitor.pacing import Cadence
from monitor.pipeline import Decide, Pipeline
from monitor.pipeline.decide import EventDecide
from monitor.poller import PolledSourceRuntime, Poller, describe_error
from monitor.retry import PUSH_RESTART_BASE_S, PUSH_RESTART_CAP_S, Backoff
from monitor.scheduler import Scheduler, plan_sources
from monitor.settings import Settings
from monitor.store import LeaseLost, Store, open_store, stream_lease
from monitor.workers import WorkPool, default_workers
from rules import RULES
from rules.base import Rule

log = structlog.get_logger("monitor.daemon")

STREAM_LEASE_S = 30.0  # a dead node's streams move to another node after about this long
SUMMARY_EVERY_S = 60.0  # the info-level "poll.summary" line; per-poll lines are debug


@dataclass(slots=True)
class Runtime:
    """Everything the daemon built from the settings, alive inside ``open_runtime``."""

    settings: Settings
    http: HttpClient
    store: Store
    pipeline: Pipeline
    poller: Poller
    delivery: DeliveryWorker
    polled: dict[str, PolledSourceRuntime]
    pushed: dict[str, tuple[SourceOptions, PushSource]]

    @property
    def lease_s(self) -> float:
        # A poll takes at most the HTTP timeout (edge retries included) plus parsing; a
        # claimed source whose poll died with the process is retried after this.
        return 2 * self.settings.monitor.http.timeout + 60.0


def _config_issue(settings: Settings, table: str, ident: str, reason: str) -> ConfigError:
    return ConfigError(
        [ConfigIssue(reason, file=display_path(settings.path), table=table, id=ident)]
    )


def _build_sources(
    settings: Settings,
) -> tuple[dict[str, PolledSourceRuntime], dict[str, tuple[SourceOptions, PushSource]]]:
    polled: dict[str, PolledSourceRuntime] = {}
    pushed: dict[str, tuple[SourceOptions, PushSource]] = {}
    for index, options in enumerate(settings.sources):
        if not options.enabled:
            continue
        kind = ADAPTERS[options.type]
        try:
            source = kind.from_options(options)
        except Exception as exc:
            raise _config_issue(settings, f"sources[{index}]", options.id, str(exc)) from exc
        cadence = Cadence(options.interval, kind.min_interval)
        # A source type returns either kind; the one with ``poll`` is scheduled.
        if callable(getattr(source, "poll", None)):
            polled[options.id] = PolledSourceRuntime(options, cast(PolledSource, source), cadence)
        else:
            pushed[options.id] = (options, cast(PushSource, source))
    return polled, pushed


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, decide_fn: Decide | None = None, http: HttpClient | None = None
) -> AsyncIterator[Runtime]:
    """Build and own every part; closes them (notifiers, store, HTTP) on exit."""
    register_secrets(s.get_secret_value() for s in settings.secrets.values())
    polled, pushed = _build_sources(settings)
    rules = [RULES[o.type](o) for o in settings.rules if o.enabled]
    async with AsyncExitStack() as stack:
        if http is None:
            http = await stack.enter_async_context(Http(settings.monitor.http))
        store = await open_store(settings.state_url)
        stack.push_async_callback(store.close)
        notifiers: dict[str, tuple[Notifier, NotifierOptions]] = {}
        for name, options in settings.notifiers.items():
            if not options.enabled:
                continue
            try:
                notifier = NOTIFIERS[options.type](name, options, http)
            except Exception as exc:
                raise _config_issue(settings, f"notifiers.{name}", name, str(exc)) from exc
            stack.push_async_callback(notifier.aclose)
            notifiers[name] = (notifier, options)
        delivery = DeliveryWorker(store, notifiers)
        pool = _work_pool(settings, rules)
        if pool is not None:
            stack.push_async_callback(pool.close)
            # Feed parsing of every task started from here on goes to the pool too.
            stack.callback(OFFLOAD.reset, OFFLOAD.set(pool.run))
        pipeline = Pipeline(
            store,
            rules,
            notifiers=frozenset(notifiers),
            backfill_s=settings.monitor.backfill,
            decide=decide_fn or EventDecide.from_settings(settings),
            on_alerts=delivery.kick,
            pool=pool,
        )
        poller = Poller(store, http, pipeline, polled)
        yield Runtime(settings, http, store, pipeline, poller, delivery, polled, pushed)


def _work_pool(settings: Settings, rules: list[Rule]) -> WorkPool | None:
    """The worker processes for parsing and rules (``[monitor] workers``), or None: inline."""
    workers = settings.monitor.workers
    if workers is None:
        workers = default_workers()
    if workers <= 0:
        return None
    return WorkPool(workers, [rule.options for rule in rules])


async def _sync_schedule(rt: Runtime, *, spread: bool) -> None:
    now = utcnow()
    polled = {sid: (r.options, r.cadence) for sid, r in rt.polled.items()}
    pushed = {sid: options for sid, (options, _) in rt.pushed.items()}
    plans = plan_sources(
        polled, pushed, now, spread_s=rt.settings.monitor.startup_spread if spread else 0.0
    )
    await rt.store.sync_sources(plans, now)


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


async def _summaries(rt: Runtime, every_s: float) -> None:
    """Log what the polls did, once per ``every_s`` (nothing when nothing was polled)."""
    while True:
        await asyncio.sleep(every_s)
        counts = rt.poller.stats.take()
        if counts["polls"]:
            log.info("poll.summary", period_s=round(every_s), **counts)


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
    try:
        await rt.store.probe_write()
    except Exception as exc:
        metrics.store_error("probe")
        return f"store not writable: {describe_error(exc)}"
    return None


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

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig)
    try:
        async with open_runtime(settings) as rt:
            settle_heap(rt.pipeline.rules)
            await _sync_schedule(rt, spread=True)
            scheduler = Scheduler(
                rt.store,
                rt.poller,
                rt.delivery,
                concurrency=settings.monitor.concurrency,
                retention_s=settings.monitor.retention,
                lease_s=rt.lease_s,
                tick_s=tick_s,
                flush=rt.pipeline.flush_due,
            )
            # Imported here: aiohttp's server side is a tenth of a start-up, and ``bilat
            # once`` never serves.
            from monitor.server.app import serve
            from monitor.server.context import ServerContext

            ctx = ServerContext(settings, rt.store, handles={"runtime": rt})
            ctx.readiness = functools.partial(readiness, rt, scheduler, stop)
            async with serve(ctx) as endpoint, asyncio.TaskGroup() as group:
                push_tasks = [
                    group.create_task(run_push_source(source, rt), name=f"push:{sid}")
                    for sid, (_, source) in rt.pushed.items()
                ]
                rt.delivery.start()
                scheduler.start()
                summaries = group.create_task(_summaries(rt, SUMMARY_EVERY_S), name="summaries")
                log.info(
                    "daemon.started",
                    sources=len(rt.polled) + len(rt.pushed),
                    rules=len(rt.pipeline.rules),
                    notifiers=sorted(rt.pipeline.notifiers),
                    state=rt.store.url,
                    endpoint=endpoint.url if endpoint else None,
                )
                await stop.wait()
                grace = settings.monitor.grace_s
                await asyncio.gather(scheduler.stop(grace), rt.delivery.stop(grace))
                for task in [*push_tasks, summaries]:
                    task.cancel()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    log.info("daemon.stopped")
    return 0


async def once(settings: Settings) -> int:
    """Poll every enabled polled source once, deliver, return 0 if all went fine else 1."""
    async with open_runtime(settings) as rt:
        settle_heap(rt.pipeline.rules)
        await _sync_schedule(rt, spread=False)
        slots = asyncio.Semaphore(settings.monitor.concurrency)

        async def poll(sid: str) -> bool:
            async with slots:
                return await rt.poller.poll(sid)

        ids = list(rt.polled)
        # Alerts go out while the polls run (the lanes wake on each queued alert), not after.
        rt.delivery.start()
        try:
            results = await asyncio.gather(*(poll(sid) for sid in ids))
        finally:
            await rt.delivery.stop(settings.monitor.grace_s)
        failed = [sid for sid, ok in zip(ids, results, strict=True) if not ok]
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
