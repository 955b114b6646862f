"""The outbox worker delivering to the Slack stand-in on 127.0.0.1: a rate-limited burst,
an outage, threads (parent sent, retrying, dead), held rows, Retry-After across a restart of
the worker, and dead letters."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from monitor import render
from monitor.delivery import DrainReport
from monitor.net.client import Http
from monitor.store import Store
from tests.conftest import captured_logs
from tests.delivery.conftest import (
    delivered_count,
    numbered,
    numbers,
    queue,
    reply_to,
    slack_notifier,
    wait_until,
    worker_for,
)
from tests.notifiers.slack_standin import (
    CHANNEL_ID,
    RateLimit,
    Reply,
    SlackStandIn,
    html_error_page,
    reply_from_http_file,
)

JSON = {"Content-Type": "application/json; charset=utf-8"}


def slack_error(code: str) -> Reply:
    """The Web API's answer to a refused call: HTTP 200, ok=false, the code."""
    return Reply(200, json.dumps({"ok": False, "error": code}).encode(), JSON)


async def test_burst_is_delivered_once_in_order_honouring_every_429(
    store: Store, http: Http, slack_env: SlackStandIn
) -> None:
    """100 alerts to one channel (bot mode), paced 20 ms apart, against a stand-in that takes
    15 messages per second and answers Slack's 429 with Retry-After: 1 beyond that: all 100
    arrive exactly once, in order, and no request came inside an announced Retry-After
    window. (The same at Slack's real 1 msg/s is the `delivery` benchmark.)"""
    slack = slack_env
    # 15 a second: reached even when a loaded machine sends at a third of the 50/s pacing
    slack.rate = RateLimit(limit=15, window_s=1.0, retry_after_s=1)
    await queue(store, *(numbered(n) for n in range(100)))
    notifier = slack_notifier(http, slack)
    report = await worker_for(store, notifier, notifier.options).drain(deadline_s=40)
    assert report == DrainReport(sent=100, dead=0, pending=0)
    assert numbers(slack.texts(delivered=True)) == list(range(100))
    assert len(slack.limited) >= 2  # the limit was really reached, more than once
    assert slack.violations() == []
    # Paced: 130-odd requests 20 ms apart plus the 1 s pauses cannot take less than this
    # (single gaps, measured on arrival, jitter with the shared event loop).
    span = slack.received[-1].at - slack.received[0].at
    assert span >= 0.02 * (len(slack.received) - 1 - len(slack.limited)) + len(slack.limited) * 1.0
    rows = await store.outbox(limit=200)
    assert all(r.state == "sent" for r in rows)
    assert len({r.remote_id for r in rows}) == 100
    assert all(r.remote_id and r.remote_id.startswith(f"{CHANNEL_ID}:") for r in rows)


async def test_outage_then_recovery_delivers_everything_once_in_order(
    store: Store, http: Http, slack_env: SlackStandIn
) -> None:
    """Slack unreachable (connection refused), then answering 500 pages, then back: every
    alert arrives exactly once (alerts of different events do not wait for each other's
    retries); one delivery.failing and one delivery.recovered line."""
    slack = slack_env
    notifier = slack_notifier(http, slack, bot=False)  # incoming-webhook mode
    await slack.down()
    await queue(store, *(numbered(n) for n in range(5)))
    worker = worker_for(store, notifier, notifier.options)

    async def head_failed_three_times() -> bool:
        row = await store.next_outbox("desk")
        return row is not None and row.attempts >= 3

    with captured_logs() as logs:
        worker.start()
        await wait_until(head_failed_three_times)
        slack.then(html_error_page(), html_error_page())
        await slack.up()
        await wait_until(lambda: len(slack.texts(delivered=True)) == 5)
        await asyncio.sleep(0.1)  # nothing more is sent
        await worker.stop(grace_s=1)
    assert sorted(numbers(slack.texts(delivered=True))) == [0, 1, 2, 3, 4]  # each once
    assert len(slack.texts()) == 7  # and the 2 answered with error pages
    events = [e["event"] for e in logs]
    assert events.count("delivery.failing") == 1 and events.count("delivery.recovered") == 1
    rows = await store.outbox()
    assert all(r.state == "sent" for r in rows)
    assert rows[0].attempts >= 3


async def test_thread_replies_and_confirmation_use_the_parents_ts(
    store: Store, http: Http, slack_env: SlackStandIn
) -> None:
    """An update is a reply under the parent's ts; a confirmation edits the parent
    (chat.update with its channel id and ts) and replies in the thread."""
    slack = slack_env
    parent = numbered(1)
    await queue(store, parent, reply_to(parent, "update"), reply_to(parent, "confirmed", 2))
    notifier = slack_notifier(http, slack)
    report = await worker_for(store, notifier, notifier.options).drain(deadline_s=5)
    assert report.sent == 3
    parent_remote = await store.alert_remote_id(parent.id)
    assert parent_remote is not None
    channel, ts = parent_remote.split(":")
    calls = [(r.path, r.json.get("thread_ts"), r.json.get("ts")) for r in slack.received]
    assert calls == [
        ("/api/chat.postMessage", None, None),
        ("/api/chat.postMessage", ts, None),
        ("/api/chat.update", None, ts),
        ("/api/chat.postMessage", ts, None),
    ]
    assert slack.received[2].json["channel"] == channel == CHANNEL_ID


