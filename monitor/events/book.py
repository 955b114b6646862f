"""An in-memory event book: events, alert threads and the outbox, driven by the pure steps
of ``monitor/events/cluster.py`` and ``monitor/events/alerts.py``. PURE (the caller passes
the clock).

It is the reference the store-backed pipeline mirrors (same candidate query, same order
of steps, same idempotency), and what ``bilat replay --dry-run`` and the tests run:

    when = rules.dates.meeting.date_of(item, match)
    candidates = events of (kind, pair) with date or anchor within the window
                 + events already holding the item
    decision = events.cluster(match, ReportRef.of(item), when, candidates, now=now)
    store decision.event (unless duplicate); then for each alert decision: store the
    thread, and the alert in the outbox (not before ``release_at`` when held)
    — all in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.events.alerts import (
    AlertDecision,
    AlertRule,
    NotifierPolicy,
    Thread,
    decide_alerts,
    flush_thread,
)
from monitor.events.cluster import (
    ClusterPolicy,
    EventDecision,
    EventRecord,
    candidate_query,
    cluster,
)
from monitor.events.options import Silence
from monitor.model import Alert, Item, Match, ReportRef
from rules.dates.meeting import MeetingDate, date_of


@dataclass(frozen=True, slots=True)
class Queued:
    """An outbox row: the alert and the time before which it must not be sent."""

    alert: Alert
    not_before: datetime


@dataclass
class EventBook:
    rules: Mapping[str, AlertRule]
    notifiers: Mapping[str, NotifierPolicy]
    silences: Sequence[Silence] = ()
    policy: ClusterPolicy = field(default_factory=ClusterPolicy)
    events: dict[str, EventRecord] = field(default_factory=dict)
    threads: dict[tuple[str, str], Thread] = field(default_factory=dict)
    outbox: dict[str, Queued] = field(default_factory=dict)  # alert id -> row (idempotent)

    def candidates(self, match: Match, ref: ReportRef, when: MeetingDate) -> list[EventRecord]:
        """What the store's query returns (``events.candidate_query``)."""
        q = candidate_query(match, ref, when, self.policy)
        if q.key is not None:
            return [self.events[q.key]] if q.key in self.events else []
        out = []
        for event in self.events.values():
            if event.kind != q.kind or event.pair != q.pair:
                continue
            near = (
                q.date_from <= event.date <= q.date_to or q.date_from <= event.anchor <= q.date_to
            )
            if near or event.has_item(q.item_key):
                out.append(event)
        return sorted(out, key=lambda e: e.key)

    def process(
        self, item: Item, match: Match, *, now: datetime
    ) -> tuple[EventDecision, list[AlertDecision]]:
        """One match through clustering and alert decisions, applied to the book."""
        ref = ReportRef.of(item)
        when = date_of(item, match)
        candidates = self.candidates(match, ref, when)
        decision = cluster(match, ref, when, candidates, now=now, policy=self.policy)
        if decision.action != "duplicate":
            self.events[decision.event.key] = decision.event
        rule = self.rules[match.rule_id]
        threads = {n: t for (k, n), t in self.threads.items() if k == decision.event.key}
        decisions = decide_alerts(
            decision, rule, self.notifiers, threads, now=now, silences=self.silences,
            official_country=self.policy.official_country,
        )  # fmt: skip
        self._apply(decisions, decision.event.key, now)
        return decision, decisions

    def flush_due(self, now: datetime) -> list[AlertDecision]:
        """Send the folded updates that have come due (the scheduler's sweep)."""
        out: list[AlertDecision] = []
        for (key, name), thread in sorted(self.threads.items()):
            if thread.flush_at is None or thread.flush_at > now:
                continue
            rule = self.rules[thread.rule_id]
            decision = flush_thread(
                thread, self.events[key], rule, self.notifiers[name], now=now,
                silences=self.silences,
            )  # fmt: skip
            self._apply([decision], key, now)
            out.append(decision)
        return out

    def _apply(self, decisions: Sequence[AlertDecision], event_key: str, now: datetime) -> None:
        for d in decisions:
            if d.thread is not None:
                self.threads[(event_key, d.notifier)] = d.thread
            if d.alert is not None:
                self.outbox.setdefault(d.alert.id, Queued(d.alert, d.release_at or now))

    def to_json(self) -> dict[str, Any]:
        """Events, threads and outbox as plain JSON (what a restart reloads)."""
        return {
            "events": [e.to_json() for e in self.events.values()],
            "threads": [t.to_json() for t in self.threads.values()],
            "outbox": [
                {"alert": q.alert.to_json(), "not_before": q.not_before.isoformat()}
                for q in self.outbox.values()
            ],
        }

    def load_json(self, data: Mapping[str, Any]) -> None:
        """Replace the state with a ``to_json`` snapshot (configuration stays as built)."""
        self.events = {e["key"]: EventRecord.from_json(e) for e in data["events"]}
        threads = [Thread.from_json(t) for t in data["threads"]]
        self.threads = {(t.event_key, t.notifier): t for t in threads}
        self.outbox = {}
        for row in data["outbox"]:
            alert = Alert.from_json(row["alert"])
            self.outbox[alert.id] = Queued(alert, datetime.fromisoformat(row["not_before"]))
