"""The pipeline's ``decide`` on the store: one alert per real meeting, then quiet updates.

``EventDecide`` mirrors ``monitor/events/book.py`` (the in-memory reference) step for step,
reading and writing inside the poll's transaction, so seen items, matches, events, threads,
alerts, outbox rows and the cursor commit together or not at all:

    when       = rules.dates.meeting.date_of(item, match)
    candidates = tx.event_candidates(events.candidate_query(match, ref, when))
    decision   = events.cluster(match, ref, when, candidates)   -> tx.save_event
    (backfilled matches stop here: they teach the event, they never alert)
    decisions  = alerts.decide_alerts(decision, rule, notifiers, tx.event_threads(key))
                 -> tx.save_thread per decision; alerts queued (held ones not before release)

Every decision per notifier is logged as one ``alert.decided`` debug line (outcome and reason:
new, update, confirmed, held, folded, duplicate, silenced, skipped), once the transaction that
holds it has committed (``decisions_logged_after_commit``): a rolled-back poll (a full disk)
logs no decision about alerts that were never stored. ``flush`` is the
scheduler's tick: threads whose ``flush_at`` has come send their folded update.

Identity survives restarts because all of it lives in the store; a repeated decision is a
no-op because the item is already a report of its event and alert ids are deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from adapters.base import SourceOptions
from monitor.events.alerts import (
    AlertDecision,
    AlertRule,
    NotifierPolicy,
    decide_alerts,
    flush_thread,
)
from monitor.events.cluster import (
    ClusterPolicy,
    candidate_query,
    cluster,
    keyword_key,
    official_resolver,
)
from monitor.events.options import Silence
from monitor.events.record import EventDecision, OfficialCountry
from monitor.events.threads import Thread
from monitor.logs import HotLogger
from monitor.model import Item, Match, ReportRef
from monitor.pipeline.routing import DecideContext, QueuedAlert, RoutedMatch
from monitor.store.base import Transaction
from rules.base import RuleOptions
from rules.bilateral.roster import roster
from rules.dates.meeting import MeetingDate, date_of

if TYPE_CHECKING:
    from monitor.settings import Settings

log = HotLogger("monitor.events")

FLUSH_BATCH = 100  # threads flushed per transaction

# The decisions of the unit of work running in this task, logged after its commit.
_DECIDED: ContextVar[list[dict[str, Any]] | None] = ContextVar("bilat_decided", default=None)


@contextmanager
def decisions_logged_after_commit() -> Iterator[list[dict[str, Any]]]:
    """Collect the ``alert.decided`` lines of the decisions made inside; the caller logs them
    with ``log_decided`` once the transaction committed (and drops them when it did not)."""
    notes: list[dict[str, Any]] = []
    token = _DECIDED.set(notes)
    try:
        yield notes
    finally:
        _DECIDED.reset(token)


def log_decided(notes: Iterable[Mapping[str, Any]]) -> None:
    for fields in notes:
        log.debug("alert.decided", **fields)


@dataclass(frozen=True, slots=True)
class Officials:
    """What the officials roster tells the event layer: official accounts ("@DrSJaishankar"
    -> "IN"; None = confirms any meeting), officials' countries ("Wang Yi" -> "CN"), and
    names for official sources in update text ({"mea-press": "MEA"}; default: the id)."""

    handles: Mapping[str, str | None] = field(default_factory=dict)
    country_of: OfficialCountry | None = None
    source_labels: Mapping[str, str] = field(default_factory=dict)


def roster_officials(sources: Iterable[SourceOptions] = ()) -> Officials:
    """What the detector's officials roster (``rules/data/officials*.toml``, read by
    ``rules.bilateral.roster.load_roster``) tells the event layer.

    - handles: the accounts of people in office today and the offices' own accounts
      ("@DrSJaishankar" -> "IN", "@MEAIndia" -> "IN"): a post by one of them confirms a
      meeting of their country, whatever source it arrives through;
    - country_of: a canonical name -> the country of that person's latest office;
    - source_labels: how update text names an official source (its ``label``, else its id).

    The roster is read on first use (a post with an author handle, a meeting's officials):
    reading it is most of a start-up, and feeds matched by keyword rules never need it.
    """
    today = date.today()
    labels = {s.id: s.label for s in sources if s.label}

    def country_of(name: str) -> str | None:
        return _roster_tables(today)[1].get(name)

    return Officials(_RosterHandles(today), country_of, labels)


class _RosterHandles(Mapping[str, "str | None"]):
    """The roster's handles, read when first looked at."""

    def __init__(self, today: date) -> None:
        self._today = today

    def _table(self) -> dict[str, str | None]:
        return _roster_tables(self._today)[0]

    def __getitem__(self, key: str) -> str | None:
        return self._table()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


@lru_cache(maxsize=4)
def _roster_tables(today: date) -> tuple[dict[str, str | None], dict[str, str]]:
    people = roster()
    handles: dict[str, str | None] = dict(people.office_handles)
    countries: dict[str, str] = {}
    for person in people.people:
        latest = person.term_at(None)
        if latest is not None:
            countries.setdefault(person.name, latest.party)
        term = person.term_at(today)
        if term is not None and term.covers(today):
            for handle in person.handles:
                handles.setdefault(handle.lower(), term.party)
    return handles, countries


class EventDecide:
    """``Decide`` (see ``monitor/pipeline/routing.py``) with events, threads and silences."""

    def __init__(
        self,
        *,
        rules: Iterable[RuleOptions] = (),
        notifiers: Mapping[str, NotifierPolicy] | None = None,
        silences: Sequence[Silence] = (),
        officials: Officials | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        officials = officials or roster_officials()
        self.rules = {options.id: AlertRule.of(options) for options in rules}
        self._routed_rules: dict[tuple[AlertRule, frozenset[str]], AlertRule] = {}
        self.notifiers = dict(notifiers or {})
        self.silences = tuple(silences)
        self.policy = ClusterPolicy(
            official=official_resolver(officials.handles, officials.source_labels),
            official_country=officials.country_of,
        )
        self.tz = tz

    @classmethod
    def from_settings(cls, settings: Settings, officials: Officials | None = None) -> EventDecide:
        return cls(
            rules=[r for r in settings.rules if r.enabled],
            notifiers={
                name: NotifierPolicy.of(name, options)
                for name, options in settings.notifiers.items()
                if options.enabled
            },
            silences=settings.silences,
            officials=officials or roster_officials(settings.sources),
        )

    def _policies(self, enabled: frozenset[str]) -> dict[str, NotifierPolicy]:
        # A notifier without a configured policy gets the defaults (updates on, no quiet).
        return {name: self.notifiers.get(name) or NotifierPolicy(name, "") for name in enabled}

    def _rule(self, options: RuleOptions, enabled: frozenset[str]) -> AlertRule:
        rule = self.rules.get(options.id)
        if rule is None:
            rule = self.rules[options.id] = AlertRule.of(options)
        # Disabled notifiers are not routed to (as if the rule did not name them). Kept per
        # rule and set of enabled notifiers: it is asked once per match.
        key = (rule, enabled)
        routed = self._routed_rules.get(key)
        if routed is None:
            if len(self._routed_rules) > 256:
                self._routed_rules.clear()
            routed = replace(rule, notify=tuple(n for n in rule.notify if n in enabled))
            self._routed_rules[key] = routed
        return routed

    async def __call__(
        self, tx: Transaction, matches: Sequence[RoutedMatch], ctx: DecideContext
    ) -> list[QueuedAlert]:
        policies = self._policies(ctx.notifiers)
        out: list[QueuedAlert] = []
        # Keyword matches first, as one batch; meetings one by one (each may join an event
        # an earlier match of this poll created). The two never share an event.
        items = [r for r in matches if r.match.meeting is None]
        keys = [keyword_key(r.match) for r in items]
        if len(set(keys)) == len(keys):
            out += await self._decide_items(tx, items, keys, ctx, policies)
        else:  # one key twice in a batch (cannot happen from the pipeline): one at a time
            for routed in items:
                out += await self._decide_one(tx, routed, ctx, policies)
        for routed in matches:
            if routed.match.meeting is not None:
                out += await self._decide_one(tx, routed, ctx, policies)
        return out

    async def _decide_items(
        self,
        tx: Transaction,
        batch: Sequence[RoutedMatch],
        keys: Sequence[str],
        ctx: DecideContext,
        policies: Mapping[str, NotifierPolicy],
    ) -> list[QueuedAlert]:
        """``_decide_one`` for a batch of keyword matches, with the same decisions: each is an
        event of its own (a duplicate when its key is stored), read in one query and written
        with one statement per table instead of several per match."""
        if not batch:
            return []
        stored = {e.key: e for e in await tx.events_by_key(keys)}
        decisions = []
        for routed, key in zip(batch, keys, strict=True):
            item, match = routed.item, routed.match
            when = self._when(item, match)
            candidates = [stored[key]] if key in stored else []
            ref = ReportRef.of(item)
            decisions.append(cluster(match, ref, when, candidates, now=ctx.now, policy=self.policy))
        await tx.save_events(decisions, ctx.now)
        out: list[QueuedAlert] = []
        threads: list[Thread] = []
        for routed, decision in zip(batch, decisions, strict=True):
            event = decision.event
            log.debug(
                "event.clustered",
                action=decision.action,
                event_key=event.key,
                item_key=routed.item.key,
                reports=event.report_count,
            )
            if routed.backfill:
                continue
            known = {} if decision.action == "new" else await tx.event_threads(event.key)
            decided = self._alerts(decision, routed, ctx, policies, known)
            context = {"rule_id": routed.match.rule_id, "item_key": routed.item.key}
            out += self._queued(decided, {**context, "event_key": event.key}, threads)
        await tx.save_threads(threads)
        return out

    def _alerts(
        self,
        decision: EventDecision,
        routed: RoutedMatch,
        ctx: DecideContext,
        policies: Mapping[str, NotifierPolicy],
        threads: Mapping[str, Thread],
    ) -> list[AlertDecision]:
        """What each notifier is told about one clustered report (batch and single paths)."""
        return decide_alerts(
            decision,
            self._rule(routed.rule, ctx.notifiers),
            policies,
            threads,
            now=ctx.now,
            silences=self.silences,
            official_country=self.policy.official_country,
        )

    async def _decide_one(
        self,
        tx: Transaction,
        routed: RoutedMatch,
        ctx: DecideContext,
        policies: Mapping[str, NotifierPolicy],
    ) -> list[QueuedAlert]:
        item, match = routed.item, routed.match
        ref = ReportRef.of(item)
        when = self._when(item, match)
        candidates = await tx.event_candidates(candidate_query(match, ref, when, self.policy))
        decision = cluster(match, ref, when, candidates, now=ctx.now, policy=self.policy)
        await tx.save_event(decision, ctx.now)
        event = decision.event
        log.debug(
            "event.clustered",
            action=decision.action,
            event_key=event.key,
            item_key=item.key,
            date=when.value.isoformat(),
            date_source=when.source,
            reports=event.report_count,
            rejected=[f"{r.key}: {r.reason}" for r in decision.rejected] or None,
        )
        if routed.backfill:
            return []
        # A brand-new event has no threads yet (keys are never reused while threads exist).
        threads = {} if decision.action == "new" else await tx.event_threads(event.key)
        decisions = self._alerts(decision, routed, ctx, policies, threads)
        context = {"rule_id": match.rule_id, "item_key": item.key, "event_key": event.key}
        return await self._apply(tx, decisions, context)

    def _when(self, item: Item, match: Match) -> MeetingDate:
        """The date to file ``match`` under. Only a meeting is dated from its text: a match
        without one (a keyword rule's) is filed under its item's publish (or fetch) date,
        which is all reading the text would fall back to for it."""
        if match.meeting is None:
            published = item.published_at or item.fetched_at
            if published.tzinfo is not None:
                published = published.astimezone(self.tz or UTC)
            return MeetingDate(published.date(), "published")
        return date_of(item, match, tz=self.tz)

    async def flush(
        self,
        tx: Transaction,
        now: datetime,
        *,
        notifiers: frozenset[str],
        limit: int = FLUSH_BATCH,
    ) -> list[QueuedAlert]:
        """Send the folded updates (and quiet-hours releases) of threads due by ``now``."""
        policies = self._policies(notifiers)
        out: list[QueuedAlert] = []
        for thread in await tx.due_threads(now, limit):
            context = {"rule_id": thread.rule_id, "event_key": thread.event_key}
            event = await tx.event(thread.event_key)
            rule = self.rules.get(thread.rule_id)
            policy = policies.get(thread.notifier)
            if event is None or rule is None or policy is None:
                missing = (
                    "the event is gone"
                    if event is None
                    else f"rule {thread.rule_id} is not configured"
                    if rule is None
                    else f"notifier {thread.notifier} is not enabled"
                )
                await tx.save_thread(replace(thread, flush_at=None))
                skipped = AlertDecision(thread.notifier, "skipped", f"folded update: {missing}")
                out += await self._apply(tx, [skipped], context)
                continue
            decision = flush_thread(thread, event, rule, policy, now=now, silences=self.silences)
            out += await self._apply(tx, [decision], context)
        return out

    async def _apply(
        self, tx: Transaction, decisions: Sequence[AlertDecision], context: Mapping[str, Any]
    ) -> list[QueuedAlert]:
        threads: list[Thread] = []
        out = self._queued(decisions, context, threads)
        await tx.save_threads(threads)
        return out

    @staticmethod
    def _queued(
        decisions: Sequence[AlertDecision], context: Mapping[str, Any], threads: list[Thread]
    ) -> list[QueuedAlert]:
        """The alerts to queue; the threads to save are appended to ``threads``."""
        out: list[QueuedAlert] = []
        for d in decisions:
            if d.thread is not None:
                threads.append(d.thread)
            if d.alert is not None:
                hold = d.release_at if d.outcome == "held" else None
                out.append(QueuedAlert(d.alert, hold))
            fields = {**context, **d.log_fields()}
            notes = _DECIDED.get()
            if notes is None:
                log.debug("alert.decided", **fields)
            else:
                notes.append(fields)
        return out
