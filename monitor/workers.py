"""Pure work (feed parsing, rules) in worker processes, so the event loop's core only does I/O.

A cold pass over thousands of feeds is CPU-bound on one core: parsing and rules are most of
it, and on the event loop they also delay every other poll's network work. ``WorkPool`` runs
them in ``[monitor] workers`` processes (default: the cores this process may run on; 0, or a
single core, runs them inline: a pool on one core only adds copying):

- ``run(fn, *args)`` runs a module-level function in a worker (``adapters.feed`` hands it
  ``parse_feed`` through ``monitor.contracts.offload``);
- ``evaluate(items)`` runs the configured rules over items in a worker, which built the
  rules once when it started (the bilateral detector's automaton is per process).

A worker that dies (killed, out of memory) breaks the pool: the pool is replaced and the jobs
it failed are retried once on the new one; a job that breaks the pool again fails (a
document that kills its parser must not kill every pool after it). When no worker can be
started at all (a full disk leaves the forkserver no socket directory, a process limit),
jobs run inline until one can (``workers.unavailable`` / ``workers.available``, once each).
Workers come from a forkserver, never by forking the event loop's process (its threads and
sockets).
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from monitor.logs import HotLogger
from monitor.model import Item, Match
from rules.base import Rule, RuleOptions

log = HotLogger("monitor.workers")

T = TypeVar("T")

SLOW_RULE_S = 0.5  # a rule taking longer on one item is logged (rule.slow)
# Imported once in the forkserver, so a new worker starts with them in memory.
_PRELOAD = ["adapters.feedreader", "rules.keyword", "monitor.model"]


def default_workers() -> int:
    """The cores this process may run on; 0 (inline) when that is one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What one rule did with one item: matches, or the error it raised."""

    item: int  # index into the items evaluated
    rule: int  # index into the configured rules
    matches: tuple[Match, ...] = ()
    error: str | None = None
    seconds: float = 0.0


def evaluate_rules(rules: Sequence[Rule], items: Sequence[Item]) -> list[RuleOutcome]:
    """Every enabled rule that accepts an item, over every item; a rule that raises is
    reported, not propagated (a broken rule must not stop the poll or the other rules)."""
    out: list[RuleOutcome] = []
    for i, item in enumerate(items):
        for r, rule in enumerate(rules):
            opts = rule.options
            if not opts.enabled or not opts.accepts(item):
                continue
            t0 = time.perf_counter()
            try:
                matches = tuple(rule.evaluate(item))
            except Exception as exc:
                out.append(RuleOutcome(i, r, error=f"{type(exc).__name__}: {exc}"))
                continue
            elapsed = time.perf_counter() - t0
            if matches or elapsed > SLOW_RULE_S:
                out.append(RuleOutcome(i, r, matches, seconds=elapsed))
    return out


# -- in the worker ---------------------------------------------------------------------------

_worker_rules: list[Rule] = []


def _init_worker(options: Sequence[RuleOptions]) -> None:
    from rules import RULES

    _worker_rules[:] = [RULES[o.type](o) for o in options]


def _evaluate_in_worker(items: Sequence[Item]) -> list[RuleOutcome]:
    return evaluate_rules(_worker_rules, items)


# -- in the daemon ---------------------------------------------------------------------------


class WorkPool:
    """Worker processes for pure work; ``close`` shuts them down."""

    def __init__(self, workers: int, rules: Sequence[RuleOptions]) -> None:
        self.workers = workers
        self._rules = list(rules)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        # Created on first use, and again after a pool broke: creating one makes semaphores
        # (files in /dev/shm), which a full disk refuses.
        self._executor: ProcessPoolExecutor | None = None
        self.replaced = 0  # pools replaced after a worker died
        self.unavailable = False  # no worker could be started: jobs run inline meanwhile
        self._inline: list[Rule] | None = None  # the rules, built here for inline jobs

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self._context,
            initializer=_init_worker,
            initargs=(self._rules,),
        )

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a worker (``fn`` must be a module-level function)."""
        call = functools.partial(fn, *args, **kwargs)
        return await self._submit(call, call)

    async def evaluate(self, items: Sequence[Item]) -> list[RuleOutcome]:
        """The configured rules over ``items``, in a worker."""
        if not items:
            return []
        batch = list(items)
        return await self._submit(
            functools.partial(_evaluate_in_worker, batch),
            lambda: evaluate_rules(self._local_rules(), batch),
        )

    async def _submit(self, call: Callable[[], T], inline: Callable[[], T]) -> T:
        for attempt in (1, 2):
            executor = self._executor
            try:
                if executor is None:
                    executor = self._executor = self._new_executor()
                future = executor.submit(call)
            except OSError as exc:
                # No worker could be started (a full disk leaves the forkserver no socket
                # directory; a process limit): this job runs here, and the next one tries
                # a fresh pool.
                self._replace(executor, broken=False)
                if not self.unavailable:
                    log.warning("workers.unavailable", reason=f"{type(exc).__name__}: {exc}")
                self.unavailable = True
                return inline()
            try:
                result = await asyncio.wrap_future(future)
            except BrokenProcessPool:
                self._replace(executor)
                if attempt == 2:  # it broke a fresh pool too: the job fails like any error
                    raise
                log.warning("workers.replaced", workers=self.workers, job=_name(call))
                continue
            if self.unavailable:
                log.info("workers.available", workers=self.workers)
                self.unavailable = False
            return result
        raise AssertionError("unreachable")

    def _local_rules(self) -> list[Rule]:
        if self._inline is None:
            from rules import RULES

            self._inline = [RULES[o.type](o) for o in self._rules]
        return self._inline

    def reconfigure(self, rules: Sequence[RuleOptions]) -> None:
        """New rules (a reload): jobs from now on go to fresh workers built with them; jobs in
        flight finish on the old ones."""
        self._rules = list(rules)
        self._inline = None
        old, self._executor = self._executor, None
        if old is not None:
            old.shutdown(wait=False)

    def _replace(self, old: ProcessPoolExecutor | None, *, broken: bool = True) -> None:
        # Several jobs see the same broken pool: only the first replaces it (the next job
        # creates the new one).
        if self._executor is old:
            if old is not None:
                old.shutdown(wait=False, cancel_futures=True)
            self._executor = None
            self.replaced += broken

    def pids(self) -> list[int]:
        """The worker processes' ids (for tests and diagnostics)."""
        processes = getattr(self._executor, "_processes", None) or {}  # None: no pool yet
        return sorted(processes)

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)


def _name(fn: Callable[..., Any]) -> str:
    # The function's name, never its arguments (a feed's whole body).
    inner = fn
    while isinstance(inner, functools.partial):
        inner = inner.func
    return str(getattr(inner, "__qualname__", type(inner).__name__))
