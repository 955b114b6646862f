"""The delivery order contract, against a real webhook receiver on loopback: order is kept
within an event (an update after its parent), not across events, so one failing alert
holds nothing else; a failing alert is dead at its deadline (first failure + retry_for), not
at whatever attempt comes next; pacing is per destination, shared by notifiers sending
there."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from monitor.contracts import HttpSettings
from monitor.delivery import DeliveryWorker
from monitor.net.client import Http
from monitor.notifiers.webhook import WebhookNotifier, WebhookOptions
from monitor.store import Store
from tests.core.test_delivery import make_alert
from tests.delivery.conftest import numbered, queue, slack_notifier, wait_until, worker_for
from tests.faults.harness import Receiver
from tests.notifiers.slack_standin import Reply, SlackStandIn


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[Http]:
    """No edge retries: every POST the receiver counts is one delivery attempt."""
    client = Http(HttpSettings(allow_private_networks=True, timeout=5), retry_attempts=1)
    yield client
    await client.aclose()


def hook(
    http: Http, receiver: Receiver, name: str = "desk", **options: Any
) -> tuple[WebhookNotifier, WebhookOptions]:
    opts = WebhookOptions(type="webhook", url=f"{receiver.url}/{name}", updates=True, **options)
    return WebhookNotifier(name, opts, http), opts


async def test_a_failing_alert_holds_no_other_event_and_is_dead_at_its_deadline(
    store: Store, http: Http, receiver: Receiver, record_property: Any
) -> None:
    """Alert A always gets 500: B and C (other events) go out meanwhile, once each; A is
    dead-lettered at first failure + retry_for (2 s), within a second, although its next
    backoff step (10 s) lies far beyond."""
    a, b, c = make_alert(1), make_alert(2), make_alert(3)
    receiver.status_for = lambda alert_id: 500 if alert_id == a.id else 200
    await queue(store, a, b, c)
    worker = DeliveryWorker(
        store, {"desk": hook(http, receiver, retry_for=2.0)}, retry_base_s=10, retry_cap_s=10
    )
    worker.start()
    try:

        async def a_is_dead() -> bool:
            row = await store.outbox_row(a.id)
            return row is not None and row.state == "dead"

        await wait_until(lambda: sorted(receiver.delivered()) == sorted([b.id, c.id]), 10)
        await wait_until(a_is_dead, 10)
        dead_at = time.monotonic()
    finally:
        await worker.stop(grace_s=1)
    first_failure = next(t for alert_id, _, t in receiver.answers if alert_id == a.id)
    assert 2.0 - 0.3 <= dead_at - first_failure <= 2.0 + 1.0
    record_property(
        "measured",
        f"dead {dead_at - first_failure:.2f} s after the first failure"
        " (retry_for 2 s, next backoff step 10 s); 2 other events not held",
    )
    assert receiver.delivered() == [b.id, c.id]
    # One attempt: the next (10 s on) lay past the deadline, so the deadline ended it.
    assert [x for x, _, _ in receiver.answers].count(a.id) == 1
    row = await store.outbox_row(a.id)
    assert row is not None and row.last_error and "gave up after retrying" in row.last_error


async def test_an_update_waits_for_its_parent_while_other_events_pass(
    store: Store, http: Http, receiver: Receiver
) -> None:
    """The "new" alert of event 1 fails twice; its update (same event) is never sent before
    the parent went through, while event 2's alert, queued last, is not held."""
    parent = make_alert(1)
    update = make_alert(1, parent_id=parent.id)
    other = make_alert(2)
    failures = {parent.id: 2}

    def status(alert_id: str) -> int:
        if failures.get(alert_id, 0) > 0:
            failures[alert_id] -= 1
            return 503
        return 200

    receiver.status_for = status
    await queue(store, parent, update, other)
    worker = DeliveryWorker(
        store, {"desk": hook(http, receiver)}, retry_base_s=0.3, retry_cap_s=0.3
    )
    report = await worker.drain(deadline_s=10)
    assert report.sent == 3 and report.pending == 0
    assert receiver.delivered() == [other.id, parent.id, update.id]
    posted = [x for x, _, _ in receiver.answers]
    assert posted.index(update.id) > max(i for i, x in enumerate(posted) if x == parent.id)


async def test_a_slack_429_past_the_deadline_dead_letters_at_the_deadline(
    store: Store, http: Http, slack_env: SlackStandIn, record_property: Any
) -> None:
    """Slack answers the first message 429 with a Retry-After (3 s) reaching past its
    ``retry_for`` (1 s): that alert is dead at its deadline, not when the pause ends; the
    other event's alert is neither dead-lettered with it nor sent inside the pause."""
    slack = slack_env
    throttled, other = numbered(1), numbered(2)
    body = b'{"ok":false,"error":"ratelimited"}'
    slack.then(Reply(429, body, {"Retry-After": "3", "Content-Type": "application/json"}))
    await queue(store, throttled, other)
    notifier = slack_notifier(http, slack)
    worker = worker_for(store, notifier, notifier.options.model_copy(update={"retry_for": 1.0}))
    dead_at: list[float] = []

    async def settled() -> bool:
        row = await store.outbox_row(throttled.id)
        if row is not None and row.state == "dead" and not dead_at:
            dead_at.append(time.monotonic())
        return bool(dead_at) and len(slack.texts(delivered=True)) == 1

    drained = asyncio.create_task(worker.drain(deadline_s=10))
    try:
        await wait_until(settled, 10)
    finally:
        report = await drained
    first_429 = slack.received[0].at
    assert report.sent == 1 and report.dead == 1 and report.pending == 0, report
    assert 1.0 - 0.3 <= dead_at[0] - first_429 <= 1.0 + 0.5, dead_at[0] - first_429
    assert [r.status for r in slack.received] == [429, 200]
    assert slack.received[1].at - first_429 >= 3.0 - 0.01  # the pause still held for it
    assert slack.violations() == []
    record_property(
        "measured",
        f"Slack 429 (Retry-After 3 s, retry_for 1 s): dead "
        f"{dead_at[0] - first_429:.2f} s after it; the other event sent "
        f"{slack.received[1].at - first_429:.2f} s after it",
    )


async def test_pacing_is_per_destination_not_per_notifier(
    store: Store, http: Http, receiver: Receiver
) -> None:
    """Two webhook notifiers on one receiving host share its pace (min_interval 0.2 s
    between any two of their POSTs); their alerts interleave rather than doubling the rate."""
    one, two = (
        hook(http, receiver, "one", min_interval=0.2),
        hook(http, receiver, "two", min_interval=0.2),
    )
    alerts = [make_alert(n, notifier="one") for n in range(3)]
    alerts += [make_alert(n, notifier="two") for n in range(3)]
    await queue(store, *alerts)
    report = await DeliveryWorker(store, {"one": one, "two": two}).drain(deadline_s=10)
    assert report.sent == 6
    times = sorted(t for _, _, t in receiver.answers)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.19, gaps
    assert one[0].destination == two[0].destination


async def test_different_destinations_are_not_paced_together(
    store: Store, http: Http, receiver: Receiver
) -> None:
    """Notifiers to different hosts keep their own pace: the destination key names the
    host (and never the URL's path, which may hold a token)."""
    mine = WebhookNotifier(
        "a", WebhookOptions(type="webhook", url=f"{receiver.url}/hook/s3cr3tpath"), http
    )
    other = WebhookNotifier(
        "b", WebhookOptions(type="webhook", url="http://localhost:9/hook/s3cr3tpath"), http
    )
    assert mine.destination != other.destination
    assert "s3cr3t" not in mine.destination + other.destination
    await asyncio.sleep(0)
