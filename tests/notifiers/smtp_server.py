"""A real SMTP server (aiosmtpd) on 127.0.0.1, in the test's own event loop, plus a
self-signed certificate made with ``cryptography`` for STARTTLS and implicit TLS.

The handler records every mail it accepts and can be told to refuse recipients, fail DATA
with a 4xx/5xx, drop the connection or stall past the client's timeout.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

USER = "desk-bot"
PASSWORD = "correct horse battery staple"


@dataclass
class Behaviour:
    rcpt_reply: str | None = None  # e.g. "550 5.1.1 No such user"
    data_reply: str | None = None  # e.g. "451 4.3.0 Try again later"
    drop_on_data: bool = False
    stall_s: float = 0.0


@dataclass
class Recorder:
    """The aiosmtpd handler: records accepted envelopes; misbehaves on demand."""

    behaviour: Behaviour = field(default_factory=Behaviour)
    mails: list[Envelope] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    data_started: int = 0  # DATA commands whose content arrived (accepted or not)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.behaviour.rcpt_reply and not address.startswith("ok"):
            return self.behaviour.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.data_started += 1
        if self.behaviour.stall_s:
            await asyncio.sleep(self.behaviour.stall_s)
        if self.behaviour.drop_on_data:
            assert server.transport is not None
            server.transport.close()
            return "421 closing"
        if self.behaviour.data_reply:
            return self.behaviour.data_reply
        self.mails.append(envelope)
        return "250 2.0.0 Queued"

    def authenticator(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = data.login.decode(), data.password.decode()
        self.logins.append((mechanism, login))
        if (login, password) == (USER, PASSWORD):
            return AuthResult(success=True)
        # handled=False makes aiosmtpd answer "535 5.7.8 Authentication credentials invalid".
        return AuthResult(success=False, handled=False)


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1/localhost: (cert.pem, key.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bilat test SMTP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class SmtpServer:
    """One listening aiosmtpd server; ``port`` is known after ``start``."""

    def __init__(
        self,
        recorder: Recorder,
        *,
        starttls: ssl.SSLContext | None = None,
        implicit_tls: ssl.SSLContext | None = None,
        auth: bool = False,
    ) -> None:
        self.recorder = recorder
        self._starttls = starttls
        self._implicit = implicit_tls
        self._auth = auth
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    def _protocol(self) -> SMTP:
        return SMTP(
            self.recorder,
            hostname="bilat-test",
            tls_context=self._starttls,
            require_starttls=self._starttls is not None,
            authenticator=self.recorder.authenticator if self._auth else None,
            # Implicit TLS is already encrypted, which aiosmtpd cannot see: let AUTH through.
            auth_require_tls=self._implicit is None,
        )

    async def start(self) -> SmtpServer:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._protocol, "127.0.0.1", 0, ssl=self._implicit)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
