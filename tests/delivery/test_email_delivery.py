"""The outbox worker delivering by email to a real SMTP server (aiosmtpd) on 127.0.0.1:
refusals, dropped connections, timeouts, digests (one mail per window, crash-safe) and the
STARTTLS + AUTH path."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from monitor.delivery import DeliveryWorker
from monitor.notifiers.email import EmailNotifier, EmailOptions
from monitor.store import Store
from tests.conftest import captured_logs
from tests.delivery.conftest import numbered, queue, reply_to, wait_until, worker_for
from tests.notifiers.servers import MakeServer
from tests.notifiers.smtp_server import PASSWORD, USER, Behaviour, SmtpServer, server_tls_context

PASSWORD_ENV = "BILAT_TEST_DELIVERY_SMTP_PASSWORD"


def mailer(port: int, **options: Any) -> EmailNotifier:
    values: dict[str, Any] = {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "from": "bilat <alerts@desk.example.org>",
        "to": ["desk@example.org"],
        "timeout": 2,
    }
    return EmailNotifier("desk", EmailOptions.model_validate(values | options))


def worker(store: Store, notifier: EmailNotifier, **kw: Any) -> DeliveryWorker:
    return worker_for(store, notifier, notifier.options, **kw)


def mails(server: SmtpServer) -> list[EmailMessage]:
    out = []
    for envelope in server.recorder.mails:
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        out.append(message)
    return out


def text_of(message: EmailMessage) -> str:
    plain = message.get_body(("plain",))
    assert plain is not None
    return str(plain.get_content())


async def test_recipient_refused_is_a_dead_letter_and_later_mail_flows(
    store: Store, smtp: MakeServer
) -> None:
    """A 550 refusal of the recipient dead-letters the alert after one attempt with one
    delivery.dead line; the next alert is mailed once the address is fixed."""
    server = await smtp(Behaviour(rcpt_reply="550 5.1.1 <desk@example.org>: no such user"))
    notifier = mailer(server.port)
    first = numbered(1)
    await queue(store, first)
    with captured_logs() as logs:
        report = await worker(store, notifier).drain(deadline_s=5)
    assert (report.sent, report.dead) == (0, 1)
    dead = [e for e in logs if e["event"] == "delivery.dead"]
    assert len(dead) == 1 and dead[0]["alert_id"] == first.id
    assert "550 5.1.1" in dead[0]["reason"]
    row = await store.outbox_row(first.id)
    assert row is not None and (row.state, row.attempts) == ("dead", 1)
    server.recorder.behaviour = Behaviour()
    await queue(store, numbered(2))
    assert (await worker(store, notifier).drain(deadline_s=5)).sent == 1
    assert [m["Subject"] for m in mails(server)] == ["Alert 002"]


async def test_dropped_connection_is_retried_until_the_mail_is_accepted(
    store: Store, smtp: MakeServer
) -> None:
    """The server closing the connection during DATA is transient: the row is retried and
    the mail arrives exactly once."""
    server = await smtp(Behaviour(drop_on_data=True))
    alert = numbered(1)
    await queue(store, alert)
    w = worker(store, mailer(server.port))
    w.start()

    async def failed_once() -> bool:
        row = await store.outbox_row(alert.id)
        return row is not None and row.attempts >= 1

    await wait_until(failed_once)
    server.recorder.behaviour = Behaviour()
    await wait_until(lambda: len(server.recorder.mails) == 1)
    await asyncio.sleep(0.3)
    await w.stop(grace_s=1)
    assert len(server.recorder.mails) == 1
    row = await store.outbox_row(alert.id)
    assert row is not None and row.state == "sent" and row.attempts >= 2
    assert row.remote_id == mails(server)[0]["Message-ID"]


async def test_timeout_is_retried_with_the_same_message_id(store: Store, smtp: MakeServer) -> None:
    """A server that does not answer within the timeout is retried; the retried mail keeps
    its Message-ID, so if the slow server accepted the first one too, readers' mail clients
    see one message."""
    server = await smtp(Behaviour(stall_s=1.0))
    alert = numbered(1)
    await queue(store, alert)
    w = worker(store, mailer(server.port, timeout=0.3))
    w.start()

    async def timed_out() -> bool:
        row = await store.outbox_row(alert.id)
        return row is not None and row.attempts >= 1 and "timed out" in (row.last_error or "")

    await wait_until(timed_out)
    server.recorder.behaviour = Behaviour()
    await wait_until(lambda: any(m["Subject"] == "Alert 001" for m in mails(server)), 5)
    await asyncio.sleep(1.0)  # let the stalled first transaction finish too, if it will
    await w.stop(grace_s=1)
    row = await store.outbox_row(alert.id)
    assert row is not None and row.state == "sent"
    ids = {m["Message-ID"] for m in mails(server)}
    assert ids == {f"<bilat.{alert.id}@desk.example.org>"} == {row.remote_id}


async def test_digest_sends_one_mail_per_window_with_every_alert(
    store: Store, smtp: MakeServer
) -> None:
    """In digest mode alerts queued within the window (opened by the first) go out as one
    mail, not before the window ends; every row is marked sent with that mail's id; an
    alert after it starts the next digest."""
    server = await smtp()
    notifier = mailer(server.port, digest=0.4)
    now = datetime.now(UTC)
    parent = numbered(1, created_at=now)
    await queue(store, parent, numbered(2, created_at=now))
    w = worker(store, notifier)
    with captured_logs() as logs:
        w.start()
        await asyncio.sleep(0.15)
        await queue(store, reply_to(parent, "update"), numbered(3, created_at=now))
        w.kick()
        await wait_until(lambda: len(server.recorder.mails) == 1)
        first_at = datetime.now(UTC)
        await asyncio.sleep(0.2)
        assert len(server.recorder.mails) == 1
        await queue(store, numbered(4, created_at=datetime.now(UTC)))
        w.kick()
        await wait_until(lambda: len(server.recorder.mails) == 2)
        await w.stop(grace_s=1)
    assert first_at - now >= timedelta(seconds=0.4)
    digest, second = mails(server)
    assert digest["Subject"].startswith("bilat digest (3 new, 1 update)")
    body = text_of(digest)
    assert all(f"Alert 00{n}" in body for n in (1, 2, 3)) and "Alert 004" not in body
    assert "Alert 004" in text_of(second)
    rows = await store.outbox()
    assert [r.state for r in rows] == ["sent"] * 5
    assert {r.remote_id for r in rows[:4]} == {digest["Message-ID"]}
    assert rows[4].remote_id == second["Message-ID"] != digest["Message-ID"]
    delivered = [e for e in logs if e["event"] == "digest.delivered"]
    assert [e["alerts"] for e in delivered] == [4, 1]


async def test_digest_rows_stay_pending_until_a_digest_is_accepted(
    store: Store, smtp: MakeServer
) -> None:
    """A digest refused with a 4xx leaves every row pending (retried together); a worker
    stopped while the server holds the digest leaves them pending too, and the next worker
    sends the digest again — the only duplicate — with every alert in it."""
    server = await smtp(Behaviour(data_reply="451 4.3.0 try again later"))
    notifier = mailer(server.port, digest=0.05)
    alerts = [numbered(n) for n in range(1, 4)]
    await queue(store, *alerts)
    refused = worker(store, notifier, retry_base_s=0.5, retry_cap_s=0.5)
    assert (await refused.drain(deadline_s=0.3)).pending == 3
    rows = await store.outbox()
    assert [(r.state, r.attempts) for r in rows] == [("pending", 1)] * 3
    assert len({r.next_attempt_at for r in rows}) == 1 and server.recorder.mails == []

    server.recorder.behaviour = Behaviour(stall_s=0.6)
    interrupted = worker(store, mailer(server.port, digest=0.05, timeout=5))
    interrupted.start()
    await wait_until(lambda: server.recorder.data_started == 2, 5)  # the refused one + this
    await interrupted.stop(grace_s=0.05)  # stopped mid-send, as a kill would
    assert [r.state for r in await store.outbox()] == ["pending"] * 3
    server.recorder.behaviour = Behaviour()
    assert (await worker(store, notifier).drain(deadline_s=5)).sent == 3
    await asyncio.sleep(0.8)  # the stalled transaction may still complete on the server
    received = mails(server)
    assert 1 <= len(received) <= 2
    for message in received:
        assert all(f"Alert 00{n}" in text_of(message) for n in (1, 2, 3))
    assert [r.state for r in await store.outbox()] == ["sent"] * 3


@pytest.fixture
def smtp_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)


async def test_starttls_and_auth_through_the_worker(
    store: Store, smtp: MakeServer, cert: tuple[Path, Path], smtp_password: None
) -> None:
    """The worker mails through STARTTLS (certificate checked against ca_file) with AUTH:
    the server saw the login and got one multipart text + HTML mail."""
    server = await smtp(starttls=server_tls_context(*cert), auth=True)
    notifier = mailer(
        server.port,
        starttls=True,
        ca_file=str(cert[0]),
        username=USER,
        password_env=PASSWORD_ENV,
    )
    await queue(store, numbered(1))
    assert (await worker(store, notifier).drain(deadline_s=5)).sent == 1
    assert [login for _, login in server.recorder.logins] == [USER]
    (message,) = mails(server)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == "Alert 001"
