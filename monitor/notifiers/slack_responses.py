"""How Slack answers, classified into a ``Delivery`` (PURE: a response in, an outcome out).

Incoming webhooks answer in plain text: ``200 ok``, or an HTTP error status with a code as the
body (``400 invalid_payload``, ``403 action_prohibited``, ``404 channel_not_found``,
``410 channel_is_archived``, ``500 rollup_error`` …). The Web API answers HTTP 200 with
``{"ok": false, "error": "…"}`` for almost every failure, and 429 with ``Retry-After``.

| answer                                              | outcome                         |
|-----------------------------------------------------|---------------------------------|
| webhook 200 ``ok`` / Web API ``{"ok": true}``       | sent (Web API: ``ts`` kept)     |
| 429 (any body)                                      | retry after ``Retry-After``     |
| 5xx, an HTML error page, a non-JSON Web API body    | retry                           |
| 408, ``ratelimited``, ``rate_limited``,             | retry                           |
| ``service_unavailable``, ``fatal_error``,           |                                 |
| ``internal_error``, ``request_timeout``,            |                                 |
| ``message_limit_exceeded``, ``team_added_to_org``,  |                                 |
| ``org_login_required``                              |                                 |
| any other error code or 4xx (``invalid_payload``,   | dead, with the code and what it |
| ``channel_not_found``, ``invalid_auth``, ``no_text``| means                           |
| ``not_authed``, ``is_archived``, ``token_revoked``, |                                 |
| ``no_service``, ``invalid_blocks`` …)               |                                 |

Unknown codes are dead, not retried: Slack's transient conditions are the short list above,
and a dead letter with the code in its detail is better than a day of futile retries.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.contracts import HttpResponse
from monitor.notifiers.base import Delivery
from monitor.notifiers.common import body_snippet, looks_like_html, retry_after

TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "service_unavailable",
        "fatal_error",
        "internal_error",
        "request_timeout",
        "message_limit_exceeded",
        "team_added_to_org",
        "org_login_required",
    }
)

# What the codes a desk will actually meet mean, and what to do about them.
MEANINGS = {
    "invalid_payload": "Slack could not read the message (a bilat bug: please report it)",
    "invalid_blocks": "Slack rejected the message blocks (a bilat bug: please report it)",
    "invalid_blocks_format": "Slack rejected the message blocks (a bilat bug: please report it)",
    "msg_too_long": "the message is too long",
    "msg_blocks_too_long": "the message blocks are too long",
    "no_text": "the message had no text",
    "channel_not_found": "the channel does not exist or the app cannot see it",
    "not_in_channel": "the app is not a member of the channel: invite it",
    "channel_is_archived": "the channel is archived",
    "is_archived": "the channel is archived",
    "user_not_found": "the user does not exist",
    "action_prohibited": "the workspace forbids posting here",
    "posting_to_general_channel_denied": "only admins may post in this channel",
    "invalid_auth": "the token is invalid: check the token environment variable",
    "not_authed": "no token was sent: check the token environment variable",
    "invalid_token": "the webhook URL or token is invalid",
    "token_revoked": "the token was revoked",
    "token_expired": "the token has expired",
    "account_inactive": "the token belongs to a deleted user or workspace",
    "missing_scope": "the token lacks a scope (chat:write)",
    "no_permission": "the token lacks permission for this channel",
    "no_service": "the incoming webhook was disabled or removed",
    "no_service_id": "the webhook URL is incomplete",
    "no_team": "the webhook URL is incomplete",
    "team_disabled": "the workspace is disabled",
    "message_not_found": "the message to edit no longer exists",
    "cant_update_message": "the message cannot be edited",
    "edit_window_closed": "the message is too old to edit",
    "restricted_action": "a workspace preference prevents posting",
    "restricted_action_read_only_channel": "the channel is read-only",
}

# Errors that mean the thread parent is gone or cannot take replies: post top-level instead.
THREAD_GONE = frozenset(
    {
        "thread_not_found",
        "message_not_found",
        "cannot_reply_to_message",
        "cant_update_message",
        "edit_window_closed",
        "restricted_action_thread_locked",
        "restricted_action_non_threadable_channel",
    }
)


def _dead(what: str, code: str, status: int) -> Delivery:
    meaning = MEANINGS.get(code)
    detail = f"{what}: HTTP {status} {code}"
    return Delivery("dead", f"{detail} ({meaning})" if meaning else detail)


def _code(body: bytes) -> str:
    """A Slack error code from a plain-text body, or "" when the body is not one."""
    text = body.decode("utf-8", "replace").strip()
    if text and len(text) <= 64 and all(c.isalnum() or c == "_" for c in text):
        return text
    return ""


def classify_webhook(resp: HttpResponse, what: str = "slack webhook") -> Delivery:
    """The outcome of one POST to an incoming webhook."""
    status = resp.status
    code = _code(resp.body)
    if status == 429:
        return Delivery("retry", f"{what}: HTTP 429 rate limited", retry_after(resp.headers))
    if status >= 500 or status == 408:
        kind = "an HTML error page" if looks_like_html(resp.body, resp.content_type) else code
        return Delivery(
            "retry",
            f"{what}: HTTP {status} {kind or body_snippet(resp.body)}".rstrip(),
            retry_after(resp.headers),
        )
    if 200 <= status < 300:
        if code == "ok" or not resp.body.strip():
            return Delivery("sent", f"{what}: ok")
        if code and code not in TRANSIENT_ERRORS:
            return _dead(what, code, status)  # old webhooks answered 200 with an error code
        return Delivery(
            "retry", f"{what}: HTTP {status} unexpected body: {body_snippet(resp.body)}"
        )
    if code in TRANSIENT_ERRORS:
        return Delivery("retry", f"{what}: HTTP {status} {code}", retry_after(resp.headers))
    if code:
        return _dead(what, code, status)
    return Delivery("dead", f"{what}: HTTP {status} {body_snippet(resp.body)}".rstrip())


def parse_web_api(resp: HttpResponse) -> dict[str, Any] | None:
    """The JSON object of a Web API response, or None when the body is not one."""
    try:
        data = json.loads(resp.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def classify_web_api(resp: HttpResponse, method: str) -> tuple[Delivery, dict[str, Any]]:
    """The outcome of one Web API call and its parsed body ({} when it had none).

    A ``sent`` Delivery carries ``remote_id = "<channel id>:<ts>"`` when the body has both.
    """
    what = f"slack {method}"
    data = parse_web_api(resp) or {}
    error = str(data.get("error") or "")
    if resp.status == 429:
        return Delivery(
            "retry", f"{what}: HTTP 429 {error or 'rate limited'}", retry_after(resp.headers)
        ), data
    if resp.status >= 500 or resp.status == 408:
        kind = "an HTML error page" if looks_like_html(resp.body, resp.content_type) else error
        return Delivery(
            "retry", f"{what}: HTTP {resp.status} {kind}".rstrip(), retry_after(resp.headers)
        ), data
    if not data:
        if resp.status >= 400:
            code = _code(resp.body)
            return Delivery(
                "dead", f"{what}: HTTP {resp.status} {code or body_snippet(resp.body)}"
            ), data
        return Delivery(
            "retry", f"{what}: HTTP {resp.status} not JSON: {body_snippet(resp.body)}"
        ), data
    if data.get("ok") is True:
        channel, ts = data.get("channel"), data.get("ts")
        remote = f"{channel}:{ts}" if channel and ts else (str(ts) if ts else None)
        return Delivery("sent", f"{what}: ok", remote_id=remote), data
    if error in TRANSIENT_ERRORS:
        return Delivery("retry", f"{what}: {error}", retry_after(resp.headers)), data
    return _dead(what, error or "ok=false without an error code", resp.status), data
