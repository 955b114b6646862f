"""The store interface: everything bilat remembers, behind one small async Protocol.

Implementations: ``sqlite.py`` (embedded default: one process) and ``postgres.py`` (scale-out:
N identical nodes share one database and coordinate through it with leases).

Leases (what makes several nodes safe; trivial on SQLite, where one process owns the file):
- a polled source is leased by ``claim_due_sources``; the lease ends when that source's state
  is saved (the poll's commit, or the failure's save). The save is *fenced*: if another node
  has claimed the source since (this node's lease expired), it raises ``LeaseLost`` and
  nothing of that poll is committed;
- a named lease (``acquire_lease``) gives one node at a time a push source's stream
  (``stream_lease(source_id)``) or a notifier's delivery lane (``notifier_lease(name)``); the
  holder renews it well within its TTL; when the holder dies another node takes it over once
  the TTL has passed. While a node holds a source's stream lease, saves of that source's state
  are fenced the same way.

Writes that belong together go through ``transaction()``: one ``Transaction`` per processed
poll records the new seen items, the matches, the alerts with their outbox rows and the
source's new cursor/validators/due time, all or nothing. Every insert is idempotent (unique
item key, match key, alert id), so processing the same poll twice changes nothing.
Events (``monitor/events/cluster.py``) and alert threads (``monitor/events/threads.py``) are
read and written through ``Transaction`` too, so clustering and alert decisions commit with
the poll.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit, urlunsplit

from monitor.contracts import SourceCursor
from monitor.model import Alert, Item, Match, SeenItem
from monitor.store.ops_types import LeaseHolder as LeaseHolder
from monitor.store.ops_types import SilenceEpisode as SilenceEpisode
from monitor.store.webreads import EventStamp as EventStamp
from monitor.store.webreads import EventSummary as EventSummary
from monitor.store.webreads import SourceActivity as SourceActivity

if TYPE_CHECKING:
    from monitor.events.cluster import CandidateQuery
    from monitor.events.record import EventDecision, EventRecord
    from monitor.events.threads import Thread

OutboxState = Literal["pending", "sent", "dead"]


class LeaseLost(Exception):
    """This node's lease was taken over by another node (it expired): the work done under it
    must not be committed. Raised by the fenced saves (see the module docstring)."""


def display_url(url: str) -> str:
    """A state URL without its password, for logs, ``bilat check`` and ``Store.url``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def stream_lease(source_id: str) -> str:
    """The name of the lease that lets one node run push source ``source_id``."""
    return f"stream:{source_id}"


def notifier_lease(notifier: str) -> str:
    """The name of the lease that lets one node deliver ``notifier``'s outbox, in order."""
    return f"notifier:{notifier}"


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the store keeps per source between polls and across restarts."""

    source_id: str
    cursor: SourceCursor = field(default_factory=SourceCursor)
    next_due_at: datetime | None = None  # None: not scheduled (push sources)
    failures: int = 0  # consecutive failed polls
    failing_since: datetime | None = None
    last_ok_at: datetime | None = None  # None until the first successful poll
    last_polled_at: datetime | None = None
    last_status: str | None = None  # "200", "304", "error 503", "NetworkError" ...
    last_error: str | None = None
    fingerprint: str | None = None  # of the source's config; a change resets the state

    def evolve(self, **changes: Any) -> SourceState:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class SourcePlan:
    """How a configured source enters the schedule at startup (see ``sync_sources``)."""

    fingerprint: str
    first_due_at: datetime | None  # None for push sources


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One alert waiting for (or done with) delivery through one notifier."""

    seq: int  # creation order within the store
    alert: Alert
    notifier: str
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    first_failed_at: datetime | None = None
    last_error: str | None = None
    remote_id: str | None = None
    sent_at: datetime | None = None
    not_before: datetime | None = None  # held (quiet hours): never sent before this

    @property
    def due_at(self) -> datetime:
        """When the row may be attempted: its retry time, and never before ``not_before``."""
        if self.not_before is not None and self.not_before > self.next_attempt_at:
            return self.not_before
        return self.next_attempt_at


