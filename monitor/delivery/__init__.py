"""The outbox delivery worker (``worker.py``; a lane per notifier in ``lanes.py``, the recording
of each outcome in ``record.py``): every queued alert reaches its notifier, once, in order.

One task per notifier takes that notifier's oldest pending outbox row, waits until it is due
(its retry time, and never before its ``not_before``: alerts held by quiet hours) and until
``min_interval`` has passed since the previous attempt (pacing), and sends it. The row stays
pending until the send succeeded, so a crash mid-send repeats at most that one message and
loses nothing. Outcomes:
- ``sent``: the row is marked sent with the notifier's remote id (a Slack ts, for threads);
- ``retry``: the row waits, then is tried again until ``retry_for`` has passed since its first
  failure, then becomes dead. The wait is the server's ``Retry-After`` when it gave one (a
  429 pauses the whole notifier exactly that long: the row is the head of its queue), else
  exponential backoff with jitter, capped;
- ``dead``: dead-lettered with one clear error line (``delivery.dead``) and the metric.
Later rows wait behind a row that is retrying: order matters (a thread reply must follow its
parent), and an outage affects every message to that destination anyway.

Threads: an "update"/"confirmed" alert is sent with ``parent_remote_id`` = the remote id
stored when its parent (the "new" alert of the same event and notifier) was sent. Strict
order per notifier means the parent was settled first: sent (its id is used) or dead /
pruned / never queued (the update goes top-level, as a full message).

Digests: a notifier with ``digest_interval`` set (email ``digest = "15m"``) is not sent row by
row. Its window opens with the oldest pending row; when the window has passed the worker
takes every due row (up to ``DIGEST_MAX``), calls ``send_digest`` once and settles all those
rows with that one outcome in one write. Rows stay pending until then, so a crash during a
digest repeats that digest (the only duplicate) and loses nothing.

Why not tenacity's loop here: a delivery's retry state (attempts, next attempt, first failure)
must survive ``kill -9`` and restarts for a day, so it lives in the outbox rows and this worker
is the state machine over them; an in-memory retry loop would forget it. The waits come from
the one retry policy (``monitor.retry.Backoff``, a tenacity wait strategy), the same curve as
every other retry. POSTs are never retried inside a call.

Several nodes (PostgreSQL state): a notifier's lane runs on one node at a time, the holder of
its lease (``notifier_lease``), renewed in the background; the other nodes' lanes wait and one
takes over within about ``lease_s`` after the holder dies. So no two nodes ever send the same
alert at once, and the order holds across nodes.

A notifier outage is logged once (``delivery.failing``) and its end once
(``delivery.recovered``); retries in between are debug lines.

Which alerts a notifier is sent at all (updates on or off) is decided before queueing, by the
event layer's notifier policy (``monitor/events/alerts.py``); a notifier's ``accepts`` is only the
last line of defence at send time.
"""

from monitor.delivery.lanes import DIGEST_MAX, IDLE_WAKE_S, LANE_LEASE_S, DrainReport
from monitor.delivery.record import DELIVERIES, RETRY_BASE_S, RETRY_CAP_S
from monitor.delivery.worker import DeliveryWorker

__all__ = [
    "DELIVERIES",
    "DIGEST_MAX",
    "IDLE_WAKE_S",
    "LANE_LEASE_S",
    "RETRY_BASE_S",
    "RETRY_CAP_S",
    "DeliveryWorker",
    "DrainReport",
]
