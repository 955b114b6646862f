"""The Slack notifier: incoming webhook or bot token (``[notifiers.NAME] type = "slack"``).

Incoming webhook (``webhook_url_env``): one POST per alert, Block Kit with a text fallback.
Webhooks cannot thread or edit, so "update" alerts are skipped unless ``updates = true``
(then each goes as a short standalone message), and a "confirmed" alert goes as a short
standalone message naming the event.

Bot token (``token_env`` + ``channel``), Web API at ``api_url``:
- "new": ``chat.postMessage``; ``remote_id = "<channel id>:<ts>"`` (chat.update needs the
  channel *id*, which only the response carries, so it is kept with the ``ts``; a bare
  ``ts`` is accepted too and used with the configured channel).
- "update": ``chat.postMessage`` with ``thread_ts`` = the parent's ts (a quiet reply).
- "confirmed": ``chat.update`` of the parent (the full message, now with "✅ Confirmed by
  …"), then a thread reply saying so (``confirm_reply = false`` to skip it), because an edit
  notifies nobody. The edit is idempotent, so a retry after a failed reply repeats nothing
  visible.
- update/confirmed return the ``remote_id`` of the reply they posted (the parent's when
  ``confirm_reply = false``); the worker must always pass the *"new"* alert's remote id as
  ``parent_remote_id``, never a reply's (Slack threads only one level deep).
- No parent (``parent_remote_id`` None), or a parent Slack no longer has: the alert is
  posted top-level as a full message, and that message's id is returned.
Secrets are read from the environment at construction and never appear in ``repr``, logs or
``Delivery.detail``.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

import structlog
from pydantic import SecretStr, model_validator

from monitor import render
from monitor.contracts import HttpClient
from monitor.model import Alert
from monitor.notifiers.base import Delivery, NotifierOptions
from monitor.notifiers.common import (
    NotifierConfigError,
    Scrubber,
    coerce_options,
    failed_request,
    mask_url,
    read_secret,
)
from monitor.notifiers.slack_responses import THREAD_GONE, classify_web_api, classify_webhook
from monitor.units import Seconds

log = structlog.get_logger(__name__)

SKIPPED_UPDATE = "skipped: updates disabled for this notifier"


class SlackOptions(NotifierOptions):
    """``[notifiers.NAME]`` keys for ``type = "slack"``."""

    webhook_url_env: str | None = None  # incoming-webhook mode
    token_env: str | None = None  # bot mode (xoxb- token)
    channel: str | None = None  # bot mode: "#desk" or a channel id
    api_url: str = "https://slack.com/api"
    min_interval: Seconds = 1.0  # Slack allows about one message per second per channel
    timeout: Seconds = 10.0
    updates: bool | None = None  # None: threaded in bot mode, skipped in webhook mode
    confirm_reply: bool = True  # bot mode: also reply in the thread when confirming
    unfurl: bool = False  # let Slack unfurl the source link (noisy in a busy channel)

    @model_validator(mode="after")
    def _one_mode(self) -> SlackOptions:
        if bool(self.webhook_url_env) == bool(self.token_env):
            raise ValueError("set exactly one of webhook_url_env (webhook) or token_env (bot)")
        if self.token_env and not self.channel:
            raise ValueError('bot mode (token_env) needs channel, e.g. channel = "#desk"')
        if not self.api_url.startswith(("https://", "http://")):
            raise ValueError("api_url must be an http(s) URL")
        return self

    def updates_policy(self) -> bool:
        """Updates when ``updates`` says so, else only in bot mode (webhooks cannot thread)."""
        return self.updates if self.updates is not None else bool(self.token_env)


class SlackNotifier:
    """Sends alerts to Slack. See the module docstring for the two modes."""

    type_name: ClassVar[str] = "slack"
    Options: ClassVar[type[NotifierOptions]] = SlackOptions

    def __init__(self, name: str, options: NotifierOptions, http: HttpClient) -> None:
        self.name = name
        self.options = opts = coerce_options(SlackOptions, options)
        self._http = http
        self._webhook: SecretStr | None = None
        self._token: SecretStr | None = None
        if opts.webhook_url_env:
            self._webhook = read_secret(opts.webhook_url_env, notifier=name, key="webhook_url_env")
            url = self._webhook.get_secret_value()
            if not url.startswith(("https://", "http://")):
                raise NotifierConfigError(
                    f"notifier {name!r}: {opts.webhook_url_env} does not hold an http(s) URL"
                )
            self._target = mask_url(url)
        else:
            assert opts.token_env is not None  # the validator guarantees one mode
            self._token = read_secret(opts.token_env, notifier=name, key="token_env")
            self._target = f"{opts.api_url} {opts.channel}"
        self._scrub = Scrubber(self._webhook, self._token)

    @property
    def destination(self) -> str:
        """Pacing key: the channel (Slack allows about one message per second per channel).
        An incoming webhook posts to one channel: a digest of its URL names it, not secret."""
        if self._webhook is not None:
            url = self._webhook.get_secret_value()
            return "slack:" + hashlib.sha256(url.encode()).hexdigest()[:16]
        return f"slack:{self.options.api_url}:{self.options.channel}"

    def __repr__(self) -> str:
        mode = "webhook" if self._webhook else "bot"
        return f"SlackNotifier(name={self.name!r}, mode={mode}, target={self._target!r})"

    @property
    def bot_mode(self) -> bool:
        return self._token is not None

    def accepts(self, alert: Alert) -> bool:
        """False for alerts this notifier does not deliver ("update" with updates off), so
        the router need not queue them; ``send`` still answers sent/skipped for them."""
        if alert.kind != "update":
            return True
        return self.options.updates if self.options.updates is not None else self.bot_mode

    async def send(self, alert: Alert, *, parent_remote_id: str | None = None) -> Delivery:
        if not self.accepts(alert):
            return Delivery("sent", SKIPPED_UPDATE)
        if self._webhook is not None:
            return await self._send_webhook(alert)
        return await self._send_bot(alert, parent_remote_id)

    async def aclose(self) -> None:
        """Nothing to close: the HTTP client belongs to the daemon."""

    # -- incoming webhook ------------------------------------------------------------------

    async def _send_webhook(self, alert: Alert) -> Delivery:
        assert self._webhook is not None
        if alert.kind == "new":
            payload = render.slack_message(alert)
        else:
            payload = render.slack_standalone_update(alert)
        payload["unfurl_links"] = payload["unfurl_media"] = self.options.unfurl
        try:
            resp = await self._http.post_json(
                self._webhook.get_secret_value(), payload, timeout_s=self.options.timeout
            )
        except Exception as exc:  # no response: classified, never raised to the worker
            return self._logged(alert, failed_request(exc, "slack webhook", self._scrub))
        return self._logged(alert, classify_webhook(resp))

    # -- bot token (Web API) ---------------------------------------------------------------

    async def _call(self, method: str, payload: dict[str, Any]) -> tuple[Delivery, str]:
        """One Web API call: its Delivery and the error code ("" on success)."""
        assert self._token is not None
        url = f"{self.options.api_url.rstrip('/')}/{method}"
        headers = {
            "Authorization": f"Bearer {self._token.get_secret_value()}",
            "Content-Type": "application/json; charset=utf-8",
        }
        try:
            resp = await self._http.post_json(
                url, payload, headers=headers, timeout_s=self.options.timeout
            )
        except Exception as exc:
            return failed_request(exc, f"slack {method}", self._scrub), ""
        delivery, data = classify_web_api(resp, method)
        return delivery, str(data.get("error") or "")

    def _base(self, channel: str | None) -> dict[str, Any]:
        base: dict[str, Any] = {"channel": channel or self.options.channel}
        base["unfurl_links"] = base["unfurl_media"] = self.options.unfurl
        return base

    async def _post_top_level(self, alert: Alert, channel: str | None = None) -> Delivery:
        payload = {**self._base(channel), **render.slack_message(alert)}
        delivery, _ = await self._call("chat.postMessage", payload)
        return delivery

    async def _send_bot(self, alert: Alert, parent: str | None) -> Delivery:
        if alert.kind == "new" or not parent:
            return self._logged(alert, await self._post_top_level(alert))
        channel, ts = _split_remote(parent)
        if alert.kind == "confirmed":
            edit = {
                "channel": channel or self.options.channel,
                "ts": ts,
                **render.slack_message(alert),
            }
            delivery, error = await self._call("chat.update", edit)
            if delivery.outcome == "retry" or (
                delivery.outcome == "dead" and error not in THREAD_GONE
            ):
                return self._logged(alert, delivery)
            if delivery.outcome == "dead":  # the parent is gone: say it top-level
                return self._logged(alert, await self._post_top_level(alert, channel))
            if not self.options.confirm_reply:
                return self._logged(alert, Delivery("sent", delivery.detail, remote_id=parent))
        reply = {**self._base(channel), "thread_ts": ts, **render.slack_reply(alert)}
        delivery, error = await self._call("chat.postMessage", reply)
        if delivery.outcome == "dead" and error in THREAD_GONE:
            delivery = await self._post_top_level(alert, channel)
            return self._logged(alert, delivery)
        return self._logged(alert, delivery)

    def _logged(self, alert: Alert, delivery: Delivery) -> Delivery:
        log.debug(
            "notify.slack.attempt",
            notifier=self.name,
            alert_id=alert.id,
            kind=alert.kind,
            outcome=delivery.outcome,
            detail=delivery.detail,
        )
        return delivery


def _split_remote(remote_id: str) -> tuple[str | None, str]:
    """``"C123:1503435956.000247"`` → (channel id, ts); a bare ts → (None, ts)."""
    channel, sep, ts = remote_id.partition(":")
    return (channel, ts) if sep else (None, remote_id)
