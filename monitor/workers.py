"""Pure work (feed parsing, rules) in worker processes, so the event loop's core only does I/O.

A cold pass over thousands of feeds is CPU-bound on one core: parsing and rules are most of
it, and on the event loop they also delay every other poll's network work. ``WorkPool`` runs
them in ``[monitor] workers`` processes (default: the cores this process may run on but one,
the event loop's; 0, or a single core, runs them inline: a pool on one core only adds
copying):

- ``run(fn, *args)`` runs a module-level function in a worker (``adapters.feed`` hands it
  ``parse_feed`` through ``monitor.contracts.offload``);
- ``evaluate(items)`` runs the configured rules over items in a worker, which built the
  rules once when it started (the bilateral detector's automaton is per process);
  ``with_rules(fn, *args)`` runs ``fn(rules, *args)`` there (``monitor.pipeline.feedjob``:
  a fetched feed's parse and rules in one job).

The pool is driven from the event loop alone: a job is pickled into an idle worker's pipe
and its answer read when that pipe becomes readable (``loop.add_reader``). A
``ProcessPoolExecutor`` did the same through a management thread and a feeder thread, whose
hand-offs of the interpreter lock cost the loop about as much as the parsing it moved away
(measured: a cold pass of 5,000 feeds slower with the pool than inline).

A worker that dies (killed, out of memory) is replaced and its job runs once more on the new
one; a job whose worker dies twice fails (a document that kills its parser must not kill
every worker after it). When no worker can be
started at all (a full disk leaves the forkserver no socket directory, a process limit),
jobs run inline until one can (``workers.unavailable`` / ``workers.available``, once each).
Workers come from a forkserver, never by forking the event loop's process (its threads and
sockets).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import multiprocessing
import os
import pickle
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from monitor.logs import HotLogger
from monitor.model import Item, Match, positional_pickle
from rules.base import Rule, RuleOptions

log = HotLogger("monitor.workers")

T = TypeVar("T")

SLOW_RULE_S = 0.5  # a rule taking longer on one item is logged (rule.slow)
# Imported once in the forkserver, so a new worker starts with them in memory.
_PRELOAD = ["adapters.feedreader", "rules.keyword", "monitor.model", "monitor.pipeline.feedjob"]


def default_workers() -> int:
    """One worker per core this process may run on but the event loop's own: the loop is
    the pass's serial part (network, store, decisions, delivery), and a worker on its core
    slows it (measured, 2 cores: 5,000 feeds cold took 23.8 s with 1 worker, 27.4 s with 2,
    24.2 s inline). 0 (inline) on a single core."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(cores - 1, 0)


@positional_pickle
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


def _build_rules(options: Sequence[RuleOptions]) -> list[Rule]:
    from rules import RULES

    return [RULES[o.type](o) for o in options]


def _with_worker_rules(fn: Callable[..., T], /, *args: Any) -> T:
    return fn(_worker_rules, *args)


def _serve(conn: Connection, options: Sequence[RuleOptions]) -> None:
    """A worker's life: build the rules, then answer jobs until the pipe closes. A job is a
    pickled callable; the answer is (True, result) or (False, the exception)."""
    from monitor.warmup import install

    # Ctrl-C and a service manager's SIGTERM reach the whole process group: the daemon stops
    # gracefully and closes the pipes, which ends the workers; they must not die first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    install()  # the gazetteer from the on-disk cache, as the daemon got it
    _worker_rules[:] = _build_rules(options)
    for rule in _worker_rules:
        rule.warm()  # before the first job, not during it (a light poll must not wait)
    while True:
        try:
            job = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[bool, Any] = (True, pickle.loads(job)())
        except Exception as exc:
            answer = (False, exc)
        try:
            conn.send_bytes(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL))
        except Exception as exc:  # an unpicklable result or error: say so instead
            conn.send_bytes(pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}"))))


# -- in the daemon ---------------------------------------------------------------------------


class WorkerDied(Exception):
    """The worker running a job exited before answering (killed, out of memory)."""


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection
    generation: int  # of the rules it was built with
    job: _Job | None = None


@dataclass(slots=True)
class _Job:
    payload: bytes
    future: asyncio.Future[Any]
    retried: bool = False


