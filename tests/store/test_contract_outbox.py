"""The outbox contract on every backend: held rows (``not_before``), due rows for digests,
settling several rows at once, looking one row up (moved here from tests/delivery so they run
on SQLite and PostgreSQL alike; the SQLite upgrade test stays there)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.store import Store
from tests.delivery.conftest import numbered, queue

T0 = datetime(2024, 7, 4, 9, 0, tzinfo=UTC)


async def test_held_rows_are_not_due_before_not_before(store: Store) -> None:
    """A row queued with not_before is pending but not due until then; others are due."""
    a, b = numbered(1, created_at=T0), numbered(2, created_at=T0)
    release = T0 + timedelta(hours=8)
    await queue(store, a, b, not_before={b.id: release})
    head = await store.next_outbox("desk")
    assert head is not None and head.alert.id == a.id and head.due_at == T0
    rows = {r.alert.id: r for r in await store.outbox()}
    assert rows[b.id].not_before == release and rows[b.id].due_at == release
    assert rows[a.id].not_before is None
    due_now = await store.due_outbox("desk", now=T0 + timedelta(minutes=1), limit=10)
    assert [r.alert.id for r in due_now] == [a.id]
    later = await store.due_outbox("desk", now=release, limit=10)
    assert [r.alert.id for r in later] == [a.id, b.id]


async def test_due_rows_respect_retry_times_order_and_limit(store: Store) -> None:
    """due_outbox skips rows waiting for a retry, keeps creation order, honours the limit
    and the notifier."""
    alerts = [numbered(n, created_at=T0) for n in range(5)]
    other = numbered(9, created_at=T0, notifier="other")
    await queue(store, *alerts, other)
    await store.mark_retry(
        alerts[1].id, at=T0, next_attempt_at=T0 + timedelta(minutes=5), error="HTTP 503"
    )
    now = T0 + timedelta(minutes=1)
    due = await store.due_outbox("desk", now=now, limit=3)
    assert [r.alert.id for r in due] == [alerts[0].id, alerts[2].id, alerts[3].id]
    assert [r.alert.id for r in await store.due_outbox("other", now=now, limit=10)] == [other.id]


async def test_settling_many_rows_at_once(store: Store) -> None:
    """mark_*_many settle every listed pending row with one outcome and leave settled rows
    alone (a row already dead is not turned into sent)."""
    a, b, c, d = (numbered(n, created_at=T0) for n in range(4))
    await queue(store, a, b, c, d)
    await store.mark_dead(d.id, at=T0, error="invalid_payload")
    await store.mark_retry_many(
        [a.id, b.id], at=T0, next_attempt_at=T0 + timedelta(seconds=30), error="451 try later"
    )
    later = T0 + timedelta(minutes=1)
    await store.mark_sent_many([a.id, b.id, d.id], at=later, remote_id="<digest@x>")
    await store.mark_dead_many([c.id], at=later, error="550 no such user")
    rows = {r.alert.id: r for r in await store.outbox(limit=10)}
    assert [(rows[i].state, rows[i].attempts, rows[i].remote_id) for i in (a.id, b.id)] == [
        ("sent", 2, "<digest@x>"),
        ("sent", 2, "<digest@x>"),
    ]
    assert rows[a.id].first_failed_at == T0 and rows[a.id].last_error is None
    assert (rows[c.id].state, rows[c.id].last_error) == ("dead", "550 no such user")
    assert (rows[d.id].state, rows[d.id].remote_id) == ("dead", None)
    assert await store.alert_remote_id(b.id) == "<digest@x>"


async def test_outbox_row_finds_any_state(store: Store) -> None:
    """outbox_row returns the row of an alert whatever its state, None for an unknown id."""
    a, b = numbered(1, created_at=T0), numbered(2, created_at=T0)
    await queue(store, a, b)
    await store.mark_sent(a.id, at=T0, remote_id="C1:1.2")
    row = await store.outbox_row(a.id)
    assert row is not None and (row.state, row.remote_id, row.alert) == ("sent", "C1:1.2", a)
    pending = await store.outbox_row(b.id)
    assert pending is not None and pending.state == "pending"
    assert await store.outbox_row("no-such-alert") is None


async def test_requeue_dead_letters_by_notifier_or_id(store: Store) -> None:
    """Dead rows go back to pending, due now, attempts and the retry_for clock reset; pending
    and sent rows, other notifiers and unlisted ids are left alone."""
    a, b, c = (numbered(n, created_at=T0) for n in range(3))
    other = numbered(9, created_at=T0, notifier="other")
    sent = numbered(5, created_at=T0)
    await queue(store, a, b, c, other, sent)
    await store.mark_retry(a.id, at=T0, next_attempt_at=T0 + timedelta(seconds=30), error="503")
    await store.mark_dead_many([a.id, b.id, other.id], at=T0, error="channel_not_found")
    await store.mark_sent(sent.id, at=T0, remote_id="1.1")
    now = T0 + timedelta(hours=2)

    assert await store.requeue_dead(now=now, alert_ids=[b.id, c.id, sent.id]) == 1
    assert await store.requeue_dead(now=now, notifier="desk") == 1  # a; b is pending already
    assert await store.requeue_dead(now=now, notifier="desk") == 0
    rows = {r.alert.id: r for r in await store.outbox(limit=10)}
    for alert in (a, b):
        row = rows[alert.id]
        assert (row.state, row.attempts, row.first_failed_at) == ("pending", 0, None)
        assert row.next_attempt_at == now and row.last_error == "channel_not_found"
    assert rows[c.id].state == "pending" and rows[c.id].attempts == 0
    assert rows[sent.id].state == "sent" and rows[other.id].state == "dead"
    head = await store.next_outbox("desk")
    assert head is not None and head.alert.id == a.id  # delivered in creation order again
    assert await store.requeue_dead(now=now) == 1  # every notifier: the "other" row
    assert await store.requeue_dead(now=now, alert_ids=[]) == 0
