"""Routing through the daemon's wiring: an alert a notifier does not accept is never queued
for it, while the notifiers that take it get it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from monitor import daemon
from monitor.contracts import HttpSettings, SourceCursor
from monitor.model import Alert, Item, ReportRef
from monitor.notifiers.slack import SlackOptions
from monitor.pipeline import DecideContext, RoutedMatch
from monitor.settings import MonitorSettings, Settings
from monitor.store.base import Transaction
from rules.keyword import KeywordOptions
from tests.delivery.conftest import SLACK_TOKEN_ENV, SLACK_WEBHOOK_ENV, reply_to
from tests.notifiers.slack_standin import SlackStandIn


async def new_and_update(
    tx: Transaction, matches: Sequence[RoutedMatch], ctx: DecideContext
) -> list[Alert]:
    """A decision hook (as event clustering will be) that sends each match as a "new" alert
    and an "update" of it to every notifier of the rule."""
    alerts = []
    for routed in matches:
        m = routed.match
        for name in routed.rule.notify:
            new = Alert(
                id=Alert.make_id(name, m.rule_id, m.key, "new"),
                notifier=name,
                rule_id=m.rule_id,
                kind="new",
                event_key=m.key,
                headline=m.summary,
                match=m,
                report=ReportRef.of(routed.item),
                created_at=ctx.now,
            )
            alerts += [new, reply_to(new, "update")]
    return alerts


async def test_alerts_a_notifier_does_not_accept_are_not_queued(
    tmp_path: Path, slack_env: SlackStandIn
) -> None:
    """An "update" is not queued for a Slack webhook notifier (it cannot thread; updates are
    off by default there) but is for a bot-mode one; "new" alerts go to both."""
    slack = slack_env
    settings = Settings(
        path=tmp_path / "settings.toml",
        monitor=MonitorSettings(
            state=f"sqlite:///{tmp_path / 'state.db'}",
            allow_private_networks=True,
            http=HttpSettings(allow_private_networks=True),
        ),
        rules=(
            KeywordOptions(id="kw", type="keyword", any=["Jaishankar"], notify=["hook", "bot"]),
        ),
        notifiers={
            "hook": SlackOptions(type="slack", webhook_url_env=SLACK_WEBHOOK_ENV),
            "bot": SlackOptions(
                type="slack", token_env=SLACK_TOKEN_ENV, channel="#desk", api_url=slack.api_url
            ),
        },
    )
    item = Item(
        id="i1",
        source_id="push",
        title="Jaishankar meets Wang Yi",
        text="",
        published_at=datetime.now(UTC),
    )
    async with daemon.open_runtime(settings, decide_fn=new_and_update) as rt:
        outcome = await rt.pipeline.process_items("push", [item], SourceCursor())
        rows = await rt.store.outbox()
    assert sorted((r.notifier, r.alert.kind) for r in rows) == [
        ("bot", "new"),
        ("bot", "update"),
        ("hook", "new"),
    ]
    assert len(outcome.alerts) == 3
