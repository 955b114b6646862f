"""What every notifier shares: options, the delivery outcome, and the registry contract.

A notifier sends one Alert and reports what happened as a ``Delivery``; the outbox worker
(not the notifier) decides about retries, pacing and dead letters from that outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import ConfigDict

from monitor.contracts import HttpClient
from monitor.events.options import NotifierAlertOptions
from monitor.model import Alert
from monitor.units import Seconds

Outcome = Literal["sent", "retry", "dead"]


class NotifierOptions(NotifierAlertOptions):
    """Keys every ``[notifiers.NAME]`` table accepts (NAME is given by the table), including
    the alert policy of ``NotifierAlertOptions``: ``quiet_hours``, ``timezone``, ``updates``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    enabled: bool = True
    min_interval: Seconds = 0.0  # pacing between messages to one destination
    retry_for: Seconds = 86400.0  # keep retrying transient failures this long


@dataclass(frozen=True, slots=True)
class Delivery:
    """The result of one send attempt.

    ``sent``: done (``remote_id`` is e.g. Slack's ``ts``, kept for threading/updates).
    ``retry``: transient (429/5xx/timeout); wait at least ``retry_after_s`` when given.
    ``dead``: permanent (invalid_payload, channel_not_found, bad auth, SMTP 5xx refusal).
    ``detail`` is safe to log: it never contains a secret.
    """

    outcome: Outcome
    detail: str = ""
    retry_after_s: float | None = None
    remote_id: str | None = None


class Notifier(Protocol):
    """What the delivery worker calls. Two optional hooks, found by name:

    - ``accepts(alert) -> bool``: False for an alert this notifier does not deliver (e.g. an
      "update" with updates off); such alerts are not queued for it at all.
    - ``digest_interval`` (seconds or None) with ``send_digest(alerts) -> Delivery``: when
      the interval is set, the worker sends this notifier's rows as one digest per window
      (see ``DigestNotifier``) instead of one by one.
    - ``destination`` (str): where the messages go (a Slack channel, a webhook host, an SMTP
      server); notifiers with one destination share its pacing and its 429 pauses. Without
      it, the notifier is its own destination.
    """

    name: str

    async def send(self, alert: Alert, *, parent_remote_id: str | None = None) -> Delivery:
        """Deliver one alert. ``parent_remote_id`` is the stored remote id of the alert this
        one updates (a Slack ``ts`` to thread under or edit), when there is one."""
        ...

    async def aclose(self) -> None: ...


class DigestNotifier(Notifier, Protocol):
    """A notifier that can send many alerts as one message (email digests)."""

    @property
    def digest_interval(self) -> float | None:
        """Seconds per digest window, or None to send alerts one by one."""
        ...

    async def send_digest(self, alerts: list[Alert]) -> Delivery:
        """Deliver every alert in ``alerts`` as one message; one outcome for all."""
        ...


class NotifierType(Protocol):
    # Plain members, not ClassVar: mypy never matches a ClassVar protocol member with a
    # class object, and the registry holds classes.
    type_name: str
    Options: type[NotifierOptions]

    def __call__(self, name: str, options: NotifierOptions, http: HttpClient) -> Notifier: ...
