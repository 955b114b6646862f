"""The running parts, built from Settings and rebuilt from new Settings on a reload.

``open_runtime`` enters, in order, the HTTP client (one session), the store, the notifiers,
and builds the rules, sources, pipeline, poller and delivery worker; an ``AsyncExitStack``
closes them in reverse. ``Reloader`` re-reads the configuration file (SIGHUP, ``POST
/-/reload``): it builds everything the new file describes *before* touching the running
parts, so any error keeps the old configuration running (one log line, the reload metric
at 0); then it swaps sources, rules, silences and notifiers in place. Polls in flight finish
with the source they started with; a notifier change restarts the delivery worker, whose
in-flight sends finish first (rows stay in the outbox, so nothing queued is lost).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import structlog

from adapters import ADAPTERS
from adapters.base import SourceOptions
from monitor import metrics
from monitor.config_errors import ConfigError, ConfigIssue, display_path
from monitor.contracts import OFFLOAD, HttpClient, PolledSource, PushSource
from monitor.delivery import DeliveryWorker
from monitor.logs import register_secrets
from monitor.model import utcnow
from monitor.net.client import Http
from monitor.notifiers import NOTIFIERS
from monitor.notifiers.base import Notifier, NotifierOptions
from monitor.pacing import Cadence
from monitor.pipeline import Decide, Pipeline
from monitor.pipeline.decide import EventDecide
from monitor.poller import PolledSourceRuntime, Poller, describe_error
from monitor.scheduler import Scheduler, plan_sources
from monitor.settings import Settings, load_settings
from monitor.store import Store, open_store
from monitor.store.health import StoreHealth
from monitor.workers import WorkPool, default_workers
from rules import RULES
from rules.base import Rule

log = structlog.get_logger("monitor.daemon")

Notifiers = dict[str, tuple[Notifier, NotifierOptions]]
Pushed = dict[str, tuple[SourceOptions, PushSource]]


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
    pushed: Pushed
    notifiers: Notifiers = field(default_factory=dict)
    decide_fn: Decide | None = None  # a test's decide; kept across reloads
    health: StoreHealth = field(default_factory=lambda: StoreHealth(""))  # for /readyz

    @property
    def lease_s(self) -> float:
        # A poll takes at most the HTTP timeout (edge retries included) plus parsing; a
        # claimed source whose poll died with the process is retried after this.
        return 2 * self.settings.monitor.http.timeout + 60.0


def _config_issue(settings: Settings, table: str, ident: str, reason: str) -> ConfigError:
    return ConfigError(
        [ConfigIssue(reason, file=display_path(settings.path), table=table, id=ident)]
    )


def build_sources(settings: Settings) -> tuple[dict[str, PolledSourceRuntime], Pushed]:
    """The enabled sources, split into polled and pushed; a source that cannot be built from
    its options is a ConfigError."""
    polled: dict[str, PolledSourceRuntime] = {}
    pushed: Pushed = {}
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


# A one-shot pass over fewer polled sources than this runs inline unless ``[monitor]
# workers`` says otherwise: starting the forkserver blocks the loop ~0.3 s, the time to parse
# a few hundred feeds inline. The daemon keeps its workers whatever its size: there one heavy
# feed parsed on the loop would stall every other poll for seconds (issue 12, item 6).
POOL_MIN_SOURCES = 100


def _work_pool(
    settings: Settings, rules: list[Rule], polled: int, pushed: int, one_shot: bool
) -> WorkPool | None:
    """The worker processes for parsing and rules (``[monitor] workers``), or None: inline."""
    workers = settings.monitor.workers
    if workers is None:
        small = one_shot and not pushed and polled < POOL_MIN_SOURCES
        workers = 0 if small else default_workers()
    if workers <= 0:
        return None
    return WorkPool(workers, [rule.options for rule in rules])


def build_rules(settings: Settings) -> list[Rule]:
    return [RULES[o.type](o) for o in settings.rules if o.enabled]


def build_notifiers(
    settings: Settings, http: HttpClient, keep: Mapping[str, tuple[Notifier, NotifierOptions]]
) -> Notifiers:
    """The enabled notifiers; one whose options are unchanged in ``keep`` is reused (its
    pacing and connections carry on). A notifier that cannot start is a ConfigError (the
    ones built here are closed first)."""
    out: Notifiers = {}
    built: list[Notifier] = []
    for name, options in settings.notifiers.items():
        if not options.enabled:
            continue
        old = keep.get(name)
        if old is not None and old[1] == options:
            out[name] = old
            continue
        try:
            notifier = NOTIFIERS[options.type](name, options, http)
        except Exception as exc:
            for n in built:
                asyncio.get_running_loop().create_task(n.aclose())
            raise _config_issue(settings, f"notifiers.{name}", name, str(exc)) from exc
        built.append(notifier)
        out[name] = (notifier, options)
    return out


async def _close_notifiers(notifiers: Notifiers) -> None:
    for notifier, _ in notifiers.values():
        await notifier.aclose()


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    decide_fn: Decide | None = None,
    http: HttpClient | None = None,
    one_shot: bool = False,
) -> AsyncIterator[Runtime]:
    """Build and own every part; closes them (notifiers, store, HTTP) on exit. ``one_shot``:
    for ``bilat once``, which a small configuration runs faster inline."""
    register_secrets(s.get_secret_value() for s in settings.secrets.values())
    polled, pushed = build_sources(settings)
    rules = build_rules(settings)
    async with AsyncExitStack() as stack:
        if http is None:
            http = await stack.enter_async_context(Http(settings.monitor.http))
        store = await open_store(
            settings.state_url,
            pool_size=settings.monitor.pool_size,
            lease_s=settings.monitor.lease,
        )
        stack.push_async_callback(store.close)
        notifiers = build_notifiers(settings, http, {})
        health = StoreHealth(store.url)  # whether the store accepts writes
        delivery = DeliveryWorker(store, notifiers, health=health, lease_s=settings.monitor.lease)
        pool = _work_pool(settings, rules, len(polled), len(pushed), one_shot)
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
        poller = Poller(store, http, pipeline, polled, health=health)
        rt = Runtime(
            settings,
            http,
            store,
            pipeline,
            poller,
            delivery,
            polled,
            pushed,
            notifiers,
            decide_fn,
            health,
        )
        # The notifiers in force when the daemon stops (a reload may have replaced some).
        stack.push_async_callback(lambda: _close_notifiers(rt.notifiers))
        yield rt


async def sync_schedule(rt: Runtime, *, spread: bool) -> None:
    """Make the store's schedule match ``rt``'s sources (new ones spread over
    ``startup_spread``; removed ones are never claimed again)."""
    now = utcnow()
    polled = {sid: (r.options, r.cadence) for sid, r in rt.polled.items()}
    pushed = {sid: options for sid, (options, _) in rt.pushed.items()}
    plans = plan_sources(
        polled, pushed, now, spread_s=rt.settings.monitor.startup_spread if spread else 0.0
    )
    # Before the store's schedule names a new source, so its first commit keeps its hint.
    rt.pipeline.retain_sources(plans.keys())
    await rt.store.sync_sources(plans, now)


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[str]]:
    return {
        "added": sorted(new.keys() - old.keys()),
        "removed": sorted(old.keys() - new.keys()),
        "changed": sorted(k for k in old.keys() & new.keys() if old[k] != new[k]),
    }


class Reloader:
    """Re-reads the configuration file and applies it to the running daemon; one at a time.
    Calling it returns (ok, one-line message)."""

    def __init__(
        self,
        rt: Runtime,
        scheduler: Scheduler,
        push_tasks: dict[str, asyncio.Task[None]],
        start_push: Callable[[str, PushSource], asyncio.Task[None]],
        *,
        load: Callable[[Any], Settings] = load_settings,
    ) -> None:
        self.rt = rt
        self.scheduler = scheduler
        self.push_tasks = push_tasks
        self.start_push = start_push
        self.load = load
        self._lock = asyncio.Lock()

    async def __call__(self) -> tuple[bool, str]:
        async with self._lock:
            rt = self.rt
            file = display_path(rt.settings.path)
            try:
                new = self.load(rt.settings.path)
                polled, pushed = build_sources(new)
                rules = build_rules(new)
                notifiers = build_notifiers(new, rt.http, rt.notifiers)
            except Exception as exc:
                reason = str(exc) if isinstance(exc, ConfigError) else describe_error(exc)
                message = f"reload failed, the old configuration stays: {reason}"
                log.error("config.reload_failed", file=file, error=reason)
                metrics.reloaded(False, time.time())
                return False, message
            changes = await self._apply(new, polled, pushed, rules, notifiers)
            metrics.reloaded(True, time.time())
            summary = {k: v for k, v in changes.items() if v}
            log.info("config.reloaded", file=file, **summary)
            parts = [f"{k}={','.join(v)}" for k, v in summary.items()]
            return True, "reloaded " + file + (": " + " ".join(parts) if parts else ": no change")

    async def _apply(
        self,
        new: Settings,
        polled: dict[str, PolledSourceRuntime],
        pushed: Pushed,
        rules: list[Rule],
        notifiers: Notifiers,
    ) -> dict[str, list[str]]:
        rt = self.rt
        old = rt.settings
        register_secrets(s.get_secret_value() for s in new.secrets.values())
        changes: dict[str, list[str]] = {}
        for kind, before, after in (
            ("sources", {s.id: s for s in old.sources}, {s.id: s for s in new.sources}),
            ("rules", {r.id: r for r in old.rules}, {r.id: r for r in new.rules}),
            ("notifiers", old.notifiers, new.notifiers),
        ):
            for what, ids in _diff(before, after).items():
                changes[f"{kind}_{what}"] = ids
        if old.silences != new.silences:
            changes["silences"] = [str(len(new.silences))]
        restart = sorted(
            k
            for k in type(old.monitor).model_fields
            if getattr(old.monitor, k) != getattr(new.monitor, k)
        )
        if restart:
            log.warning("config.restart_needed", keys=restart)
        # What runs keeps the [monitor] it started with (the store, the endpoint, the client).
        rt.settings = dataclasses.replace(new, monitor=old.monitor)

        await self._swap_notifiers(notifiers)
        pipeline = rt.pipeline
        pipeline.rules = rules
        if pipeline.pool is not None:  # the workers hold their own copies of the rules
            pipeline.pool.reconfigure([r.options for r in rules])
        pipeline.decide = rt.decide_fn or EventDecide.from_settings(rt.settings)
        pipeline.notifiers = frozenset(notifiers)
        # Polls in flight hold their own source runtime; new polls see the new set.
        rt.polled = polled
        rt.poller.sources = dict(polled)
        await self._swap_push(pushed)
        await sync_schedule(rt, spread=True)
        return changes

    async def _swap_notifiers(self, notifiers: Notifiers) -> None:
        rt = self.rt
        if notifiers == rt.notifiers:
            return
        old_worker, old_notifiers = rt.delivery, rt.notifiers
        # In-flight sends finish (up to grace_s); unsent rows stay queued for the new worker.
        await old_worker.stop(rt.settings.monitor.grace_s)
        worker = DeliveryWorker(
            rt.store, notifiers, health=rt.health, lease_s=rt.settings.monitor.lease
        )
        rt.delivery = worker
        rt.notifiers = notifiers
        self.scheduler.delivery = worker
        rt.pipeline.on_alerts = worker.kick
        worker.start()
        kept = {id(n) for n, _ in notifiers.values()}
        await _close_notifiers({k: v for k, v in old_notifiers.items() if id(v[0]) not in kept})

    async def _swap_push(self, pushed: Pushed) -> None:
        rt = self.rt
        gone = [
            sid
            for sid, (options, _) in rt.pushed.items()
            if sid not in pushed or pushed[sid][0] != options
        ]
        for sid in gone:
            task = self.push_tasks.pop(sid, None)
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        kept = {sid: rt.pushed[sid] for sid in rt.pushed if sid not in gone}
        for sid, (options, source) in pushed.items():
            if sid not in kept:
                self.push_tasks[sid] = self.start_push(sid, source)
                kept[sid] = (options, source)
        rt.pushed = kept