@dataclass(frozen=True, slots=True)
class PruneReport:
    seen: int = 0
    matches: int = 0
    alerts: int = 0
    events: int = 0


class Transaction(Protocol):
    """The writes of one processed poll (or one pushed batch). Commits on clean exit of
    ``Store.transaction()``, rolls back on any exception (including cancellation)."""

    async def unseen(self, item_keys: Sequence[str]) -> set[str]:
        """The keys among ``item_keys`` that the store has never seen."""

    async def mark_seen(self, items: Sequence[Item | SeenItem], now: datetime) -> None:
        """Record ``items`` as seen (first time) or still present (refreshes ``last_seen``,
        which retention counts from)."""

    async def add_matches(self, matches: Sequence[tuple[Match, Item]], now: datetime) -> int:
        """Store matches with their item; returns how many were new."""

    async def add_alerts(
        self, alerts: Sequence[Alert], *, not_before: Mapping[str, datetime] | None = None
    ) -> list[str]:
        """Store alerts and queue one pending outbox row each; returns the ids that were new
        (an alert id already stored is ignored, so a repeated decision sends nothing).
        ``not_before`` maps held alerts' ids to their release time: the row's ``not_before``
        and first attempt."""

    # -- events (monitor/events/cluster.py) and alert threads (monitor/events/threads.py) ------

    async def event_candidates(self, query: CandidateQuery) -> list[EventRecord]:
        """What ``events.cluster`` needs for one match: the event with ``query.key`` when set
        (keyword matches), else every event of ``query.kind`` and ``query.pair`` whose date
        or anchor lies in [``date_from``, ``date_to``]; plus, always, every event already
        holding ``query.item_key``. Sorted by key; reports in report order."""

    async def event(self, event_key: str) -> EventRecord | None: ...

    async def events_by_key(self, keys: Sequence[str]) -> list[EventRecord]:
        """The stored events among ``keys`` (a batch of keyword matches' own events), by key."""

    async def save_event(self, decision: EventDecision, now: datetime) -> None:
        """Apply one clustering decision: "new" inserts the event with its first report,
        "join" updates the event's state and adds the report, "duplicate" does nothing."""

    async def save_events(self, decisions: Sequence[EventDecision], now: datetime) -> None:
        """``save_event`` for each decision, in order (batched where the store can)."""

    async def event_threads(self, event_key: str) -> dict[str, Thread]:
        """The alert threads of one event, by notifier name."""

    async def save_thread(self, thread: Thread) -> None:
        """Insert or replace the thread of (``thread.event_key``, ``thread.notifier``)."""

    async def save_threads(self, threads: Sequence[Thread]) -> None:
        """``save_thread`` for each thread, in order."""

    async def due_threads(self, now: datetime, limit: int) -> list[Thread]:
        """Threads whose ``flush_at`` is at or before ``now``, earliest first."""

    async def source_state(self, source_id: str) -> SourceState: ...

    async def save_source_state(self, state: SourceState) -> None:
        """Save ``state``; fenced (``LeaseLost``) when this node's lease on it was lost."""

    async def alert_remote_id(self, alert_id: str) -> str | None:
        """The remote id (e.g. a Slack ts) stored when ``alert_id`` was delivered."""

    # -- silent sources (monitor/watch): an open episode per source, alerted once ----------

    async def open_silence(self, episode: SilenceEpisode) -> bool:
        """Open ``episode``; False when the source already has an open one (this or another
        node opened it first): then its alert is not queued again."""

    async def close_silence(self, source_id: str, episode_id: str) -> bool:
        """Close the source's open episode ``episode_id``; False when it is not open (already
        closed by another node)."""


