"""Whether the store accepts writes: one shared ``StoreHealth`` per process.

When the store refuses writes (a full disk, a read-only file, a dead database server) every
poll's commit and every delivery record fails the same way. Instead of one error per poll
and per alert (and, worse, re-sending alerts whose "sent" could not be written), the parts
that write report here and ask here:

- ``refused(exc)`` (True when ``exc`` is such a refusal): the first one turns the store
  unhealthy with ONE error line (``store.unwritable``: path, reason, what to do); polling
  and delivery pause (``monitor.scheduler``, ``monitor.delivery``);
- ``wrote()``: a write went through; the first one after an outage turns the store healthy
  again with one ``store.recovered`` line, and the paused parts resume by themselves;
- while unhealthy the scheduler probes the store with one small write every
  ``probe_delay()`` (``Store.probe_write``, 1 s doubling to 5 s), so recovery needs no restart.

``store_healthy`` and ``paused_reason`` are what a readiness check (``/readyz``) reads.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

import structlog

from monitor.retry import Backoff

log = structlog.get_logger("monitor.store")

PROBE_BASE_S = 1.0
# A probe is one small write (or a connection attempt): cheap. The cap bounds how long the
# daemon stays paused after the store heals: 30 s left a PostgreSQL back after a 30 s outage
# unused for another 30 s; with 5 s polling resumes within 10 s of its return.
PROBE_CAP_S = 5.0

# SQLite's words for "this write cannot happen here", whatever the statement.
_SQLITE_REFUSALS = (
    "database or disk is full",
    "disk i/o error",
    "attempt to write a readonly database",
    "unable to open database file",
)
# PostgreSQL error classes: 08 connection exception, 53 insufficient resources (disk full,
# out of memory, too many connections), 57P operator intervention (shutdown), 25006 read-only
# transaction (a standby).
_PG_CLASSES = ("08", "53", "57P", "25006")


def is_refusal(exc: BaseException) -> bool:
    """Whether ``exc`` says the store cannot be written now (as opposed to a bug or bad data)."""
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        return any(word in text for word in _SQLITE_REFUSALS)
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith(_PG_CLASSES)
    # The database server went away: refused, reset, or a connection pool that was closed.
    return isinstance(exc, OSError | ConnectionError | TimeoutError) or (
        type(exc).__name__ in {"InterfaceError", "ConnectionDoesNotExistError"}
    )


def advice(reason: str) -> str:
    """What an operator can do about a refusal."""
    text = reason.lower()
    if "full" in text or "disk i/o" in text:
        return "free disk space on the state's volume; bilat resumes by itself"
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return "make the state file and its directory writable; bilat resumes by itself"
    return "check that the database server is up and reachable; bilat resumes by itself"


class StoreHealth:
    """The store's write health, shared by the scheduler, poller, pipeline and delivery."""

    def __init__(self, url: str = "") -> None:
        self.url = url
        self.store_healthy = True
        self.paused_reason: str | None = None
        self.unhealthy_since: float | None = None  # monotonic
        self.refusals = 0  # in the current outage
        self._probes = 0
        self._next_probe = 0.0  # monotonic
        self._listeners: list[Callable[[], None]] = []

    def on_heal(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when an outage ends (the delivery lanes wake)."""
        self._listeners.append(callback)

    def refused(self, exc: BaseException) -> bool:
        """Record a failed write; True when it is a refusal (then the store is unhealthy)."""
        if not is_refusal(exc):
            return False
        reason = f"{type(exc).__name__}: {exc}".strip()
        self.refusals += 1
        if self.store_healthy:
            self.store_healthy = False
            self.paused_reason = f"the store refuses writes ({reason})"
            self.unhealthy_since = time.monotonic()
            self._probes = 0
            self._next_probe = time.monotonic() + PROBE_BASE_S
            log.error(
                "store.unwritable",
                state=self.url,
                reason=reason,
                action=advice(reason),
                paused="polling and delivery",
            )
        return True

    def wrote(self) -> None:
        """A write went through: end an outage, if there was one."""
        if self.store_healthy:
            return
        down = time.monotonic() - (self.unhealthy_since or time.monotonic())
        log.info(
            "store.recovered", state=self.url, downtime_s=round(down, 1), refusals=self.refusals
        )
        self.store_healthy = True
        self.paused_reason = None
        self.unhealthy_since = None
        self.refusals = 0
        for callback in self._listeners:
            callback()

    def probe_due(self) -> bool:
        """Whether it is time for the next probe write (and count it as made)."""
        if self.store_healthy or time.monotonic() < self._next_probe:
            return False
        self._probes += 1
        delay = Backoff(PROBE_BASE_S, PROBE_CAP_S).delay(self._probes)
        self._next_probe = time.monotonic() + delay
        return True
