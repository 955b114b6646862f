"""Alert decisions: given an event decision, what does each notifier get, and when? PURE.

Per (event, notifier) there is one *thread*: the first alert is ``new`` (its id is the
thread's ``parent_id``); later ones are ``update`` (a Slack thread reply, an email digest
entry or short mail, a webhook POST only with ``updates = true``) or ``confirmed`` (once,
when an official source first reports the event: Slack edits the parent). One thread per
notifier whichever rule matched, so two rules routing to one channel still make one alert
per meeting; the thread's first rule owns the alert ids.

Outcomes per notifier:
- ``new`` / ``update`` / ``confirmed``: write ``alert`` to the outbox now;
- ``held``: quiet hours — write ``alert`` now with ``release_at`` as its not-before time
  (held, never dropped);
- ``folded``: a routine update inside the rule's ``realert`` window (or inside quiet
  hours): nothing now; the thread is due at ``release_at`` and ``flush_thread`` then sends
  one update covering everything since the last alert ("+12 reports, confirmed by ...").
  Status changes (scheduled -> held, -> cancelled) and confirmations are never folded;
- ``duplicate``: nothing new to say (the same item again, or nothing the desk was not
  told); ``silenced``: a ``[[silences]]`` entry matched (``reason`` names it);
  ``skipped``: the rule does not alert on this status yet, or updates are off.

Scheduled meetings: a rule whose ``statuses`` include ``scheduled`` alerts on the
announcement; when the meeting is then reported held, that is an immediate ``update``
(the ``held`` match rides on the alert, so a notifier may broadcast it). A rule that only
alerts on ``held`` sends its ``new`` alert when the event first turns held.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from monitor.events.headlines import by_labels, headline, update_text
from monitor.events.options import DEFAULT_REALERT_S, QuietHours, Silence
from monitor.events.record import EventDecision, EventRecord, EventReport, OfficialCountry
from monitor.events.threads import Announced, Thread
from monitor.model import Alert, AlertKind
from monitor.notifiers.base import NotifierOptions
from rules.base import RuleOptions

__all__ = [
    "UPDATES_OFF_BY_DEFAULT",
    "AlertDecision",
    "AlertRule",
    "Announced",
    "NotifierPolicy",
    "Outcome",
    "Thread",
    "decide_alerts",
    "flush_thread",
    "headline",
    "matching_silence",
    "update_text",
]

Outcome = Literal[
    "new", "update", "confirmed", "held", "folded", "duplicate", "silenced", "skipped"
]

# Notifier types that do not send updates unless ``updates = true``.
UPDATES_OFF_BY_DEFAULT = frozenset({"webhook"})


@dataclass(frozen=True, slots=True)
class AlertRule:
    """What alert decisions need from a rule."""

    id: str
    notify: tuple[str, ...]
    statuses: frozenset[str] | None = None  # None: alert whatever the status
    realert_s: float = DEFAULT_REALERT_S
    countries: tuple[str, ...] = ()  # listed first in headlines ("IN–CN" for an India desk)

    @classmethod
    def of(cls, options: RuleOptions) -> AlertRule:
        statuses = getattr(options, "statuses", None)
        countries = [*getattr(options, "countries", ()), *getattr(options, "any_countries", ())]
        return cls(
            id=options.id,
            notify=tuple(options.notify),
            statuses=frozenset(statuses) if statuses else None,
            realert_s=float(getattr(options, "realert", DEFAULT_REALERT_S)),
            countries=tuple(countries),
        )

    def alerts_on(self, status: str) -> bool:
        return self.statuses is None or status in self.statuses or status == "reported"


@dataclass(frozen=True, slots=True)
class NotifierPolicy:
    """What alert decisions need from a notifier's options."""

    name: str
    type: str
    updates: bool | None = None  # None: the type's default (UPDATES_OFF_BY_DEFAULT)
    quiet: QuietHours | None = None

    @classmethod
    def of(cls, name: str, options: NotifierOptions) -> NotifierPolicy:
        policy_of = getattr(options, "updates_policy", None)
        updates = policy_of() if callable(policy_of) else getattr(options, "updates", None)
        quiet_of = getattr(options, "quiet", None)
        return cls(
            name=name,
            type=options.type,
            updates=updates,
            quiet=quiet_of() if callable(quiet_of) else None,
        )

    @property
    def sends_updates(self) -> bool:
        if self.updates is not None:
            return self.updates
        return self.type not in UPDATES_OFF_BY_DEFAULT

    def open_at(self, when: datetime) -> datetime:
        return self.quiet.next_open(when) if self.quiet else when