class Store(Protocol):
    """Everything bilat remembers. Methods outside ``transaction()`` are single atomic
    writes or reads."""

    url: str

    async def close(self) -> None: ...

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """A unit of work (see ``Transaction``). SQLite runs them one at a time; PostgreSQL
        runs them concurrently (inserts are idempotent, so concurrent units never conflict
        in meaning)."""

    def gather_commits(self, expected: Callable[[], int] | None, target: int = 0) -> None:
        """A one-shot pass (``bilat once``), where nobody waits on one poll's commit: units
        may wait for up to ``target`` others while ``expected()`` more are on their way, to
        share one commit; None turns it off. A store whose units commit on their own
        connections (PostgreSQL) has nothing to gather and ignores it."""

    # -- sources -------------------------------------------------------------------------

    async def sync_sources(self, plans: Mapping[str, SourcePlan], now: datetime) -> None:
        """Make the schedule match the configuration at startup: new sources and sources
        whose fingerprint changed start fresh at ``first_due_at``; known sources keep their
        due time unless it is already past (then ``first_due_at``, so a restart after a long
        stop spreads them out instead of polling all at once). Sources not in ``plans`` are
        left alone but never claimed."""

    async def claim_due_sources(
        self, now: datetime, limit: int, lease_s: float, *, heartbeat: bool = True
    ) -> list[str]:
        """Up to ``limit`` configured sources whose ``next_due_at <= now``, oldest first, each
        leased to this node until ``now + lease_s`` (no node claims it again before then), so
        a crash mid-poll retries it after the lease instead of immediately or never. Saving
        the source's state ends the lease (see the module docstring: fencing). With several
        nodes a claim is also this node's heartbeat; ``heartbeat=False`` (a claim between
        ticks, for slots freed meanwhile) may use the live nodes the last heartbeat read."""

    async def release_dead_claims(self, now: datetime) -> list[str]:
        """At a daemon's start: the sources claimed by processes that are gone (killed
        mid-poll) become due at ``now`` instead of when their claims would run out. Only
        SQLite has such claims; PostgreSQL's nodes hand theirs over by heartbeat."""

    async def source_state(self, source_id: str) -> SourceState:
        """The stored state, or a fresh one for an unknown source."""

    async def source_states(self) -> dict[str, SourceState]: ...

    async def unseen(self, item_keys: Sequence[str]) -> set[str]:
        """The keys among ``item_keys`` never seen, read outside any transaction (what is
        committed, or on SQLite also the open batch's units: an item's key carries its
        source's id, and one source is never processed twice at once); the pipeline's
        read before its rules run, which its transaction checks again."""

    async def save_source_state(self, state: SourceState) -> None:
        """Save ``state``; fenced (``LeaseLost``) when this node's lease on it was lost."""

    # -- leases --------------------------------------------------------------------------

    async def acquire_lease(self, name: str, now: datetime, ttl_s: float) -> bool:
        """Take, or renew, this node's lease ``name`` until ``now + ttl_s``; False while
        another node holds it (and its TTL has not passed). Always True on SQLite."""

    async def release_lease(self, name: str) -> None:
        """Give up lease ``name`` if this node holds it (another node may take it at once)."""

    # -- outbox --------------------------------------------------------------------------

    async def next_outbox(self, notifier: str) -> OutboxRow | None:
        """The oldest pending row for ``notifier`` (due or not): delivery is in order."""

    async def due_outbox(self, notifier: str, *, now: datetime, limit: int) -> list[OutboxRow]:
        """Up to ``limit`` pending rows of ``notifier`` that are due at ``now`` (retry time
        and ``not_before`` passed), oldest first: what one digest takes."""

    async def outbox_row(self, alert_id: str) -> OutboxRow | None:
        """The outbox row of ``alert_id`` (any state), or None."""

    async def outbox(
        self, *, notifier: str | None = None, state: OutboxState | None = None, limit: int = 100
    ) -> list[OutboxRow]:
        """Rows in creation order, for inspection and commands."""

    async def mark_sent(self, alert_id: str, *, at: datetime, remote_id: str | None) -> None: ...

    async def mark_retry(
        self, alert_id: str, *, at: datetime, next_attempt_at: datetime, error: str
    ) -> None: ...

    async def mark_dead(self, alert_id: str, *, at: datetime, error: str) -> None: ...

    async def requeue_dead(
        self,
        *,
        now: datetime,
        notifier: str | None = None,
        alert_ids: Sequence[str] | None = None,
    ) -> int:
        """Dead letters (of ``notifier``, or only ``alert_ids``) back to pending, due ``now``,
        with a fresh ``retry_for`` clock; the number of rows requeued. The last error is kept
        until the next attempt settles the row."""

    # The ``*_many`` forms settle several rows in one atomic write (a digest: one mail, one
    # outcome for all its rows). Like the single forms they only touch pending rows.

    async def mark_sent_many(
        self, alert_ids: Sequence[str], *, at: datetime, remote_id: str | None
    ) -> None: ...

    async def mark_retry_many(
        self, alert_ids: Sequence[str], *, at: datetime, next_attempt_at: datetime, error: str
    ) -> None: ...

    async def mark_dead_many(
        self, alert_ids: Sequence[str], *, at: datetime, error: str
    ) -> None: ...

    async def get_alert(self, alert_id: str) -> Alert | None: ...

    async def alert_remote_id(self, alert_id: str) -> str | None:
        """The remote id (e.g. a Slack ts) stored when ``alert_id`` was delivered."""

    # -- events --------------------------------------------------------------------------

    async def events(
        self,
        *,
        since: datetime | None = None,
        pair: str | None = None,
        kind: str | None = None,
        limit: int = 1000,
    ) -> list[EventRecord]:
        """Events updated at or after ``since``, of ``pair`` ("CN-IN") and ``kind`` when
        given, latest meeting date first, with their reports (``bilat events``)."""

    # -- operations: /readyz's write probe (changes nothing, raises when writes fail); rows
    # per (notifier, state) pending and dead; leases held at ``now`` (PostgreSQL; SQLite: []);
    # items remembered per source: (all, first seen since ``since``), for ``bilat status``
    async def probe_write(self) -> None: ...
    async def item_counts(self, since: datetime) -> dict[str, tuple[int, int]]: ...
    async def outbox_counts(self) -> dict[tuple[str, str], int]: ...
    async def lease_holders(self, now: datetime) -> list[LeaseHolder]: ...

    # -- silent sources (monitor/watch) ------------------------------------------------
    async def new_item_times(
        self, *, since: datetime, per_source: int
    ) -> dict[str, list[datetime]]:
        """Per source, its newest ``per_source`` distinct first-seen times of items, newest
        first: those since ``since``, and always the newest one however old."""

    async def silence_episodes(self) -> dict[str, SilenceEpisode]:
        """The open silence episodes, by source id."""

    # -- reads for the desk's web page (monitor/web); never write ------------------------

    async def event_summaries_between(
        self,
        *,
        since: date | None = None,
        until: date | None = None,
        limit: int = 1000,
        text: str | None = None,
    ) -> list[EventSummary]:
        """The events whose meeting date lies in [``since``, ``until``] (either end open
        when None), latest meeting date first (then first seen, newest first, then key), as
        their rows hold them: no report is read (``monitor/store/summaries.py``). ``text``:
        only events whose place, officials or any report's title or evidence contain it
        (compared folded, ``summaries.fold``); the limit applies after it."""

    async def event_record(self, event_key: str) -> EventRecord | None:
        """One event with its reports, or None."""

    async def event_outbox(self, event_key: str) -> list[OutboxRow]:
        """The alerts sent (or waiting) about one event with their delivery state, oldest
        first; pruned alerts are gone."""

    async def source_activity(self, *, since: datetime) -> dict[str, SourceActivity]:
        """Per source that brought any item still remembered: the items first seen since
        ``since`` and the newest item's time."""

    async def event_stamps(self, *, since: datetime) -> list[EventStamp]:
        """Versions of the events updated at or after ``since``, by key."""

    # -- housekeeping --------------------------------------------------------------------

    async def prune(self, *, before: datetime) -> PruneReport:
        """Forget seen items not seen since ``before``, and matches, delivered/dead alerts
        and their outbox rows created before it. Pending rows are never pruned. Events not
        updated since ``before`` go with their reports and threads, unless an alert about
        them is still pending or a folded update is waiting."""
