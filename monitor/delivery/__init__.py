"""The outbox delivery worker (``worker.py``; a lane per notifier in ``lanes.py``, the recording
of each outcome in ``record.py``): every queued alert reaches its notifier, once, in order
within its event.

One task per notifier takes that notifier's oldest pending outbox row, waits until it is due
(its retry time, and never before its ``not_before``: alerts held by quiet hours) and until
its destination's pace allows (``min_interval`` since the previous message to the same Slack
channel, webhook host or SMTP server, whichever notifier sent it; a 429's Retry-After pauses
the destination), and sends it. When that oldest row waits (a retry, quiet hours), a later
row goes first if no older row of its own event is pending: order is kept within an event
(an update after its parent), not across events, so one failing alert holds nothing else.
The row stays pending until the send succeeded, so a crash mid-send repeats at most that one
message and loses nothing. Outcomes:
- ``sent``: the row is marked sent with the notifier's remote id (a Slack ts, for threads);
- ``retry``: the row waits, then is tried again; at its deadline (first failure +
  ``retry_for``) it is dead-lettered without another attempt (the wait is capped there, so
  it is dead at the deadline, not at whatever attempt would come after). The wait is the
  server's ``Retry-After`` when it gave one, else exponential backoff with jitter, capped;
- ``dead``: dead-lettered with one clear error line (``delivery.dead``) and the metric.

Threads: an "update"/"confirmed" alert is sent with ``parent_remote_id`` = the remote id
stored when its parent (the "new" alert of the same event and notifier) was sent. Order
within an event means the parent was settled first: sent (its id is used) or dead /
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
