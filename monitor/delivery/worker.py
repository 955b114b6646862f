"""The delivery worker: one task per notifier lane takes the oldest pending row, waits until it
is due and paced, sends it and has ``record.py`` settle the outcome (see the package docstring).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import datetime, timedelta

import structlog

from monitor.delivery.lanes import (
    DIGEST_MAX,
    IDLE_WAKE_S,
    LANE_LEASE_S,
    OVERTAKE_SCAN,
    DrainReport,
    Lane,
    LaneLost,
    make_lane,
    share_paces,
)
from monitor.delivery.record import RETRY_BASE_S, RETRY_CAP_S, Recorder
from monitor.leases import LeaseKeeper
from monitor.model import Alert, utcnow
from monitor.notifiers.base import Delivery, Notifier, NotifierOptions
from monitor.store.base import OutboxRow, Store, notifier_lease
from monitor.store.health import StoreHealth

log = structlog.get_logger("monitor.delivery")

HEAD_SLACK_S = 0.25


class DeliveryWorker:
    """Delivers outbox rows, one task per enabled notifier."""

    def __init__(
        self,
        store: Store,
        notifiers: Mapping[str, tuple[Notifier, NotifierOptions]],
        *,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        retry_base_s: float = RETRY_BASE_S,
        retry_cap_s: float = RETRY_CAP_S,
        lease_s: float = LANE_LEASE_S,
        health: StoreHealth | None = None,
    ) -> None:
        self.store = store
        self.health = health or StoreHealth(store.url)
        self.health.on_heal(self.kick)
        self.clock = clock
        self.rng = rng or random.Random()
        self._lanes = {name: make_lane(name, n, o) for name, (n, o) in notifiers.items()}
        share_paces(list(self._lanes.values()))
        for lane in self._lanes.values():
            lane.keeper = LeaseKeeper(store, notifier_lease(lane.name), ttl_s=lease_s, clock=clock)
        self.recorder = Recorder(
            store,
            clock=clock,
            rng=self.rng,
            retry_base_s=retry_base_s,
            retry_cap_s=retry_cap_s,
            health=self.health,
        )
        self._stopping = False

    @property
    def sent_total(self) -> int:
        """Rows delivered by this worker, daemon and burst mode alike."""
        return self.recorder.sent_total

    # -- daemon mode ---------------------------------------------------------------------

    def start(self) -> None:
        for lane in self._lanes.values():
            if lane.task is None:
                lane.task = asyncio.create_task(self._run(lane), name=f"deliver:{lane.name}")
            if lane.keeper_task is None and lane.keeper is not None:
                lane.keeper_task = asyncio.create_task(lane.keeper.run(), name=f"lease:{lane.name}")

    def kick(self, _alert_ids: object = None) -> None:
        """Wake every lane (new rows were queued, or a sweep tick)."""
        for lane in self._lanes.values():
            lane.wake.set()

    async def stop(self, grace_s: float) -> None:
        """Stop taking new rows; let a send in progress finish for up to ``grace_s``."""
        self._stopping = True
        self.kick()
        tasks = [lane.task for lane in self._lanes.values() if lane.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._record_before_exit()
        await self._release_lanes()

    async def _record_before_exit(self) -> None:
        """One last try at the outcomes the store refused; what still fails is said once,
        because those alerts will be sent again after a restart."""
        for lane in self._lanes.values():
            if lane.unrecorded is None:
                continue
            await self.recorder.retry_record(lane)
            if lane.unrecorded is not None:
                log.error(
                    "delivery.unrecorded_at_exit",
                    notifier=lane.name,
                    alert_ids=[r.alert.id for r in lane.unrecorded.rows],
                    outcome=lane.unrecorded.delivery.outcome,
                    note="the store refused the record; these are sent again after a restart",
                )

    async def _release_lanes(self) -> None:
        keeping = [lane.keeper_task for lane in self._lanes.values() if lane.keeper_task]
        for task in keeping:
            task.cancel()
        await asyncio.gather(*keeping, return_exceptions=True)
        for lane in self._lanes.values():
            lane.keeper_task = None
            if lane.keeper is not None:
                await lane.keeper.release()

    async def _my_turn(self, lane: Lane) -> bool:
        """Whether this node holds the notifier's lane (always, with one node)."""
        keeper = lane.keeper
        return keeper is None or keeper.valid or await keeper.acquire()

    async def _run(self, lane: Lane) -> None:
        while not self._stopping:
            # Cleared before looking at the outbox, so a kick during the step is not lost.
            lane.wake.clear()
            try:
                wait = await self._step(lane)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # The store failed; keep the lane alive and try again shortly. A refusal
                # (full disk) is announced once by StoreHealth and pauses every lane.
                if not self.health.refused(exc):
                    log.exception("delivery.worker_error", notifier=lane.name)
                wait = 5.0
            if wait is None or self._stopping:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lane.wake.wait(), timeout=wait)

    async def _step(self, lane: Lane) -> float | None:
        """Send the lane's next message if it is due; else return how long to sleep."""
        if lane.unrecorded is not None:
            # The last outcome is not recorded yet: record it, send nothing (module docstring).
            wait = lane.unrecorded.retry_at - time.monotonic()
            if wait <= 0:
                await self.recorder.retry_record(lane)
                return None
            return wait
        if not self.health.store_healthy:
            return IDLE_WAKE_S  # paused: the store refuses writes; healing kicks the lanes
        if not await self._my_turn(lane):
            return IDLE_WAKE_S  # another node delivers; a kick or the sweep tick retries
        head = await self._head(lane, flush=False)
        if head is None:
            return IDLE_WAKE_S
        due, row = head
        wait = self._wait(lane, due, row)
        if wait > 0:
            return min(wait, IDLE_WAKE_S)
        if self._past_deadline(lane, row):
            await self.recorder.expire(lane, row)
            return None
        await self._send(lane, row)
        return None

    def _wait(self, lane: Lane, due: datetime, row: OutboxRow) -> float:
        """Seconds until ``row`` may be acted on. A row whose next turn is its deadline is
        dead-lettered then, whatever the destination's pause (a 429's Retry-After may reach
        far past it): that sends nothing, so it owes the destination no wait."""
        wait = (due - self.clock()).total_seconds()
        if self._past_deadline(lane, row):
            return wait
        return max(wait, lane.pace_wait())

    # -- burst mode (bilat once) ---------------------------------------------------------

    async def drain(self, deadline_s: float) -> DrainReport:
        """Deliver every row that is or becomes due within ``deadline_s``, then return.
        Digests do not wait for their window: what is due goes now, in one message."""
        stop_at = time.monotonic() + deadline_s
        try:
            reports = await asyncio.gather(
                *(self._drain_lane(lane, stop_at) for lane in self._lanes.values())
            )
        finally:
            await self._release_lanes()
        return DrainReport(
            sent=sum(r.sent for r in reports),
            dead=sum(r.dead for r in reports),
            pending=sum(r.pending for r in reports),
        )

    async def _drain_lane(self, lane: Lane, stop_at: float) -> DrainReport:
        sent = dead = 0
        while True:
            # Renewed before every attempt (no background keeper in a burst).
            if lane.unrecorded is not None:
                wait = lane.unrecorded.retry_at - time.monotonic()
                if time.monotonic() + wait > stop_at:
                    left = await self.store.outbox(
                        notifier=lane.name, state="pending", limit=10_000
                    )
                    return DrainReport(sent, dead, len(left))
                await asyncio.sleep(max(0.0, wait))
                s, d = await self.recorder.retry_record(lane)
                sent, dead = sent + s, dead + d
                continue
            turn = lane.keeper is None or await lane.keeper.acquire()
            head = await self._head(lane, flush=True)
            if head is None:
                return DrainReport(sent, dead, 0)
            due, row = head
            wait = self._wait(lane, due, row)
            if not turn or time.monotonic() + wait > stop_at:
                left = await self.store.outbox(notifier=lane.name, state="pending", limit=10_000)
                return DrainReport(sent, dead, len(left))
            if wait > 0:
                await asyncio.sleep(wait)
            if self._past_deadline(lane, row):
                await self.recorder.expire(lane, row)
                dead += 1
                continue
            s, d = await self._send(lane, row)
            sent += s
            dead += d

    # -- what is next, and when ----------------------------------------------------------

    async def _head(self, lane: Lane, *, flush: bool) -> tuple[datetime, OutboxRow] | None:
        """The lane's next row and when it may be sent (None: idle): the oldest pending row,
        unless it waits (a retry, quiet hours) and a later row of another event is due:
        order is kept within an event (updates after their parent), not across events.
        A digest lane waits for its window (opened by that row) unless ``flush``; a row
        already retried waits for its retry time only."""
        row = await self.store.next_outbox(lane.name)
        if row is None:
            return None
        digest_s = lane.digest_s
        if digest_s is not None:
            if flush or row.attempts:
                return row.due_at, row
            return max(row.due_at, row.created_at + timedelta(seconds=digest_s)), row
        # A head due by the time the destination takes a message anyway (a 429's pause ends
        # with its retry time) keeps its place; only a longer wait lets others pass.
        if row.due_at > self.clock() + timedelta(seconds=lane.pace_wait() + HEAD_SLACK_S):
            row = await self._overtaking(lane) or row
        return row.due_at, row

    async def _overtaking(self, lane: Lane) -> OutboxRow | None:
        """The oldest due row whose event has no older row still pending (None: none)."""
        now = self.clock()
        waiting: set[str] = set()  # events with an older pending row
        pending = await self.store.outbox(notifier=lane.name, state="pending", limit=OVERTAKE_SCAN)
        for row in pending:
            event = row.alert.event_key
            if event not in waiting and row.due_at <= now:
                return row
            waiting.add(event)
        return None

    @staticmethod
    def _past_deadline(lane: Lane, row: OutboxRow) -> bool:
        """Whether ``row`` has been failing for ``retry_for``: it is dead, not tried again."""
        if row.first_failed_at is None:
            return False
        failing = (row.due_at - row.first_failed_at).total_seconds()
        return failing >= lane.options.retry_for

    async def _send(self, lane: Lane, head: OutboxRow) -> tuple[int, int]:
        """One message: the head row, or a digest of every due row. Returns (sent, dead)."""
        try:
            return await self._send_one(lane, head)
        except LaneLost:
            log.info("delivery.lane_lost", notifier=lane.name, note="nothing sent")
            return 0, 0

    async def _send_one(self, lane: Lane, head: OutboxRow) -> tuple[int, int]:
        if lane.digest is None:
            return await self._attempt(lane, head)
        digest = lane.digest
        rows = await self.store.due_outbox(lane.name, now=self.clock(), limit=DIGEST_MAX)
        if not rows:
            return 0, 0
        alerts = [r.alert for r in rows]
        return await self.recorder.settle(
            lane, rows, await self._call(lane, digest.send_digest(alerts))
        )

    # -- one attempt ---------------------------------------------------------------------

    async def _parent_remote_id(self, lane: Lane, alert: Alert) -> str | None:
        """The remote id to thread ``alert`` under, or None to send it top-level."""
        if not alert.parent_id:
            return None
        parent = await self.store.outbox_row(alert.parent_id)
        if parent is None or parent.state == "dead":
            return None  # never queued, pruned or dead-lettered: the update stands alone
        if parent.state == "pending":
            # Cannot happen in order (the parent is queued first, to the same notifier);
            # waiting for a row behind this one would block the queue for good.
            log.warning(
                "delivery.parent_pending",
                notifier=lane.name,
                alert_id=alert.id,
                parent_id=alert.parent_id,
            )
            return None
        return parent.remote_id

    async def _attempt(self, lane: Lane, row: OutboxRow) -> tuple[int, int]:
        alert = row.alert
        parent_remote_id = await self._parent_remote_id(lane, alert)
        sending = lane.notifier.send(alert, parent_remote_id=parent_remote_id)
        return await self.recorder.settle(lane, [row], await self._call(lane, sending))

    async def _call(self, lane: Lane, sending: Awaitable[Delivery]) -> Delivery:
        # The destination's pace may be shared with other lanes, which may have sent since
        # this lane looked: check again, and take the slot with no await in between.
        for _ in range(100):  # bounded: each turn waits out the slot another lane took
            wait = lane.pace.wait()
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        if lane.keeper is not None and not lane.keeper.valid:
            # Fencing: this node may have been frozen past its lease while another node took
            # the lane over; nothing is sent (the row stays pending for the holder).
            if isinstance(sending, Coroutine):
                sending.close()  # never started: nothing went out
            raise LaneLost(lane.name)
        lane.pace.last_attempt = time.monotonic()
        try:
            return await sending
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # A notifier bug must not stop delivery: treat it as transient and say so.
            log.exception("delivery.error", notifier=lane.name)
            return Delivery("retry", detail=f"{type(exc).__name__}: {exc}")
