"""The email notifier against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from monitor.notifiers import NOTIFIERS
from monitor.notifiers.common import NotifierConfigError
from monitor.notifiers.email import EmailNotifier, EmailOptions
from tests.notifiers.alerts import follow_up, keyword_alert, meeting_alert
from tests.notifiers.servers import MakeServer
from tests.notifiers.smtp_server import (
    PASSWORD,
    USER,
    Behaviour,
    SmtpServer,
    server_tls_context,
)


def notifier(port: int, **options: Any) -> EmailNotifier:
    values: dict[str, Any] = {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "from": "bilat <alerts@desk.example.org>",
        "to": ["desk@example.org", "analyst@example.org"],
        "timeout": 2,
    }
    values.update(options)
    return EmailNotifier("mail", EmailOptions.model_validate(values))


def parse(server: SmtpServer, index: int = -1) -> EmailMessage:
    raw = server.recorder.mails[index].content
    assert isinstance(raw, bytes)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


async def test_plain_smtp_delivers_multipart_alternative_utf8(smtp: MakeServer) -> None:
    """A mail arrives as multipart/alternative (text + HTML, UTF-8) to every recipient,
    with the en-dash subject encoded and decoded back exactly."""
    server = await smtp()
    alert = meeting_alert()
    delivery = await notifier(server.port).send(alert)
    assert delivery.outcome == "sent", delivery.detail
    envelope = server.recorder.mails[0]
    assert envelope.mail_from == "alerts@desk.example.org"
    assert envelope.rcpt_tos == ["desk@example.org", "analyst@example.org"]
    raw = envelope.content
    assert isinstance(raw, bytes)
    raw_subject = next(line for line in raw.split(b"\r\n") if line.startswith(b"Subject:"))
    assert b"=?utf-8?" in raw_subject  # encoded-word: the server did not offer SMTPUTF8
    message = parse(server)
    assert message["Subject"] == "IN–CN: Jaishankar met Wang Yi in Astana"
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert "“External Affairs Minister S. Jaishankar met" in parts[0].get_content()
    assert "<blockquote" in parts[1].get_content()
    assert message["Message-ID"] == f"<bilat.{alert.id}@desk.example.org>"
    assert delivery.remote_id == message["Message-ID"]
    assert message["Date"] is not None and message["Auto-Submitted"] == "auto-generated"
    assert message["X-Bilat-Alert"] == alert.id


async def test_non_latin_subject_and_names_survive_the_trip(smtp: MakeServer) -> None:
    """Devanagari and Chinese in the subject and body arrive intact."""
    server = await smtp()
    headline = "IN–CN: जयशंकर ने अस्ताना में वांग यी (王毅) से मुलाकात की"
    alert = meeting_alert(headline=headline, officials=("एस. जयशंकर", "王毅"))
    assert (await notifier(server.port).send(alert)).outcome == "sent"
    message = parse(server)
    assert message["Subject"] == headline
    text, html = (p.get_content() for p in message.iter_parts())
    assert "एस. जयशंकर, 王毅" in text and "एस. जयशंकर, 王毅" in html


async def test_retries_reuse_the_message_id_and_updates_thread(smtp: MakeServer) -> None:
    """The same alert always gets the same Message-ID; an update replies to its parent."""
    server = await smtp()
    mailer = notifier(server.port)
    parent = meeting_alert()
    update = follow_up(parent, "update")
    for alert in (parent, parent, update):
        assert (await mailer.send(alert)).outcome == "sent"
    first, again, reply = (parse(server, i) for i in range(3))
    assert first["Message-ID"] == again["Message-ID"]
    assert reply["In-Reply-To"] == first["Message-ID"]
    assert reply["References"] == first["Message-ID"]
    assert reply["Subject"] == "Re: IN–CN: Jaishankar met Wang Yi in Astana"
    assert first["In-Reply-To"] is None


async def test_starttls_with_self_signed_cert_and_auth(
    smtp: MakeServer, cert: tuple[Path, Path]
) -> None:
    """STARTTLS verifies the server against ca_file, then AUTH succeeds and the mail lands."""
    server = await smtp(starttls=server_tls_context(*cert), auth=True)
    mailer = notifier(
        server.port,
        starttls=True,
        ca_file=str(cert[0]),
        username=USER,
        password_env="BILAT_TEST_SMTP_PASSWORD",
    )
    delivery = await mailer.send(meeting_alert())
    assert delivery.outcome == "sent", delivery.detail
    assert server.recorder.logins and server.recorder.logins[0][1] == USER
    assert len(server.recorder.mails) == 1


@pytest.fixture(autouse=True)
def smtp_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILAT_TEST_SMTP_PASSWORD", PASSWORD)


async def test_implicit_tls_with_auth(smtp: MakeServer, cert: tuple[Path, Path]) -> None:
    """Implicit TLS (SMTPS) with AUTH delivers the mail."""
    server = await smtp(implicit_tls=server_tls_context(*cert), auth=True)
    mailer = notifier(
        server.port,
        tls=True,
        ca_file=str(cert[0]),
        username=USER,
        password_env="BILAT_TEST_SMTP_PASSWORD",
    )
    delivery = await mailer.send(meeting_alert())
    assert delivery.outcome == "sent", delivery.detail
    assert len(server.recorder.mails) == 1


async def test_untrusted_certificate_is_dead_with_a_hint(
    smtp: MakeServer, cert: tuple[Path, Path]
) -> None:
    """Without ca_file the self-signed certificate fails verification: dead, not retried."""
    server = await smtp(starttls=server_tls_context(*cert))
    delivery = await notifier(server.port, starttls=True).send(meeting_alert())
    assert delivery.outcome == "dead"
    assert "certificate did not verify" in delivery.detail and "ca_file" in delivery.detail
    assert server.recorder.mails == []


async def test_wrong_password_is_dead_and_never_echoed(
    smtp: MakeServer, cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """AUTH failure (535) is dead; the detail and repr do not contain the password."""
    monkeypatch.setenv("BILAT_TEST_SMTP_PASSWORD", "hunter2-wrong")
    server = await smtp(starttls=server_tls_context(*cert), auth=True)
    mailer = notifier(
        server.port,
        starttls=True,
        ca_file=str(cert[0]),
        username=USER,
        password_env="BILAT_TEST_SMTP_PASSWORD",
    )
    delivery = await mailer.send(meeting_alert())
    assert delivery.outcome == "dead"
    assert "535" in delivery.detail
    assert "hunter2" not in delivery.detail and "hunter2" not in repr(mailer)


@pytest.mark.parametrize(
    ("behaviour", "outcome", "needle"),
    [
        (Behaviour(rcpt_reply="550 5.1.1 No such user"), "dead", "550"),
        (Behaviour(rcpt_reply="451 4.3.0 Mailbox busy"), "retry", "451"),
        (Behaviour(data_reply="554 5.7.1 Message rejected as spam"), "dead", "554"),
        (Behaviour(data_reply="452 4.3.1 Insufficient storage"), "retry", "452"),
        (Behaviour(drop_on_data=True), "retry", "smtp"),
        (Behaviour(stall_s=1.5), "retry", "timed out"),
    ],
)
async def test_server_refusals_drops_and_stalls_are_classified(
    smtp: MakeServer, behaviour: Behaviour, outcome: str, needle: str
) -> None:
    """5xx refusals are dead; 4xx, a dropped connection and a stall are retried."""
    server = await smtp(behaviour)
    delivery = await notifier(server.port, timeout=0.5).send(meeting_alert())
    assert delivery.outcome == outcome, delivery.detail
    assert needle in delivery.detail
    assert server.recorder.mails == []


async def test_partial_refusal_is_sent_and_names_the_refused(smtp: MakeServer) -> None:
    """One refused recipient out of two: sent (no duplicate for the other), detail says who."""
    server = await smtp(Behaviour(rcpt_reply="550 5.1.1 No such user"))
    mailer = notifier(server.port, to=["ok-desk@example.org", "gone@example.org"])
    delivery = await mailer.send(meeting_alert())
    assert delivery.outcome == "sent"
    assert "gone@example.org" in delivery.detail and "550" in delivery.detail
    assert server.recorder.mails[0].rcpt_tos == ["ok-desk@example.org"]


async def test_connection_refused_is_retried() -> None:
    """Nobody listening on the port: retry."""
    delivery = await notifier(free_port()).send(meeting_alert())
    assert delivery.outcome == "retry"


async def test_digest_holds_every_alert_in_one_mail(smtp: MakeServer) -> None:
    """send_digest mails all alerts of the window at once, with a stable Message-ID."""
    server = await smtp()
    mailer = notifier(server.port, digest="15m")
    assert mailer.digest_interval == 900
    parent = meeting_alert()
    alerts = [parent, follow_up(parent, "update"), keyword_alert()]
    first = await mailer.send_digest(alerts)
    again = await mailer.send_digest(list(reversed(alerts)))
    assert first.outcome == again.outcome == "sent"
    assert first.remote_id == again.remote_id
    message = parse(server, 0)
    text, html = (p.get_content() for p in message.iter_parts())
    for alert in alerts:
        assert alert.id in text and alert.id in html
    assert "Ministers will discuss the proposed trade corridor" in text
    assert message["Subject"].startswith("bilat digest (2 new, 1 update): ")
    assert (await mailer.send_digest([])).detail == "skipped: empty digest"
    assert len(server.recorder.mails) == 2


def test_options_are_validated_with_clear_errors() -> None:
    """Bad combinations and addresses are refused when the config is loaded."""
    base = {"type": "email", "host": "smtp.example.org", "from": "a@example.org", "to": ["b@x.org"]}
    assert EmailOptions.model_validate(base).effective_port == 25
    assert EmailOptions.model_validate({**base, "starttls": True}).effective_port == 587
    assert EmailOptions.model_validate({**base, "tls": True}).effective_port == 465
    bad = [
        {**base, "starttls": True, "tls": True},
        {**base, "username": "u"},
        {**base, "to": []},
        {**base, "to": ["not an address"]},
        {**base, "from": "nobody"},
        {**base, "digest": "soon"},
        {**base, "password": "inline-secret"},
    ]
    for options in bad:
        with pytest.raises(ValidationError):
            EmailOptions.model_validate(options)


def test_missing_password_variable_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A password_env that is not set fails at construction, naming notifier and variable."""
    monkeypatch.delenv("BILAT_TEST_SMTP_PASSWORD")
    with pytest.raises(NotifierConfigError, match=r"'mail'.*BILAT_TEST_SMTP_PASSWORD"):
        notifier(25, username=USER, password_env="BILAT_TEST_SMTP_PASSWORD")


def test_registered_under_email() -> None:
    """The registry builds the email notifier from its type name."""
    assert NOTIFIERS["email"] is EmailNotifier