@dataclass(frozen=True, slots=True)
class AlertDecision:
    """What one notifier gets from one event decision (or one flush)."""

    notifier: str
    outcome: Outcome
    reason: str
    alert: Alert | None = None  # to write to the outbox (not before ``release_at`` if held)
    release_at: datetime | None = None  # held: not before; folded: flush the thread then
    thread: Thread | None = None  # the thread state to store (None: unchanged)

    def log_fields(self) -> dict[str, Any]:
        """Fields for the ``alert.decided`` log line."""
        fields: dict[str, Any] = {
            "notifier": self.notifier,
            "outcome": self.outcome,
            "reason": self.reason,
        }
        if self.alert is not None:
            fields.update(
                alert_id=self.alert.id, kind=self.alert.kind, event_key=self.alert.event_key
            )
        if self.release_at is not None:
            fields["release_at"] = self.release_at.isoformat()
        return fields


def matching_silence(
    silences: Sequence[Silence],
    *,
    rule_id: str,
    notifier: str,
    event: EventRecord,
    report: EventReport | None,
    now: datetime,
) -> Silence | None:
    """The first active silence that selects this alert (all its selectors match)."""
    officials = {o.casefold() for o in event.officials}
    for silence in silences:
        if not silence.active(now):
            continue
        if silence.notifier and silence.notifier != notifier:
            continue
        if silence.rule and silence.rule != rule_id:
            continue
        if silence.party and silence.party not in event.parties:
            continue
        if silence.pair and silence.pair != "-".join(sorted(event.parties)):
            continue
        if silence.official and silence.official.casefold() not in officials:
            continue
        if silence.source and (report is None or report.ref.source_id != silence.source):
            continue
        return silence
    return None


def _alert(
    kind: AlertKind,
    *,
    notifier: str,
    rule_id: str,
    event: EventRecord,
    report: EventReport,
    seq: int,
    headline_text: str,
    parent_id: str | None,
    now: datetime,
) -> Alert:
    match = report.match
    if match.meeting is not None and match.meeting.meeting_date is None and event.date:
        # the detector leaves the date to the event layer: the alert says when it happened
        match = replace(match, meeting=replace(match.meeting, meeting_date=event.date))
    return Alert(
        id=Alert.make_id(notifier, rule_id, event.key, kind, seq),
        notifier=notifier,
        rule_id=rule_id,
        kind=kind,
        event_key=event.key,
        headline=headline_text,
        match=match,
        report=report.ref,
        created_at=now,
        report_count=event.report_count,
        confirmed_by=event.confirmed_by,
        parent_id=parent_id,
    )


def _send(
    kind: AlertKind,
    policy: NotifierPolicy,
    alert: Alert,
    thread: Thread,
    now: datetime,
    reason: str,
) -> AlertDecision:
    release = policy.quiet.release(now) if policy.quiet else None
    sent_at = release or now
    thread = replace(thread, last_sent_at=sent_at)
    if release is not None:
        return AlertDecision(
            policy.name, "held", f"{reason}; quiet hours until {release.isoformat()}",
            alert=alert, release_at=release, thread=thread,
        )  # fmt: skip
    return AlertDecision(policy.name, kind, reason, alert=alert, thread=thread)


def decide_alerts(
    decision: EventDecision,
    rule: AlertRule,
    notifiers: Mapping[str, NotifierPolicy],
    threads: Mapping[str, Thread],
    *,
    now: datetime,
    silences: Sequence[Silence] = (),
    official_country: OfficialCountry | None = None,
) -> list[AlertDecision]:
    """One or two decisions per notifier of ``rule`` (two when a report both changes the
    status and brings the first official confirmation). ``threads`` holds this event's
    existing threads by notifier name."""
    out: list[AlertDecision] = []
    for name in rule.notify:
        policy = notifiers.get(name)
        if policy is None:
            out.append(AlertDecision(name, "skipped", f"no notifier named {name!r}"))
            continue
        out.extend(
            _decide_one(decision, rule, policy, threads.get(name), now, silences, official_country)
        )
    return out


def _decide_one(
    decision: EventDecision,
    rule: AlertRule,
    policy: NotifierPolicy,
    thread: Thread | None,
    now: datetime,
    silences: Sequence[Silence],
    official_country: OfficialCountry | None,
) -> list[AlertDecision]:
    event, report, name = decision.event, decision.report, policy.name
    silence = matching_silence(
        silences, rule_id=rule.id, notifier=name, event=event, report=report, now=now
    )
    if silence is not None:
        return [AlertDecision(name, "silenced", silence.describe())]
    if thread is None:
        if not rule.alerts_on(event.status):
            return [
                AlertDecision(name, "skipped", f"rule {rule.id} does not alert on {event.status}")
            ]
        parent = _alert(
            "new", notifier=name, rule_id=rule.id, event=event, report=report, seq=0,
            headline_text=headline(event, rule.countries, official_country), parent_id=None,
            now=now,
        )  # fmt: skip
        fresh = Thread(
            event_key=event.key, notifier=name, rule_id=rule.id, parent_id=parent.id, seq=0,
            announced=Announced.of(event), last_sent_at=now,
            confirmed_sent=bool(event.confirmed_by),
        )  # fmt: skip
        return [_send("new", policy, parent, fresh, now, f"first alert for {event.key}")]
    if decision.action == "duplicate" and not _untold_change(thread, event):
        return [AlertDecision(name, "duplicate", f"{report.ref.item_key} already in {event.key}")]
    # (a duplicate whose status change or confirmation this thread has not heard of: another
    # rule filed the item first, for another notifier; tell this one too)
    return _follow_up(thread, event, report, rule, policy, now, official_country)