async def test_update_waits_behind_a_retrying_parent(
    store: Store, http: Http, slack_env: SlackStandIn
) -> None:
    """While the parent is being retried (500s) the update is not sent; once the parent is
    posted the update goes as a reply under it."""
    slack = slack_env
    slack.then(html_error_page(), html_error_page())
    parent = numbered(1)
    await queue(store, parent, reply_to(parent, "update"))
    notifier = slack_notifier(http, slack)
    report = await worker_for(store, notifier, notifier.options).drain(deadline_s=5)
    assert report.sent == 2
    kinds = [r.json.get("thread_ts") for r in slack.received]
    remote = await store.alert_remote_id(parent.id)
    assert remote is not None
    assert kinds == [None, None, None, remote.split(":")[1]]


async def test_update_of_a_dead_parent_goes_top_level(
    store: Store, http: Http, slack_env: SlackStandIn
) -> None:
    """When the parent was dead-lettered, its update is posted top-level as a full message
    (no thread_ts), not lost and not stuck."""
    slack = slack_env
    slack.then(slack_error("invalid_blocks"))
    parent = numbered(1)
    update = reply_to(parent, "update")
    await queue(store, parent, update)
    notifier = slack_notifier(http, slack)
    report = await worker_for(store, notifier, notifier.options).drain(deadline_s=5)
    assert (report.sent, report.dead) == (1, 1)
    top = slack.received[1].json
    assert "thread_ts" not in top and top["text"] == render.slack_message(update)["text"]
    assert top["blocks"] == render.slack_message(update)["blocks"]


async def test_held_row_is_not_sent_before_not_before_and_later_rows_wait(
    store: Store, http: Http, slack_env: SlackStandIn
) -> None:
    """A row held until not_before is sent then, not earlier; rows of other events queued
    after it do not wait for it (order is kept within an event, not across events)."""
    slack = slack_env
    a, b, c = numbered(1), numbered(2), numbered(3)
    release = datetime.now(UTC) + timedelta(seconds=0.4)
    await queue(store, a, b, c, not_before={b.id: release})
    notifier = slack_notifier(http, slack)
    report = await worker_for(store, notifier, notifier.options).drain(deadline_s=5)
    assert report.sent == 3
    assert numbers(slack.texts()) == [1, 3, 2]
    loop_now = asyncio.get_running_loop().time()
    wall_now = datetime.now(UTC)
    release_mono = loop_now - (wall_now - release).total_seconds()
    assert slack.received[2].at >= release_mono - 0.005
    row = await store.outbox_row(b.id)
    assert row is not None and row.sent_at is not None and row.sent_at >= release


async def test_retry_after_survives_a_restart_of_the_worker(
    store: Store, http: Http, slack_env: SlackStandIn
) -> None:
    """A 429's Retry-After is stored with the row: a new worker (as after a restart) does
    not send before it has passed, then delivers."""
    slack = slack_env
    slack.then(reply_from_http_file("web_api_429_ratelimited.http"))  # retry-after: 1
    await queue(store, numbered(1))
    notifier = slack_notifier(http, slack)
    first = worker_for(store, notifier, notifier.options)
    first.start()
    await wait_until(lambda: len(slack.received) == 1 and slack.received[0].status == 429)
    await asyncio.sleep(0.05)
    await first.stop(grace_s=0.1)
    second = worker_for(store, slack_notifier(http, slack), notifier.options)
    assert (await second.drain(deadline_s=5)).sent == 1
    assert len(slack.received) == 2 and slack.violations() == []
    assert slack.received[1].at - slack.received[0].at >= 1.0


@pytest.mark.parametrize(
    ("bot", "answer", "code"),
    [
        (False, Reply(400, b"invalid_payload", {"Content-Type": "text/plain"}), "invalid_payload"),
        (True, slack_error("channel_not_found"), "channel_not_found"),
    ],
)
async def test_permanent_error_is_one_dead_letter_and_later_alerts_flow(
    store: Store, http: Http, slack_env: SlackStandIn, bot: bool, answer: Reply, code: str
) -> None:
    """invalid_payload (webhook) / channel_not_found (bot): the alert is tried once, becomes
    dead with one delivery.dead error line and the metric; the next alerts are delivered."""
    slack = slack_env
    slack.then(answer)
    alerts = [numbered(n) for n in range(3)]
    await queue(store, *alerts)
    notifier = slack_notifier(http, slack, bot=bot)
    dead_before = delivered_count("desk", "dead")
    with captured_logs() as logs:
        report = await worker_for(store, notifier, notifier.options).drain(deadline_s=5)
    assert (report.sent, report.dead, report.pending) == (2, 1, 0)
    assert len(slack.received) == 3  # one attempt for the dead one: no loop
    assert numbers(slack.texts(delivered=True)) == [1, 2]
    dead = [e for e in logs if e["event"] == "delivery.dead"]
    assert len(dead) == 1
    line = dead[0]
    assert (line["log_level"], line["notifier"], line["alert_id"]) == (
        "error",
        "desk",
        alerts[0].id,
    )
    assert code in line["reason"]
    assert delivered_count("desk", "dead") == dead_before + 1
    row = await store.outbox_row(alerts[0].id)
    assert row is not None and row.state == "dead" and row.attempts == 1
    assert code in (row.last_error or "")
