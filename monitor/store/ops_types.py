"""Values of the store's operations part (readiness, metrics, ``bilat status``), apart from
``base`` so the contract module stays readable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class StoreUnavailable(ConnectionError):
    """The state cannot be opened (database down or refusing us, a file that cannot be
    created). The message names the URL without its password; commands print it as one line
    and exit 2."""


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """A lease some node holds (``bilat status``, the leases gauge)."""

    name: str  # "source:<id>" (a poll in flight), "stream:<id>", "notifier:<name>"
    owner: str  # the node's id (hostname:pid:random)
    until: datetime
    mine: bool  # held by this process


@dataclass(frozen=True, slots=True)
class SilenceEpisode:
    """A source's open silence episode (``monitor/watch``): it exists from the operator's alert
    until the source speaks again, so each episode alerts once, across restarts and nodes."""

    source_id: str
    episode_id: str  # names the episode's alerts
    since: datetime  # when the silence began (its newest item, or its first failure)
    opened_at: datetime  # when the alert was queued
    reason: str  # the alert's line, for ``bilat status`` and the page