def _untold_change(thread: Thread, event: EventRecord) -> bool:
    """Has the event changed status, or been confirmed, since this thread last spoke?"""
    confirm = bool(event.confirmed_by) and not thread.confirmed_sent
    return confirm or event.status != thread.announced.status


def _follow_up(
    thread: Thread,
    event: EventRecord,
    report: EventReport,
    rule: AlertRule,
    policy: NotifierPolicy,
    now: datetime,
    official_country: OfficialCountry | None,
) -> list[AlertDecision]:
    name = policy.name
    current = Announced.of(event)
    if current == thread.announced:
        return [AlertDecision(name, "duplicate", "nothing the desk was not told")]
    if not policy.sends_updates:
        return [AlertDecision(name, "skipped", f"updates are off for {name}")]
    confirm = bool(event.confirmed_by) and not thread.confirmed_sent
    status_changed = event.status != thread.announced.status
    if not (confirm or status_changed):
        due = policy.open_at(max(now, thread.last_sent_at + timedelta(seconds=rule.realert_s)))
        if due > now:
            folded = replace(thread, flush_at=due)
            why = f"folded until {due.isoformat()} (realert {rule.realert_s:g}s / quiet hours)"
            return [AlertDecision(name, "folded", why, release_at=due, thread=folded)]
    out: list[AlertDecision] = []
    if status_changed or not confirm:
        seq = thread.seq + 1
        text = update_text(thread.announced, event, rule.countries)
        alert = _alert(
            "update", notifier=name, rule_id=thread.rule_id, event=event, report=report,
            seq=seq, headline_text=text, parent_id=thread.parent_id, now=now,
        )  # fmt: skip
        thread = replace(thread, seq=seq, announced=current, flush_at=None)
        out.append(
            _send(
                "update",
                policy,
                alert,
                thread,
                now,
                "status changed" if status_changed else "update",
            )
        )
        thread = out[-1].thread or thread
    if confirm:
        text = headline(event, rule.countries, official_country)
        text += f" — confirmed {by_labels(event.confirmed_by)}"
        alert = _alert(
            "confirmed", notifier=name, rule_id=thread.rule_id, event=event, report=report,
            seq=0, headline_text=text, parent_id=thread.parent_id, now=now,
        )  # fmt: skip
        thread = replace(thread, announced=current, confirmed_sent=True, flush_at=None)
        out.append(_send("confirmed", policy, alert, thread, now, "first official confirmation"))
    return out


def flush_thread(
    thread: Thread,
    event: EventRecord,
    rule: AlertRule,
    policy: NotifierPolicy,
    *,
    now: datetime,
    silences: Sequence[Silence] = (),
) -> AlertDecision:
    """Send the folded update of a thread whose ``flush_at`` has come (the scheduler calls
    this for due threads). The update covers everything since the last alert."""
    silence = matching_silence(
        silences, rule_id=thread.rule_id, notifier=policy.name, event=event, report=None, now=now
    )
    cleared = replace(thread, flush_at=None)
    if silence is not None:
        return AlertDecision(policy.name, "silenced", silence.describe(), thread=cleared)
    current = Announced.of(event)
    if current == thread.announced or not policy.sends_updates:
        return AlertDecision(policy.name, "duplicate", "nothing left to announce", thread=cleared)
    due = policy.open_at(max(now, thread.last_sent_at + timedelta(seconds=rule.realert_s)))
    if due > now:
        folded = replace(thread, flush_at=due)
        return AlertDecision(
            policy.name,
            "folded",
            f"not due before {due.isoformat()}",
            release_at=due,
            thread=folded,
        )
    seq = thread.seq + 1
    latest = event.reports[-1]
    alert = _alert(
        "update", notifier=policy.name, rule_id=thread.rule_id, event=event, report=latest,
        seq=seq, headline_text=update_text(thread.announced, event, rule.countries),
        parent_id=thread.parent_id, now=now,
    )  # fmt: skip
    after = replace(thread, seq=seq, announced=current, last_sent_at=now, flush_at=None)
    return AlertDecision(policy.name, "update", "folded updates due", alert=alert, thread=after)
