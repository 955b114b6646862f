"""A notifier's delivery lane in this process: its notifier, options, pacing and outage state.

One lane per enabled notifier; the worker (``worker.py``) runs one task per lane. A lane also
carries this node's lease on the notifier (several nodes: one delivers each notifier).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from monitor.leases import LeaseKeeper
from monitor.notifiers.base import Delivery, DigestNotifier, Notifier, NotifierOptions
from monitor.store.base import OutboxRow

OVERTAKE_SCAN = 200  # pending rows looked at for one that may overtake a waiting head
IDLE_WAKE_S = 30.0  # re-check the outbox now and then even without a kick
DIGEST_MAX = 200  # alerts per digest message; the rest go in the next one, right after
LANE_LEASE_S = 8.0  # a dead node's notifier lanes move after about this long ([monitor] lease)


class LaneLost(Exception):
    """This node's lease on the lane ran out before a send: the send does not happen."""


@dataclass(slots=True)
class Pace:
    """One destination's pace (a Slack channel, a webhook host, an SMTP server), shared by
    every lane that sends there: ``min_interval`` between messages, and a 429's Retry-After
    pauses the destination, not only the row that got it."""

    min_interval: float = 0.0
    last_attempt: float | None = None  # monotonic
    paused_until: float = 0.0  # monotonic

    def wait(self) -> float:
        """Seconds until the next message may go to this destination."""
        now = time.monotonic()
        after_last = 0.0
        if self.last_attempt is not None:
            after_last = self.last_attempt + self.min_interval - now
        return max(0.0, after_last, self.paused_until - now)


@dataclass(slots=True)
class Unrecorded:
    """An outcome the store could not record yet. The send happened (or failed) already, so
    the lane retries writing this, with backoff, and sends nothing else meanwhile: a "sent"
    that is not recorded would otherwise be sent again."""

    rows: list[OutboxRow]
    delivery: Delivery
    at: datetime  # when the send settled
    failures: int = 0  # failed attempts to record it
    retry_at: float = 0.0  # monotonic: the next attempt


@dataclass(slots=True)
class Lane:
    """One notifier's delivery state in this process."""

    name: str
    notifier: Notifier
    options: NotifierOptions
    digest: DigestNotifier | None = None  # set when the notifier sends digests
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    pace: Pace = field(default_factory=Pace)  # shared with the lanes to the same destination
    failing_since: datetime | None = None
    task: asyncio.Task[None] | None = None
    keeper: LeaseKeeper | None = None  # this node's turn at the notifier (several nodes)
    keeper_task: asyncio.Task[None] | None = None
    unrecorded: Unrecorded | None = None

    @property
    def digest_s(self) -> float | None:
        return self.digest.digest_interval if self.digest is not None else None

    @property
    def destination(self) -> str:
        """Where this lane's messages go (the notifier's ``destination``, else its name)."""
        found = getattr(self.notifier, "destination", None)
        return found if isinstance(found, str) and found else f"notifier:{self.name}"

    def pace_wait(self) -> float:
        """Seconds until this lane's destination takes the next message."""
        return self.pace.wait()


def share_paces(lanes: list[Lane]) -> None:
    """One ``Pace`` per destination, its interval the longest of the lanes sending there."""
    paces: dict[str, Pace] = {}
    for lane in lanes:
        pace = paces.setdefault(lane.destination, Pace())
        pace.min_interval = max(pace.min_interval, lane.options.min_interval)
        lane.pace = pace


def make_lane(name: str, notifier: Notifier, options: NotifierOptions) -> Lane:
    """A lane for ``notifier``; digest mode when it has both an interval and ``send_digest``."""
    interval = getattr(notifier, "digest_interval", None)
    has_digest = interval is not None and callable(getattr(notifier, "send_digest", None))
    digest = cast(DigestNotifier, notifier) if has_digest else None
    return Lane(name, notifier, options, digest)


@dataclass(frozen=True, slots=True)
class DrainReport:
    sent: int = 0
    dead: int = 0
    pending: int = 0  # still waiting (retrying) when the drain ended
