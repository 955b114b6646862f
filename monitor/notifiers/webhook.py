"""The generic webhook notifier (``[notifiers.NAME] type = "webhook"``): a JSON POST of the
``bilat.alert/1`` document (see ``monitor.render.webhook``) to any URL.

Signature (when ``secret_env`` is set), in the style of Stripe's and Slack's signing:

    X-Bilat-Timestamp: <unix seconds when signed>
    X-Bilat-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

The timestamp is inside the signed bytes, so a receiver that rejects timestamps older than a
few minutes (``verify_signature`` uses 300 s) cannot be fed a replayed request, and one that
also remembers ``X-Bilat-Delivery`` (the alert id) within that window rejects exact repeats
— which the same id on a retried delivery also lets it de-duplicate. The body is the compact
UTF-8 JSON that ``json_body`` produces, which is what the HTTP client puts on the wire.

Updates: "update" alerts are not sent unless ``updates = true``; ``accepts(alert)`` tells
the router so it does not queue them, and ``send`` answers ``sent`` with a "skipped" detail
for any that were queued anyway. "confirmed" alerts are always sent.

Outcomes: 2xx sent; 429 and 5xx (and 408) retry, honouring ``Retry-After``; other 4xx dead;
no response (refused, reset, timeout) retry; an address the network policy forbids dead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

import structlog
from pydantic import SecretStr, model_validator

from monitor import render
from monitor.contracts import HttpClient
from monitor.model import Alert
from monitor.notifiers.base import Delivery, NotifierOptions
from monitor.notifiers.common import (
    NotifierConfigError,
    Scrubber,
    body_snippet,
    coerce_options,
    failed_request,
    mask_url,
    read_secret,
    retry_after,
)
from monitor.units import Seconds

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "X-Bilat-Signature"
TIMESTAMP_HEADER = "X-Bilat-Timestamp"
DELIVERY_HEADER = "X-Bilat-Delivery"
SCHEMA_HEADER = "X-Bilat-Schema"


class WebhookOptions(NotifierOptions):
    """``[notifiers.NAME]`` keys for ``type = "webhook"``."""

    url: str | None = None  # a URL that is not a secret
    url_env: str | None = None  # or: the environment variable holding it
    secret_env: str | None = None  # HMAC-SHA256 signing secret
    updates: bool = False
    timeout: Seconds = 10.0

    @model_validator(mode="after")
    def _one_url(self) -> WebhookOptions:
        if bool(self.url) == bool(self.url_env):
            raise ValueError("set exactly one of url or url_env")
        if self.url and not self.url.startswith(("https://", "http://")):
            raise ValueError("url must be an http(s) URL")
        return self


def json_body(payload: Any) -> bytes:
    """The exact bytes sent (and signed): compact UTF-8 JSON, as the HTTP client writes it."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` over ``b"<timestamp>." + body``."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: bytes,
    body: bytes,
    headers: Mapping[str, str],
    *,
    tolerance_s: float = 300.0,
    now: float | None = None,
) -> bool:
    """What a receiver does: check the signature and that the timestamp is recent."""
    stamp = headers.get(TIMESTAMP_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "")
    if not stamp.isdigit() or not given:
        return False
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, int(stamp), body), given)


class WebhookNotifier:
    """POSTs each alert as ``bilat.alert/1`` JSON, optionally signed."""

    type_name: ClassVar[str] = "webhook"
    Options: ClassVar[type[NotifierOptions]] = WebhookOptions

    def __init__(self, name: str, options: NotifierOptions, http: HttpClient) -> None:
        self.name = name
        self.options = opts = coerce_options(WebhookOptions, options)
        self._http = http
        if opts.url_env:
            url_secret: SecretStr | None = read_secret(opts.url_env, notifier=name, key="url_env")
            assert url_secret is not None
            self._url = url_secret.get_secret_value()
            if not self._url.startswith(("https://", "http://")):
                raise NotifierConfigError(
                    f"notifier {name!r}: {opts.url_env} does not hold an http(s) URL"
                )
        else:
            url_secret = None
            self._url = opts.url or ""
        self._secret = (
            read_secret(opts.secret_env, notifier=name, key="secret_env")
            if opts.secret_env
            else None
        )
        self._scrub = Scrubber(url_secret, self._secret)

    def __repr__(self) -> str:
        target = mask_url(self._url) if self.options.url_env else self._url
        return (
            f"WebhookNotifier(name={self.name!r}, url={target!r}, "
            f"signed={self._secret is not None})"
        )

    @property
    def destination(self) -> str:
        """Pacing key: the receiving host (several webhooks to one server share its pace)."""
        parts = urlsplit(self._url)
        return f"http:{parts.hostname}:{parts.port or ''}"

    def accepts(self, alert: Alert) -> bool:
        """False for "update" alerts unless ``updates = true``."""
        return alert.kind != "update" or self.options.updates

    def request(
        self, alert: Alert, *, now: float | None = None
    ) -> tuple[dict[str, Any], bytes, dict[str, str]]:
        """The document, the exact body bytes and the headers of the POST for ``alert``."""
        payload = render.webhook(alert)
        body = json_body(payload)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            DELIVERY_HEADER: alert.id,
            SCHEMA_HEADER: render.WEBHOOK_SCHEMA,
        }
        if self._secret is not None:
            stamp = int(time.time() if now is None else now)
            headers[TIMESTAMP_HEADER] = str(stamp)
            headers[SIGNATURE_HEADER] = sign(self._secret.get_secret_value().encode(), stamp, body)
        return payload, body, headers

    async def send(self, alert: Alert, *, parent_remote_id: str | None = None) -> Delivery:
        """POST one alert; ``parent_remote_id`` is unused (``parent_id`` is in the body)."""
        if not self.accepts(alert):
            return Delivery("sent", "skipped: updates disabled for this notifier")
        payload, _, headers = self.request(alert)  # the client serialises it as json_body does
        try:
            resp = await self._http.post_json(
                self._url, payload, headers=headers, timeout_s=self.options.timeout
            )
        except Exception as exc:  # classified, never raised to the worker
            delivery = failed_request(exc, "webhook", self._scrub)
        else:
            delivery = classify_response(resp.status, resp.headers, resp.body)
            delivery = Delivery(
                delivery.outcome, self._scrub(delivery.detail), delivery.retry_after_s
            )
        log.debug(
            "notify.webhook.attempt",
            notifier=self.name,
            alert_id=alert.id,
            outcome=delivery.outcome,
            detail=delivery.detail,
        )
        return delivery

    async def aclose(self) -> None:
        """Nothing to close: the HTTP client belongs to the daemon."""


def classify_response(status: int, headers: Mapping[str, str], body: bytes) -> Delivery:
    """2xx sent; 408/429/5xx retry (``Retry-After`` honoured); any other status dead."""
    snippet = body_snippet(body)
    detail = f"webhook: HTTP {status}" + (f" {snippet}" if snippet else "")
    if 200 <= status < 300:
        return Delivery("sent", f"webhook: HTTP {status}")
    if status in (408, 429) or status >= 500:
        return Delivery("retry", detail, retry_after(headers))
    return Delivery("dead", detail)
