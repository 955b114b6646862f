"""Holding a named lease (``Store.acquire_lease``) for as long as this node does some work.

A ``LeaseKeeper`` renews its lease every third of the TTL, so a live node never loses it to a
slow renewal, and a dead node's lease runs out within one TTL. A renewal the store refuses
means another node has taken over (this node stalled for longer than the TTL): the keeper
stops holding at once. A renewal that fails (database unreachable) keeps the lease only until
it would have run out, then stops holding too, because another node may take it from then on.

On SQLite every acquisition succeeds without I/O: one process, nothing to share.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from datetime import datetime

import structlog

from monitor.model import utcnow
from monitor.store.base import Store

log = structlog.get_logger("monitor.leases")


class LeaseKeeper:
    """Takes, renews and releases one named lease for this node."""

    def __init__(
        self,
        store: Store,
        name: str,
        *,
        ttl_s: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.name = name
        self.ttl_s = ttl_s
        self.clock = clock
        self.renew_every_s = ttl_s / 3.0
        self.held = False
        self._valid_until = 0.0  # monotonic: when the last confirmed lease runs out
        self._failing = False  # renewals are failing (the store is unreachable)
        self._contended = False  # the last attempt found another node holding the lease

    async def acquire(self) -> bool:
        """Take or renew the lease once; True while this node holds it."""
        started = time.monotonic()
        try:
            ok = await self.store.acquire_lease(self.name, self.clock(), self.ttl_s)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Unknown outcome: hold on only while the lease certainly has not run out.
            ok = self.held and time.monotonic() < self._valid_until
            # Once per outage at warning; the store's own errors say the rest.
            (log.debug if self._failing else log.warning)(
                "lease.renew_failed",
                lease=self.name,
                error=f"{type(exc).__name__}: {exc}",
                still_held=ok,
            )
            self._failing = True
        else:
            if self._failing:
                log.info("lease.renew_recovered", lease=self.name)
                self._failing = False
            if ok:
                # Counted from before the request: the store's TTL started no earlier.
                self._valid_until = started + self.ttl_s
        if ok and not self.held:
            # At info only for a takeover (another node held it); one node taking its own
            # leases at startup is routine.
            (log.info if self._contended else log.debug)("lease.taken", lease=self.name)
        elif self.held and not ok:
            log.info("lease.lost", lease=self.name)
        self._contended = not ok
        self.held = ok
        return ok

    async def wait_until_held(self) -> None:
        """Return once this node holds the lease (trying every renewal period)."""
        while True:
            if await self.acquire():
                return
            await asyncio.sleep(self.renew_every_s)

    async def keep(self) -> None:
        """Renew until the lease is lost (then return); runs as long as the work does."""
        while True:
            await asyncio.sleep(max(0.0, min(self.renew_every_s, self._remaining_s())))
            if not await self.acquire():
                return

    async def run(self) -> None:
        """Forever: hold the lease when possible, renew it while held (for a worker that
        checks ``held`` before each step)."""
        while True:
            await self.acquire()
            await asyncio.sleep(self.renew_every_s)

    async def release(self) -> None:
        """Give the lease up (best effort, also when cancelled), so another node can take it
        now instead of after the TTL."""
        if not self.held:
            return
        self.held = False
        with contextlib.suppress(Exception):
            await asyncio.shield(self.store.release_lease(self.name))

    @property
    def valid(self) -> bool:
        """Held, and certainly not run out by this node's own clock: false after this process
        was frozen (SIGSTOP, a paused VM) past the TTL, before any renewal said so."""
        return self.held and self._remaining_s() > 0

    def _remaining_s(self) -> float:
        return self._valid_until - time.monotonic()
