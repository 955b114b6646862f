"""A store-backed pipeline for event tests: the scenario's notifiers as configured, a clock
the test moves, and arrival schedules for the scenario's items."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.contracts import SourceCursor
from monitor.events.alerts import NotifierPolicy
from monitor.events.options import Silence
from monitor.model import Alert, Item, Match
from monitor.notifiers.base import NotifierOptions
from monitor.notifiers.email import EmailOptions
from monitor.notifiers.slack import SlackOptions
from monitor.notifiers.webhook import WebhookOptions
from monitor.pipeline import Pipeline
from monitor.pipeline.decide import EventDecide
from monitor.store import Store, open_store
from rules.base import Rule
from tests.events.factory import at
from tests.events.scenario import OFFICIALS, scenario_rule

# The notifiers of the scenario as configured: real option models, so the policy the
# decisions use is the one the settings loader would build.
OPTIONS: dict[str, NotifierOptions] = {
    "desk-slack": SlackOptions(type="slack", token_env="SLACK_BOT_TOKEN", channel="#desk"),
    "desk-mail": EmailOptions.model_validate(
        {"type": "email", "host": "127.0.0.1", "from": "bilat@example.org", "to": ["d@x.org"]}
    ),
    "partner-hook": WebhookOptions(type="webhook", url="https://hooks.example.org/bilat"),
}
POLICIES = {name: NotifierPolicy.of(name, options) for name, options in OPTIONS.items()}


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Desk:
    """A store-backed pipeline with the scenario's rule and a clock the test moves."""

    store: Store
    pipeline: Pipeline
    clock: Clock
    closed: bool = False

    async def close(self) -> None:
        """Close the store (a restart, when the test opens another desk on it)."""
        if not self.closed:
            self.closed = True
            await self.store.close()

    async def feed(self, it: Item, now: datetime) -> None:
        """The scheduler's tick, then the item as one pushed batch, at ``now``."""
        self.clock.now = now
        await self.pipeline.flush_due()
        await self.pipeline.process_items(it.source_id, [it], SourceCursor(cursor=it.id))

    async def alerts(self) -> dict[str, Alert]:
        return {row.alert.id: row.alert for row in await self.store.outbox(limit=10_000)}

    async def kinds(self, notifier: str) -> Counter[str]:
        return Counter(a.kind for a in (await self.alerts()).values() if a.notifier == notifier)


async def open_desk_at(
    url: str,
    *,
    rule: Rule | None = None,
    silences: Sequence[Silence] = (),
    policies: dict[str, NotifierPolicy] = POLICIES,
    backfill_s: float = 86400,
) -> Desk:
    store = await open_store(url)
    rule = rule or scenario_rule()
    clock = Clock(at(0))
    decide = EventDecide(
        rules=[rule.options], notifiers=policies, silences=silences, officials=OFFICIALS
    )
    pipeline = Pipeline(
        store,
        [rule],
        notifiers=frozenset(policies),
        backfill_s=backfill_s,
        decide=decide,
        clock=clock,
    )
    return Desk(store, pipeline, clock)


def live(order: Sequence[tuple[Item, Match]]) -> list[tuple[Item, datetime]]:
    """Each item arrives two minutes after it was published."""
    return [(it, it.published_at + timedelta(minutes=2)) for it, _ in order]  # type: ignore[operator]


def backlog(order: Sequence[tuple[Item, Match]]) -> list[tuple[Item, datetime]]:
    """A backlog arriving three minutes apart in the given order, after every publication."""
    return [(it, at(80) + timedelta(minutes=3 * i)) for i, (it, _) in enumerate(order)]
