"""The generic webhook notifier against a receiving aiohttp server on 127.0.0.1 that checks
the HMAC signature on the raw body, as a real receiver would."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from pydantic import ValidationError

from monitor.net.client import Http
from monitor.notifiers import NOTIFIERS
from monitor.notifiers.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookNotifier,
    WebhookOptions,
    sign,
    verify_signature,
)
from tests.notifiers.alerts import follow_up, meeting_alert

SECRET = "whsec-test-0123456789abcdef"


class Receiver:
    """Records each POST with whether its signature verified; answers from a script."""

    def __init__(self) -> None:
        self.got: list[tuple[bytes, dict[str, str], bool]] = []
        self.script: list[tuple[int, dict[str, str]]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hooks/bilat", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hooks/bilat"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        headers = dict(request.headers)
        self.got.append((raw, headers, verify_signature(SECRET.encode(), raw, headers)))
        status, extra = self.script.pop(0) if self.script else (204, {})
        return web.Response(status=status, headers=extra, text="" if status == 204 else "nope")


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.stop()


def make(receiver: Receiver, http: Http, **options: Any) -> WebhookNotifier:
    values = {"type": "webhook", "url": receiver.url, **options}
    return WebhookNotifier("hooks", WebhookOptions.model_validate(values), http)


async def test_signed_post_verifies_on_the_receiver(
    receiver: Receiver, http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The receiver verifies X-Bilat-Signature over timestamp + raw body with the shared
    secret, and reads the bilat.alert/1 document."""
    monkeypatch.setenv("BILAT_TEST_HOOK_SECRET", SECRET)
    notifier = make(receiver, http, secret_env="BILAT_TEST_HOOK_SECRET")
    alert = meeting_alert(evidence=("विदेश मंत्री जयशंकर ने वांग यी से मुलाकात की।",))
    delivery = await notifier.send(alert)
    assert delivery.outcome == "sent"
    [(raw, headers, verified)] = receiver.got
    assert verified
    assert headers["X-Bilat-Delivery"] == alert.id
    assert headers["X-Bilat-Schema"] == "bilat.alert/1"
    assert headers[SIGNATURE_HEADER].startswith("sha256=")
    doc = json.loads(raw)
    assert doc["schema"] == "bilat.alert/1" and doc["id"] == alert.id
    assert doc["meeting"]["evidence"] == ["विदेश मंत्री जयशंकर ने वांग यी से मुलाकात की।"]
    assert SECRET not in repr(notifier)


def test_signature_rejects_tampering_and_replays() -> None:
    """A changed body, a wrong secret or a stale timestamp fail verification."""
    body = b'{"schema":"bilat.alert/1"}'
    now = time.time()
    stamp = int(now)
    headers = {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(SECRET.encode(), stamp, body)}
    assert verify_signature(SECRET.encode(), body, headers, now=now)
    assert not verify_signature(SECRET.encode(), body + b" ", headers, now=now)
    assert not verify_signature(b"other-secret", body, headers, now=now)
    assert not verify_signature(SECRET.encode(), body, headers, now=now + 301)
    moved = {**headers, TIMESTAMP_HEADER: str(stamp + 1)}
    assert not verify_signature(SECRET.encode(), body, moved, now=now)
    assert not verify_signature(SECRET.encode(), body, {}, now=now)


async def test_unsigned_post_and_updates_option(receiver: Receiver, http: Http) -> None:
    """Without secret_env no signature is sent; updates are skipped unless updates = true,
    confirmations always go."""
    quiet = make(receiver, http)
    parent = meeting_alert()
    update = follow_up(parent, "update")
    assert quiet.accepts(update) is False
    skipped = await quiet.send(update)
    assert skipped.outcome == "sent" and skipped.detail.startswith("skipped")
    assert receiver.got == []
    assert (await quiet.send(follow_up(parent, "confirmed"))).outcome == "sent"
    assert SIGNATURE_HEADER not in receiver.got[0][1]
    chatty = make(receiver, http, updates=True)
    assert (await chatty.send(update)).outcome == "sent"
    assert json.loads(receiver.got[1][0])["kind"] == "update"


@pytest.mark.parametrize(
    ("status", "headers", "outcome", "retry_after"),
    [
        (200, {}, "sent", None),
        (202, {}, "sent", None),
        (500, {}, "retry", None),
        (503, {"Retry-After": "120"}, "retry", 120.0),
        (429, {"Retry-After": "7"}, "retry", 7.0),
        (408, {}, "retry", None),
        (404, {}, "dead", None),
        (401, {}, "dead", None),
        (410, {}, "dead", None),
    ],
)
async def test_status_classification(
    receiver: Receiver,
    http: Http,
    status: int,
    headers: dict[str, str],
    outcome: str,
    retry_after: float | None,
) -> None:
    """2xx sent; 408/429/5xx retry honouring Retry-After; other 4xx dead."""
    receiver.script.append((status, headers))
    delivery = await make(receiver, http).send(meeting_alert())
    assert (delivery.outcome, delivery.retry_after_s) == (outcome, retry_after)
    if outcome != "sent":
        assert f"HTTP {status}" in delivery.detail


async def test_secret_url_from_env_is_masked(
    receiver: Receiver, http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    """url_env keeps the URL out of repr and out of failure details."""
    monkeypatch.setenv("BILAT_TEST_HOOK_URL", receiver.url + "?token=abc123secret")
    receiver.script.append((500, {}))
    notifier = WebhookNotifier(
        "hooks", WebhookOptions(type="webhook", url_env="BILAT_TEST_HOOK_URL"), http
    )
    delivery = await notifier.send(meeting_alert())
    assert delivery.outcome == "retry"
    assert "abc123secret" not in repr(notifier) and "abc123secret" not in delivery.detail
    assert "/hooks/bilat" not in repr(notifier)


def test_options_validation() -> None:
    """Exactly one of url/url_env, and an http(s) URL."""
    for bad in (
        {"type": "webhook"},
        {"type": "webhook", "url": "https://a.example", "url_env": "X"},
        {"type": "webhook", "url": "ftp://a.example/x"},
        {"type": "webhook", "url": "https://a.example", "secret": "inline"},
    ):
        with pytest.raises(ValidationError):
            WebhookOptions.model_validate(bad)
    assert NOTIFIERS["webhook"] is WebhookNotifier