class WorkPool:
    """Worker processes for pure work, driven from the event loop without threads: a job is
    written to an idle worker's pipe and its answer read when the pipe becomes readable
    (``loop.add_reader``). ``close`` ends them."""

    def __init__(self, workers: int, rules: Sequence[RuleOptions]) -> None:
        self.workers = workers
        self._rules = list(rules)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(_PRELOAD)
        self._idle: list[_Worker] = []
        self._all: list[_Worker] = []
        self._queue: collections.deque[_Job] = collections.deque()
        self.replaced = 0  # workers replaced after one died
        self.unavailable = False  # no worker could be started: jobs run inline meanwhile
        self._inline: list[Rule] | None = None  # the rules, built here for inline jobs
        self._generation = 0  # bumped by reconfigure

    @property
    def idle(self) -> bool:
        """No job queued or running."""
        return not self._queue and len(self._idle) == len(self._all)

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in a worker (``fn`` must be a module-level function)."""
        call = functools.partial(fn, *args, **kwargs)
        return await self._submit(call, call)

    async def evaluate(self, items: Sequence[Item]) -> list[RuleOutcome]:
        """The configured rules over ``items``, in a worker."""
        if not items:
            return []
        return await self.with_rules(evaluate_rules, list(items))

    async def with_rules(self, fn: Callable[..., T], /, *args: Any) -> T:
        """``fn(rules, *args)`` in a worker, ``rules`` the configured rules as that worker
        built them (``fn`` must be a module-level function)."""
        return await self._submit(
            functools.partial(_with_worker_rules, fn, *args),
            lambda: fn(self._local_rules(), *args),
        )

    async def _submit(self, call: Callable[[], T], inline: Callable[[], T]) -> T:
        if not self._idle and len(self._all) < self.workers:
            try:
                self._start_worker()
            except OSError as exc:
                # No worker could be started (a full disk leaves the forkserver no socket
                # directory; a process limit): this job runs here; the next one tries again.
                if not self._all:
                    if not self.unavailable:
                        log.warning("workers.unavailable", reason=f"{type(exc).__name__}: {exc}")
                    self.unavailable = True
                    return inline()
        if self.unavailable:
            log.info("workers.available", workers=self.workers)
            self.unavailable = False
        payload = pickle.dumps(call, pickle.HIGHEST_PROTOCOL)
        job = _Job(payload, asyncio.get_running_loop().create_future())
        self._queue.append(job)
        self._dispatch()
        result: T = await job.future
        return result

    def _start_worker(self) -> None:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child, self._rules), daemon=True, name="bilat-worker"
        )
        try:
            process.start()
        finally:
            child.close()
        worker = _Worker(process, parent, self._generation)
        self._all.append(worker)
        self._idle.append(worker)
        asyncio.get_running_loop().add_reader(parent.fileno(), self._answered, worker)

    def _dispatch(self) -> None:
        while self._queue and self._idle:
            job = self._queue.popleft()
            if job.future.cancelled():
                continue
            worker = self._idle.pop()
            worker.job = job
            try:
                worker.conn.send_bytes(job.payload)
            except OSError:
                self._died(worker)

    def _answered(self, worker: _Worker) -> None:
        try:
            ok, value = pickle.loads(worker.conn.recv_bytes())
        except (EOFError, OSError):
            self._died(worker)
            return
        job, worker.job = worker.job, None
        if job is not None and not job.future.done():
            if ok:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)
        if worker.generation == self._generation:
            self._idle.append(worker)
        else:  # built with rules a reload replaced
            self._forget(worker)
            if self._queue:
                self._start_or_fail()
        self._dispatch()

    def _died(self, worker: _Worker) -> None:
        """A worker's pipe closed: replace it; its job runs once more, or fails if it already
        had (a document that kills its parser must not kill every worker after it)."""
        self._forget(worker)
        self.replaced += 1
        job = worker.job
        name = "none"
        if job is not None and not job.future.done():
            if job.retried:
                job.future.set_exception(WorkerDied("the worker died twice on this job"))
            else:
                job.retried = True
                self._queue.appendleft(job)
                name = "retried"
        log.warning("workers.replaced", workers=self.workers, job=name)
        if self._queue:
            self._start_or_fail()
            self._dispatch()

    def prestart(self) -> None:
        """Start every worker now, for a long-running daemon: each builds and warms its rules
        (the gazetteer from the disk cache) before the first job, so the first poll or pushed
        post does not wait seconds for that. A worker that cannot start is left to the jobs."""
        while len(self._all) < self.workers:
            try:
                self._start_worker()
            except OSError as exc:
                log.warning("workers.unavailable", reason=f"{type(exc).__name__}: {exc}")
                return

    def _start_or_fail(self) -> None:
        """A worker for the queued jobs; if none can start, they fail (not hang)."""
        if self._idle or len(self._all) >= self.workers:
            return
        try:
            self._start_worker()
        except OSError:
            for waiting in self._queue:
                if not waiting.future.done():
                    waiting.future.set_exception(WorkerDied("no worker could be started"))
            self._queue.clear()

    def _forget(self, worker: _Worker) -> None:
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(worker.conn.fileno())
        if worker in self._idle:
            self._idle.remove(worker)
        if worker in self._all:
            self._all.remove(worker)
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(timeout=1)

    def _local_rules(self) -> list[Rule]:
        if self._inline is None:
            self._inline = _build_rules(self._rules)
        return self._inline

    def reconfigure(self, rules: Sequence[RuleOptions]) -> None:
        """New rules (a reload): idle workers are replaced at once by workers built with
        them; busy ones finish their job first, then go."""
        self._rules = list(rules)
        self._inline = None
        self._generation += 1
        for worker in list(self._idle):
            self._forget(worker)

    def pids(self) -> list[int]:
        """The worker processes' ids (for tests and diagnostics)."""
        return sorted(w.process.pid for w in self._all if w.process.pid is not None)

    async def close(self) -> None:
        for worker in list(self._all):
            self._forget(worker)
        for job in self._queue:
            job.future.cancel()
        self._queue.clear()


def _name(fn: Callable[..., Any]) -> str:
    # The function's name, never its arguments (a feed's whole body).
    inner = fn
    while isinstance(inner, functools.partial):
        inner = inner.func
    return str(getattr(inner, "__qualname__", type(inner).__name__))
