"""The SQLite store's poll path: statements without a thread hop, polls sharing commits.

Through aiosqlite every statement is a hop to its thread and back (~36 us against ~5 us on
the connection itself), and a cold pass over thousands of feeds runs 35 of them per feed. So
the poll path (``SqliteStore.transaction()``, the source-state saves, the claims of due
sources) runs on a second, plain ``sqlite3`` connection, called directly from the event loop:

- ``SyncConnection`` (``sqlite_sync.py``) gives that connection the subset of aiosqlite's
  interface the transaction code uses (``await conn.execute(...)``, ``async with ... as
  cur``, ``async for row in cur``); nothing in it ever suspends;
- ``GroupCommit`` lets the units of work that become ready in the same turn of the event loop
  share one transaction: each unit is a SAVEPOINT (released when it succeeds, rolled back
  alone when it fails), one COMMIT ends the batch, and every unit's ``unit()`` returns only
  once that COMMIT succeeded. A unit is still all or nothing, and a poll's items, matches,
  events, alerts, outbox rows and next due time still commit together before its poll
  returns: the batch only shares the commit. A failed COMMIT fails every unit of the batch
  and leaves nothing of them.

A one-shot pass (``bilat once``) may also let a batch gather (``GroupCommit.gather``): after
its first turn it waits, for up to ``GATHER_WAIT_S``, while polls still in flight may join it,
until it holds ``target`` units. Every commit writes each page it changed to the WAL once
(the B-tree pages every poll touches: the indexes' inner pages, the tables' last pages), so
fewer, larger commits write fewer pages; nothing about a unit changes, and no unit returns
before its batch is committed. The daemon does not gather, and a unit that queued alerts
(``hurry``) commits its batch as it ends, without waiting for the turn's other polls: a
fresh alert's latency is its own unit and one commit (the units after it open the next
batch; a few more commits a second, each still all or nothing).

The batch holds the store's lock from its first unit to its commit, so the aiosqlite
connection (outbox, claims, listings) never writes in between; a batch lasts one turn of
the loop. Units that arrive while another writer holds the lock wait for the one unit that
is opening the next batch, and all join it. Automatic checkpoints are off on this
connection: the store runs passive ones on its side connection (``CHECKPOINT_EVERY``,
``sqlite_side.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

# A checkpoint (10-40 ms, beside the writers: sqlite_side.py) copies the WAL. A commit of
# one row (a message marked sent, a 304's state) writes a few pages, so one-row units do
# not count: one every 200 messages of a cold pass's delivery made most of its checkpoints.
CHECKPOINT_EVERY = 1000  # commits between passive checkpoints (a few MB of WAL)
CHECKPOINT_UNITS = 500  # or units with savepoints (a poll with items: tens of pages)
MAX_UNITS = 500  # units per batch; more wait for the next one
GATHER_WAIT_S = 0.05  # the longest a gathering batch waits for units after its first turn
GATHER_RECHECK_S = 0.005


class GroupCommit:
    """Units of work sharing one transaction per turn of the event loop (module docstring)."""

    def __init__(
        self,
        db: sqlite3.Connection,
        lock: asyncio.Lock,
        *,
        on_commits: Callable[[int, int], None] | None = None,
    ) -> None:
        self._db = db
        self._lock = lock
        self._on_commits = on_commits  # called with the commits and units so far
        self._open = False
        self._units = 0
        self._active = False  # a unit's body is running (it may not suspend; see unit())
        self._idle = asyncio.Event()
        self._idle.set()
        self._done: asyncio.Future[None] | None = None
        self._after: list[Callable[[], None]] = []
        self._rows: dict[str, list[Any]] = {}  # statement -> parameters, run at the commit
        self._flusher: asyncio.Task[None] | None = None
        self._commits = 0
        self._committed_units = 0
        self._rows_joined = 0  # one-row units in the open batch (not counted for checkpoints)
        self._lost: Exception | None = None  # why SQLite rolled the open batch back
        self.busy_timeout_s = 10.0
        self._expected: Callable[[], int] | None = None  # see gather()
        self._target = 0
        self._arrived: asyncio.Future[None] | None = None  # a unit joined the gathering batch
        # set once the batch a unit is opening is open (or failed): the units waiting join it
        self._opening: asyncio.Event | None = None
        self._hurry = False  # the unit in its body asked for its batch's commit at its end

    def gather(self, expected: Callable[[], int] | None, target: int = 0) -> None:
        """Let each batch wait after its first turn, while it holds fewer than ``target``
        units and ``expected()`` (the units on their way: polls in flight, those already in
        the batch included) is above the units it holds, at most ``GATHER_WAIT_S``; None
        turns it off. A poll in the batch never joins another, so the wait ends at the
        latest when every poll in flight has joined."""
        self._expected = expected
        self._target = target

    def _gathered(self) -> bool:
        expected = self._expected
        return expected is None or self._units >= self._target or expected() <= self._units

    async def _gather(self) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + GATHER_WAIT_S
        while not self._gathered():
            left = end - loop.time()
            if left <= 0:
                return
            arrived = self._arrived = loop.create_future()
            # Looked at every few ms too: a poll may end without a unit, leaving expected().
            timer = loop.call_later(min(left, GATHER_RECHECK_S), _wake, arrived)
            try:
                await arrived
            finally:
                timer.cancel()
                self._arrived = None

    def _joined(self) -> None:
        self._units += 1
        # Woken only when the gathering may end, not per unit (a turn, a future, a timer each).
        if self._arrived is not None and self._gathered():
            _wake(self._arrived)

    async def row(self, sql: str, params: Any, after_commit: Callable[[], None]) -> None:
        """A unit of one statement (a source's state after a poll that brought nothing new):
        run with the batch's other rows of ``sql`` in one executemany just before its COMMIT,
        without a savepoint (one statement is all or nothing; if it fails, the batch fails
        as its COMMIT would). Returns once committed, then ``after_commit`` has run."""
        done = await self._join()
        self._rows.setdefault(sql, []).append(params)
        self._after.append(after_commit)
        self._rows_joined += 1
        self._joined()
        await asyncio.shield(done)

    async def settle_row(self, sql: str, params: Any) -> None:
        """``row`` for a sent message's settlement: with no batch open or opening and the
        lock free, it runs at once in autocommit (committed when ``execute`` returns), else
        joins the open batch. Its lane waits for this commit before the next send: a batch
        of its own cost a task, a loop turn and a BEGIN more per message, alone anyway."""
        if (
            self._open
            or self._opening is not None
            or self._lock.locked()
            or self._db.in_transaction
        ):
            await self.row(sql, params, lambda: None)
            return
        await self._lock.acquire()  # free: returns without suspending
        try:
            try:
                self._db.execute(sql, params)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                locked = True  # another process writes: wait for it as a batch does
            else:
                locked = False
        finally:
            self._lock.release()
        if locked:
            await self.row(sql, params, lambda: None)
            return
        self._commits += 1
        if self._on_commits is not None:
            self._on_commits(self._commits, self._committed_units)

    def hurry(self) -> None:
        """The unit in its body carries alerts: unless batches gather (a one-shot pass), its
        batch commits as soon as it ends, not after the loop's turn (see ``unit``)."""
        self._hurry = True

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[Callable[[Callable[[], None]], None]]:
        """One unit of work; yields ``after_commit(fn)``, to run ``fn`` once this unit is
        committed (never when it is not). Returns after the batch's COMMIT."""
        done = await self._join()
        self._active = True
        self._idle.clear()
        # One name for every unit (units never nest): a new name per unit would be a new
        # statement to prepare each time, and would push the others out of sqlite3's cache.
        name = "unit"
        after: list[Callable[[], None]] = []
        self._hurry = False
        self._db.execute(f"SAVEPOINT {name}")
        try:
            yield after.append
        except BaseException as exc:
            try:
                if self._db.in_transaction:
                    self._db.execute(f"ROLLBACK TO {name}")
                    self._db.execute(f"RELEASE {name}")
                elif self._lost is None:
                    # SQLite rolled the whole transaction back itself (a full disk, an I/O
                    # error): the batch's other units are gone too; its commit must fail
                    # with this error, not a confusing one about savepoints.
                    self._lost = exc if isinstance(exc, Exception) else RuntimeError(str(exc))
            finally:
                self._leave()
            raise
        try:
            self._db.execute(f"RELEASE {name}")
        except BaseException:
            self._leave()
            raise
        self._after += after
        self._joined()
        self._leave()
        if self._hurry and self._expected is None:
            # A fresh alert waits for no other poll's turn: the batch (this unit and those
            # before it in this turn) commits now; the units after it open the next one.
            # Nothing about a unit changes: it still returns only once committed.
            self._commit(done)
        # Shielded: a poll cancelled now does not cancel the commit its batch shares.
        await asyncio.shield(done)

    async def _join(self) -> asyncio.Future[None]:
        """Wait until a unit may start in the open batch (opening one if needed)."""
        while True:
            if self._active:  # a unit suspended inside its body: take turns
                await self._idle.wait()
                continue
            if self._open and self._lost is None and self._units < MAX_UNITS:
                assert self._done is not None
                return self._done
            if self._open:  # full or lost: wait for its end, then open the next
                assert self._done is not None
                await asyncio.wait([self._done])
                continue
            if self._opening is not None:
                # Another unit is already waiting for the lock to open a batch: join that
                # one. Queued on the lock themselves, units would get it one at a time,
                # each only after the previous batch's commit (the batch holds the lock):
                # a batch per waiter, and in a one-shot pass each gathering alone for
                # GATHER_WAIT_S while the others sat in the queue.
                await self._opening.wait()
                continue
            return await self._open_batch()

    async def _open_batch(self) -> asyncio.Future[None]:
        """Take the store's lock and open a batch; units arriving meanwhile wait for it."""
        opening = self._opening = asyncio.Event()
        try:
            await self._lock.acquire()
            try:
                await self._begin()
            except BaseException:
                self._lock.release()
                raise
            self._open = True
            self._units = 0
            self._rows_joined = 0
            self._after = []
            self._rows = {}
            done = self._done = asyncio.get_running_loop().create_future()
            done.add_done_callback(_consume)
            self._flusher = asyncio.create_task(self._flush(done), name="sqlite-commit")
            return done
        finally:
            # Opened, failed or cancelled: the waiters look again (one may open the next).
            self._opening = None
            opening.set()

    async def _begin(self) -> None:
        """BEGIN IMMEDIATE; while another process holds the write lock (a ``bilat outbox``
        command), wait here without blocking the loop, up to ``busy_timeout_s``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.busy_timeout_s
        pause = 0.001
        while True:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or loop.time() + pause > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _leave(self) -> None:
        self._active = False
        self._idle.set()

    async def _flush(self, done: asyncio.Future[None]) -> None:
        cancelled = False
        try:
            # One turn of the loop: the polls that are ready now add their units meanwhile.
            await asyncio.sleep(0)
            await self._gather()
            while self._active:
                await self._idle.wait()
        except asyncio.CancelledError:
            cancelled = True  # the loop is closing: what the units did still commits
        if not done.done():  # else a unit carrying alerts committed it (``hurry``)
            self._commit(done)
        if cancelled:
            raise asyncio.CancelledError

    def _commit(self, done: asyncio.Future[None]) -> None:
        """End the open batch: its rows, COMMIT, the lock released, ``done`` resolved (with
        the error if the commit failed)."""
        after, self._after = self._after, []
        rows, self._rows = self._rows, {}
        try:
            if self._lost is not None:
                raise self._lost
            for sql, params in rows.items():
                self._db.executemany(sql, params)
            self._db.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):  # SQLite may have rolled back already
                self._db.execute("ROLLBACK")
            self._open = False
            self._lost = None
            self._lock.release()
            done.set_exception(exc if isinstance(exc, Exception) else RuntimeError(str(exc)))
            if not isinstance(exc, Exception):
                raise
            return
        self._open = False
        self._lock.release()
        for fn in after:
            fn()
        done.set_result(None)
        self._commits += 1
        self._committed_units += self._units - self._rows_joined
        if self._on_commits is not None:
            self._on_commits(self._commits, self._committed_units)

    async def drain(self) -> None:
        """Wait for the open batch's commit (before the connection closes)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _consume(future: asyncio.Future[None]) -> None:
    # Every unit may have been cancelled: fetched, so asyncio reports no "never retrieved".
    if not future.cancelled():
        future.exception()
