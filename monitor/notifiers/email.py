"""The email notifier (``[notifiers.NAME] type = "email"``), over SMTP with aiosmtplib.

One multipart/alternative mail (text/plain + text/html, UTF-8) per alert, or — with
``digest = "15m"`` — one mail per window holding every alert of it (``send_digest``).

Headers: ``Message-ID`` is derived from the alert id (``<bilat.<id>@<from domain>>``), so a
retried mail is recognisable as the same message; an "update"/"confirmed" alert carries
``In-Reply-To``/``References`` pointing at its parent's Message-ID (computed from
``alert.parent_id``: no stored remote id is needed) so mail clients thread them;
``Auto-Submitted: auto-generated`` keeps out-of-office replies away.

Transport: plain SMTP (``starttls = false``, no opportunistic upgrade), STARTTLS
(``starttls = true``, default port 587) or implicit TLS (``tls = true``, port 465);
certificates are verified against the system store or ``ca_file``.

Outcomes: SMTP 4xx, connection refused/dropped, timeouts → retry; 5xx refusals (recipient,
sender, data), authentication failure (535), a server that lacks STARTTLS/AUTH, a
certificate that does not verify → dead with the server's reply in the detail. When only
some recipients are refused the mail is still ``sent`` (retrying would duplicate it for the
others) and the detail names the refused ones.

Digest mode, for the outbox worker: rows of a digest notifier are not sent one by one; a
window opens with the oldest pending row and, ``digest`` seconds later, the worker takes all
due rows of this notifier, calls ``send_digest(alerts)`` once and marks every row with that
one Delivery (its ``remote_id`` is the digest's Message-ID, stable for the same set of
alerts). See ``monitor.delivery``.
"""

from __future__ import annotations

import email.policy
import ssl
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import ClassVar

import aiosmtplib
import structlog
from pydantic import ConfigDict, Field, field_validator, model_validator

from monitor import render
from monitor.contracts import HttpClient
from monitor.model import Alert, stable_hash, utcnow
from monitor.notifiers.base import Delivery, NotifierOptions, Outcome
from monitor.notifiers.common import NotifierConfigError, Scrubber, coerce_options, read_secret
from monitor.render import EmailContent
from monitor.units import Seconds

log = structlog.get_logger(__name__)


class EmailOptions(NotifierOptions):
    """``[notifiers.NAME]`` keys for ``type = "email"`` (``from`` is spelt ``from`` in TOML)."""

    model_config = ConfigDict(populate_by_name=True)

    host: str
    port: int | None = Field(default=None, ge=1, le=65535)  # default 465 / 587 / 25
    starttls: bool = False
    tls: bool = False  # implicit TLS (SMTPS)
    username: str | None = None
    password_env: str | None = None
    from_: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    timeout: Seconds = 30.0
    digest: Seconds | None = None  # e.g. "15m": one mail per window (see send_digest)
    updates: bool = True  # send "update" alerts (as threaded replies) outside digests
    validate_certs: bool = True
    ca_file: str | None = None  # extra CA (PEM) to trust, e.g. a private relay's

    @field_validator("from_", "to")
    @classmethod
    def _addresses(cls, value: str | list[str]) -> str | list[str]:
        for address in [value] if isinstance(value, str) else value:
            _parse_address(address)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EmailOptions:
        if self.starttls and self.tls:
            raise ValueError("choose starttls (upgrade) or tls (implicit TLS), not both")
        if bool(self.username) != bool(self.password_env):
            raise ValueError("username and password_env go together")
        if self.digest is not None and self.digest <= 0:
            raise ValueError("digest must be a positive duration such as '15m'")
        return self

    def updates_policy(self) -> bool:
        """Updates go as threaded mails when ``updates``, and always into a digest."""
        return self.updates or self.digest is not None

    @property
    def effective_port(self) -> int:
        return self.port or (465 if self.tls else 587 if self.starttls else 25)


