"""Fixtures and helpers for the end-to-end delivery tests: the outbox store, the loopback
servers shared with tests/notifiers, and small builders for workers and alerts.

``store`` is the one place a test gets its store: store-level tests use only the ``Store``
interface, so another implementation (PostgreSQL) can be added here as a parameter.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY

from monitor.delivery import DeliveryWorker
from monitor.model import Alert
from monitor.net.client import Http
from monitor.notifiers.base import Notifier, NotifierOptions
from monitor.notifiers.slack import SlackNotifier, SlackOptions
from monitor.store import Store, open_store
from tests.notifiers.alerts import meeting_alert
from tests.notifiers.servers import cert, http, slack, smtp
from tests.notifiers.slack_standin import TOKEN, SlackStandIn

__all__ = ["cert", "http", "slack", "smtp"]

SLACK_WEBHOOK_ENV = "BILAT_TEST_DELIVERY_SLACK_WEBHOOK"
SLACK_TOKEN_ENV = "BILAT_TEST_DELIVERY_SLACK_TOKEN"
_NUMBER = re.compile(r"Alert (\d{3})")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """An empty store (SQLite file in the test's directory)."""
    s = await open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield s
    await s.close()


@pytest.fixture
def slack_env(monkeypatch: pytest.MonkeyPatch, slack: SlackStandIn) -> SlackStandIn:
    """The stand-in's webhook URL and bot token in the environment, where config names them."""
    monkeypatch.setenv(SLACK_WEBHOOK_ENV, slack.webhook_url)
    monkeypatch.setenv(SLACK_TOKEN_ENV, TOKEN)
    return slack


def numbered(n: int, *, created_at: datetime | None = None, **overrides: Any) -> Alert:
    """A meeting alert headlined "Alert 007" (its own event), to "desk"."""
    return meeting_alert(
        headline=f"Alert {n:03d}",
        event_key=f"ev-{n}",
        created_at=created_at or datetime.now(UTC) - timedelta(seconds=1),
        **overrides,
    )


def reply_to(parent: Alert, kind: str, seq: int = 1) -> Alert:
    """An "update"/"confirmed" alert of ``parent``'s event, to the same notifier."""
    return replace(
        parent,
        id=Alert.make_id(parent.notifier, parent.rule_id, parent.event_key, kind, seq),
        kind=kind,  # type: ignore[arg-type]
        parent_id=parent.id,
        report_count=13,
        confirmed_by=("MEA",) if kind == "confirmed" else (),
    )


def numbers(texts: list[str]) -> list[int]:
    """The alert numbers in received message texts, in order."""
    out = []
    for text in texts:
        m = _NUMBER.search(text)
        assert m, f"not one of our alerts: {text!r}"
        out.append(int(m.group(1)))
    return out


async def queue(
    store: Store, *alerts: Alert, not_before: Mapping[str, datetime] | None = None
) -> None:
    async with store.transaction() as tx:
        await tx.add_alerts(list(alerts), not_before=not_before)


def slack_notifier(
    http: Http, slack: SlackStandIn, *, bot: bool = True, **options: Any
) -> SlackNotifier:
    values: dict[str, Any] = {"type": "slack", "min_interval": 0.02, "timeout": 2}
    if bot:
        values |= {"token_env": SLACK_TOKEN_ENV, "channel": "#desk", "api_url": slack.api_url}
    else:
        values |= {"webhook_url_env": SLACK_WEBHOOK_ENV}
    return SlackNotifier("desk", SlackOptions.model_validate(values | options), http)


def worker_for(
    store: Store, notifier: Notifier, options: NotifierOptions, **kw: Any
) -> DeliveryWorker:
    """A worker for one notifier, with fast retries (50 ms, capped at 200 ms)."""
    kw = {"retry_base_s": 0.05, "retry_cap_s": 0.2} | kw
    return DeliveryWorker(store, {notifier.name: (notifier, options)}, **kw)


async def wait_until(
    predicate: Callable[[], bool | Awaitable[bool]], limit_s: float = 10.0
) -> None:
    """Poll ``predicate`` (plain or async) until it holds; fail after ``limit_s``."""
    deadline = time.monotonic() + limit_s
    while True:
        result = predicate()
        if await result if inspect.isawaitable(result) else result:
            return
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


def delivered_count(notifier: str, outcome: str) -> float:
    """The value of bilat_deliveries_total{notifier, outcome} in this process."""
    value = REGISTRY.get_sample_value(
        "bilat_deliveries_total", {"notifier": notifier, "outcome": outcome}
    )
    return value or 0.0