def _parse_address(text: str) -> Address:
    """An ``Address`` from "desk@example.org" or "Desk <desk@example.org>"; ValueError else."""
    message = EmailMessage(policy=email.policy.default)
    try:
        message["To"] = text
        addresses = message["To"].addresses
    except (ValueError, IndexError, TypeError) as exc:
        raise ValueError(f"not an email address: {text!r}") from exc
    if len(addresses) != 1 or not addresses[0].domain or not addresses[0].username:
        raise ValueError(f"not an email address: {text!r}")
    address: Address = addresses[0]
    return address


def message_id(alert_id: str, domain: str) -> str:
    """The Message-ID of the mail for ``alert_id``: stable, so retries and threads agree."""
    return f"<bilat.{alert_id}@{domain}>"


class EmailNotifier:
    """Sends alerts (or digests of them) by SMTP."""

    type_name: ClassVar[str] = "email"
    Options: ClassVar[type[NotifierOptions]] = EmailOptions

    @property
    def destination(self) -> str:
        """Pacing key: the SMTP server."""
        return f"smtp:{self.options.host}:{self.options.effective_port}"

    def __init__(self, name: str, options: NotifierOptions, http: HttpClient | None = None) -> None:
        self.name = name
        self.options = opts = coerce_options(EmailOptions, options)
        self._password = (
            read_secret(opts.password_env, notifier=name, key="password_env")
            if opts.password_env
            else None
        )
        self._scrub = Scrubber(self._password)
        self._domain = _parse_address(opts.from_).domain
        self._tls_context = self._make_tls_context()

    def __repr__(self) -> str:
        o = self.options
        mode = "tls" if o.tls else "starttls" if o.starttls else "plain"
        return (
            f"EmailNotifier(name={self.name!r}, server={o.host}:{o.effective_port}, "
            f"mode={mode}, to={len(o.to)} recipient(s))"
        )

    @property
    def digest_interval(self) -> float | None:
        """Seconds between digests, or None when every alert is mailed on its own."""
        return self.options.digest

    def accepts(self, alert: Alert) -> bool:
        """False for "update" alerts when ``updates = false`` (digests always take them)."""
        return alert.kind != "update" or self.options.updates or self.options.digest is not None

    def _make_tls_context(self) -> ssl.SSLContext | None:
        o = self.options
        if not (o.tls or o.starttls):
            return None
        try:
            context = ssl.create_default_context(cafile=o.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise NotifierConfigError(
                f"notifier {self.name!r}: cannot read ca_file {o.ca_file!r}: {exc}"
            ) from exc
        if not o.validate_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    # -- building mails --------------------------------------------------------------------

    def _message(self, content: EmailContent, msg_id: str) -> EmailMessage:
        o = self.options
        message = EmailMessage(policy=email.policy.SMTP)
        message["Subject"] = content.subject
        message["From"] = o.from_
        message["To"] = ", ".join(o.to)
        message["Date"] = format_datetime(utcnow())
        message["Message-ID"] = msg_id
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(content.text, subtype="plain", charset="utf-8")
        message.add_alternative(content.html, subtype="html", charset="utf-8")
        return message

    def build(self, alert: Alert) -> EmailMessage:
        """The mail for one alert (public so ``bilat render`` can show the real headers)."""
        message = self._message(render.email(alert), message_id(alert.id, self._domain))
        message["X-Bilat-Alert"] = alert.id
        message["X-Bilat-Event"] = alert.event_key
        if alert.kind != "new" and alert.parent_id:
            parent = message_id(alert.parent_id, self._domain)
            message["In-Reply-To"] = parent
            message["References"] = parent
        return message

    def build_digest(self, alerts: Sequence[Alert]) -> EmailMessage:
        """One mail with every alert (grouped by event); Message-ID from the set of ids."""
        ids = sorted(a.id for a in alerts)
        msg_id = message_id("digest." + stable_hash(*ids), self._domain)
        message = self._message(render.email_digest(alerts), msg_id)
        message["X-Bilat-Alerts"] = str(len(alerts))
        return message

    # -- sending ---------------------------------------------------------------------------

    async def send(self, alert: Alert, *, parent_remote_id: str | None = None) -> Delivery:
        """Mail one alert. ``parent_remote_id`` is not needed (threading uses parent_id)."""
        if not self.accepts(alert):
            return Delivery("sent", "skipped: updates disabled for this notifier")
        return await self._deliver(self.build(alert), f"alert {alert.id}")

    async def send_digest(self, alerts: list[Alert]) -> Delivery:
        """Mail every alert of a digest window in one message (see the module docstring)."""
        if not alerts:
            return Delivery("sent", "skipped: empty digest")
        return await self._deliver(self.build_digest(alerts), f"digest of {len(alerts)}")

    async def aclose(self) -> None:
        """Nothing to close: each delivery opens and closes its own SMTP connection."""

    async def _deliver(self, message: EmailMessage, what: str) -> Delivery:
        o = self.options
        msg_id = str(message["Message-ID"])
        try:
            refused, reply = await aiosmtplib.send(
                message,
                hostname=o.host,
                port=o.effective_port,
                username=o.username,
                password=self._password.get_secret_value() if self._password else None,
                use_tls=o.tls,
                start_tls=o.starttls,
                validate_certs=o.validate_certs,
                tls_context=self._tls_context,
                timeout=o.timeout,
            )
        except Exception as exc:  # classified, never raised to the worker
            delivery = classify_smtp_error(exc, self._scrub)
        else:
            detail = f"smtp {o.host}: {what} accepted: {self._scrub(reply)}".strip()
            if refused:
                listed = ", ".join(f"{rcpt} ({r.code} {r.message})" for rcpt, r in refused.items())
                detail += f"; refused for {self._scrub(listed)}"
            delivery = Delivery("sent", detail, remote_id=msg_id)
        log.debug(
            "notify.email.attempt",
            notifier=self.name,
            what=what,
            outcome=delivery.outcome,
            detail=delivery.detail,
        )
        return delivery


def _cert_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def classify_smtp_error(exc: Exception, scrub: Scrubber) -> Delivery:
    """An SMTP failure as a Delivery: 4xx and connection trouble retry, 5xx is dead."""
    cert = _cert_failure(exc)
    if cert is not None:
        return Delivery(
            "dead",
            f"smtp: the server certificate did not verify "
            f"({scrub(cert.verify_message or str(cert))}); set ca_file to trust a private CA",
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        listed = ", ".join(f"{r.recipient} ({r.code} {r.message})" for r in exc.recipients)
        outcome: Outcome = "retry" if any(400 <= c < 500 for c in codes) else "dead"
        return Delivery(outcome, f"smtp: all recipients refused: {scrub(listed)}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        kind = type(exc).__name__.removeprefix("SMTP")
        detail = f"smtp: {kind} {exc.code} {scrub(exc.message)}"
        if isinstance(exc, aiosmtplib.SMTPAuthenticationError) and exc.code >= 500:
            return Delivery("dead", detail + " (check username and password_env)")
        return Delivery("retry" if exc.code < 500 else "dead", detail)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return Delivery("dead", f"smtp: the server does not support it: {scrub(str(exc))}")
    if isinstance(exc, TimeoutError | aiosmtplib.SMTPTimeoutError):
        return Delivery("retry", f"smtp: timed out: {scrub(str(exc)) or 'no reply'}")
    if isinstance(exc, OSError | aiosmtplib.SMTPException | ssl.SSLError):
        return Delivery("retry", f"smtp: {type(exc).__name__}: {scrub(str(exc))}")
    return Delivery("retry", f"smtp: unexpected {type(exc).__name__}: {scrub(str(exc))}")
