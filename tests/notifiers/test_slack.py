"""The Slack notifier against a Slack stand-in on 127.0.0.1 replaying Slack's real answers."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from pydantic import ValidationError

from monitor.contracts import HttpSettings
from monitor.net.client import Http
from monitor.notifiers import NOTIFIERS
from monitor.notifiers.common import NotifierConfigError
from monitor.notifiers.slack import SKIPPED_UPDATE, SlackNotifier, SlackOptions
from monitor.notifiers.slack_responses import TRANSIENT_ERRORS
from tests.notifiers.alerts import follow_up, meeting_alert
from tests.notifiers.blockkit import assert_slack_limits
from tests.notifiers.slack_standin import (
    CHANNEL_ID,
    FIXTURES,
    TOKEN,
    WEBHOOK_PATH,
    Reply,
    SlackStandIn,
    html_error_page,
    reply_from_http_file,
)


@pytest.fixture
def webhook_env(monkeypatch: pytest.MonkeyPatch, slack: SlackStandIn) -> str:
    monkeypatch.setenv("BILAT_TEST_SLACK_WEBHOOK", slack.webhook_url)
    return slack.webhook_url


@pytest.fixture
def token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILAT_TEST_SLACK_TOKEN", TOKEN)


def webhook_notifier(http: Http, **options: Any) -> SlackNotifier:
    opts = SlackOptions.model_validate(
        {"type": "slack", "webhook_url_env": "BILAT_TEST_SLACK_WEBHOOK", **options}
    )
    return SlackNotifier("desk", opts, http)


def bot_notifier(http: Http, slack: SlackStandIn, **options: Any) -> SlackNotifier:
    opts = SlackOptions.model_validate(
        {
            "type": "slack",
            "token_env": "BILAT_TEST_SLACK_TOKEN",
            "channel": "#desk",
            "api_url": slack.api_url,
            **options,
        }
    )
    return SlackNotifier("desk", opts, http)


# -- incoming webhook ------------------------------------------------------------------------


async def test_webhook_posts_block_kit_with_text_fallback(
    slack: SlackStandIn, http: Http, webhook_env: str
) -> None:
    """A new alert arrives as Block Kit within limits, with a text fallback, links unfurled
    off, and is reported sent."""
    delivery = await webhook_notifier(http).send(meeting_alert())
    assert delivery.outcome == "sent" and delivery.remote_id is None
    [got] = slack.received
    assert got.path == WEBHOOK_PATH
    assert got.headers["Content-Type"].startswith("application/json")
    body = got.json
    assert_slack_limits(body)
    assert [b["type"] for b in body["blocks"]] == ["header", "section", "section", "context"]
    assert body["text"].startswith("🇮🇳 🇨🇳 IN–CN: Jaishankar met Wang Yi in Astana")
    assert body["unfurl_links"] is False and body["unfurl_media"] is False


async def test_webhook_skips_updates_but_sends_confirmations(
    slack: SlackStandIn, http: Http, webhook_env: str
) -> None:
    """Webhooks cannot thread: updates are skipped (no request) unless updates = true;
    a confirmation goes as a short message naming the event."""
    notifier = webhook_notifier(http)
    parent = meeting_alert()
    update = follow_up(parent, "update")
    assert notifier.accepts(update) is False
    skipped = await notifier.send(update)
    assert (skipped.outcome, skipped.detail) == ("sent", SKIPPED_UPDATE)
    assert slack.received == []
    assert (await notifier.send(follow_up(parent, "confirmed"))).outcome == "sent"
    confirmed = slack.received[0].json
    assert (
        "IN–CN: Jaishankar met Wang Yi in Astana" in confirmed["blocks"][0]["elements"][0]["text"]
    )
    assert "Confirmed by MEA and by @DrSJaishankar" in confirmed["blocks"][1]["text"]["text"]
    chatty = webhook_notifier(http, updates=True)
    assert (await chatty.send(update)).outcome == "sent"
    assert "Update: 13 reports so far" in slack.received[1].json["text"]


WEBHOOK_RESPONSES = json.loads((FIXTURES / "incoming_webhook_responses.json").read_text())[
    "responses"
]


@pytest.mark.parametrize("recorded", WEBHOOK_RESPONSES, ids=lambda r: f"{r['status']}-{r['body']}")
async def test_webhook_classifies_every_documented_answer(
    slack: SlackStandIn, http: Http, webhook_env: str, recorded: dict[str, Any]
) -> None:
    """200 ok → sent; 5xx → retry; every documented 4xx code → dead naming the code."""
    slack.then(Reply(recorded["status"], recorded["body"].encode(), {"Content-Type": "text/plain"}))
    delivery = await webhook_notifier(http).send(meeting_alert())
    expected = (
        "sent" if recorded["status"] == 200 else "retry" if recorded["status"] >= 500 else "dead"
    )
    assert delivery.outcome == expected
    if expected != "sent":
        assert recorded["body"] in delivery.detail and str(recorded["status"]) in delivery.detail
    assert "s3cr3t" not in delivery.detail


@pytest.mark.parametrize(
    ("reply", "outcome", "needle"),
    [
        (Reply(404, b"no_service", {"Content-Type": "text/plain"}), "dead", "disabled or removed"),
        (Reply(403, b"invalid_token", {"Content-Type": "text/plain"}), "dead", "invalid_token"),
        (Reply(400, b"no_text", {"Content-Type": "text/plain"}), "dead", "no_text"),
        (Reply(502, b"<html><body>Bad gateway</body></html>", {"Content-Type": "text/html"}),
         "retry", "HTML"),
        (Reply(200, b"<html>captive portal</html>", {"Content-Type": "text/html"}), "retry",
         "unexpected body"),
    ],
)  # fmt: skip
async def test_webhook_classifies_undocumented_answers(
    slack: SlackStandIn, http: Http, webhook_env: str, reply: Reply, outcome: str, needle: str
) -> None:
    """Codes seen in the wild (no_service, invalid_token, no_text) are dead; HTML is retried."""
    slack.then(reply)
    delivery = await webhook_notifier(http).send(meeting_alert())
    assert delivery.outcome == outcome
    assert needle in delivery.detail


async def test_webhook_rate_limit_and_server_error_page_are_retried(
    slack: SlackStandIn, http: Http, webhook_env: str
) -> None:
    """429 with Retry-After → retry after 1 s; Slack's HTML 500 page → retry."""
    slack.then(reply_from_http_file("web_api_429_ratelimited.http"), html_error_page())
    notifier = webhook_notifier(http)
    limited = await notifier.send(meeting_alert())
    assert (limited.outcome, limited.retry_after_s) == ("retry", 1.0)
    broken = await notifier.send(meeting_alert())
    assert broken.outcome == "retry" and "HTML error page" in broken.detail


async def test_unreachable_webhook_is_retried_without_leaking_the_url(
    http: Http, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Connection refused → retry; neither the detail nor repr shows the webhook path."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("BILAT_TEST_SLACK_WEBHOOK", f"http://127.0.0.1:{port}{WEBHOOK_PATH}")
    notifier = webhook_notifier(http)
    delivery = await notifier.send(meeting_alert())
    assert delivery.outcome == "retry"
    assert "s3cr3t" not in delivery.detail and "B0BILAT" not in delivery.detail
    assert "s3cr3t" not in repr(notifier) and "127.0.0.1" in repr(notifier)


async def test_private_address_without_permission_is_dead(
    webhook_env: str, slack: SlackStandIn
) -> None:
    """With the SSRF guard on, a loopback webhook is a configuration error: dead, no leak."""
    async with Http(HttpSettings()) as guarded:
        delivery = await webhook_notifier(guarded).send(meeting_alert())
    assert delivery.outcome == "dead"
    assert "allow_private_networks" in delivery.detail and "s3cr3t" not in delivery.detail
    assert slack.received == []


# -- bot token (Web API) ---------------------------------------------------------------------


async def test_bot_new_update_confirm_thread_and_edit(
    slack: SlackStandIn, http: Http, token_env: None
) -> None:
    """new → chat.postMessage (bearer token, #desk); update → reply with thread_ts;
    confirmed → chat.update of the parent, then a reply in its thread."""
    notifier = bot_notifier(http, slack)
    parent = meeting_alert()
    new = await notifier.send(parent)
    assert new.outcome == "sent"
    assert new.remote_id is not None
    channel, ts = new.remote_id.split(":")
    assert channel == CHANNEL_ID and ts
    update = await notifier.send(follow_up(parent, "update"), parent_remote_id=new.remote_id)
    confirm = await notifier.send(follow_up(parent, "confirmed"), parent_remote_id=new.remote_id)
    assert update.outcome == confirm.outcome == "sent"
    paths = [r.path for r in slack.received]
    assert paths == [
        "/api/chat.postMessage",
        "/api/chat.postMessage",
        "/api/chat.update",
        "/api/chat.postMessage",
    ]
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in slack.received)
    first, reply, edit, confirm_reply = (r.json for r in slack.received)
    assert first["channel"] == "#desk" and "thread_ts" not in first
    assert_slack_limits(first)
    assert reply["thread_ts"] == ts and reply["channel"] == CHANNEL_ID
    assert reply["text"].startswith("Update: 13 reports so far")
    assert (edit["channel"], edit["ts"]) == (CHANNEL_ID, ts)
    assert edit["blocks"][0]["type"] == "header"
    assert "Confirmed by MEA" in edit["blocks"][1]["text"]["text"]
    assert confirm_reply["thread_ts"] == ts
    assert update.remote_id != new.remote_id  # the reply's own id


async def test_bot_confirmation_without_reply_returns_the_parent(
    slack: SlackStandIn, http: Http, token_env: None
) -> None:
    """confirm_reply = false: only chat.update, and the parent's id comes back."""
    notifier = bot_notifier(http, slack, confirm_reply=False)
    parent_id = f"{CHANNEL_ID}:1720000000.000100"
    delivery = await notifier.send(
        follow_up(meeting_alert(), "confirmed"), parent_remote_id=parent_id
    )
    assert (delivery.outcome, delivery.remote_id) == ("sent", parent_id)
    assert [r.path for r in slack.received] == ["/api/chat.update"]


async def test_bot_without_parent_or_with_a_vanished_parent_posts_top_level(
    slack: SlackStandIn, http: Http, token_env: None
) -> None:
    """No parent id → a full top-level message; a parent Slack no longer has
    (message_not_found on chat.update, thread_not_found on a reply) → the same."""
    notifier = bot_notifier(http, slack)
    parent = meeting_alert()
    orphan = await notifier.send(follow_up(parent, "update"))
    assert orphan.outcome == "sent"
    assert slack.received[-1].json["blocks"][0]["type"] == "header"
    assert "thread_ts" not in slack.received[-1].json
    slack.then(Reply(200, b'{"ok":false,"error":"message_not_found"}',
                     {"Content-Type": "application/json"}))  # fmt: skip
    gone = await notifier.send(follow_up(parent, "confirmed"), parent_remote_id="1720.0001")
    assert gone.outcome == "sent"
    assert [r.path for r in slack.received[-2:]] == ["/api/chat.update", "/api/chat.postMessage"]
    assert slack.received[-2].json["channel"] == "#desk"  # a bare ts uses the configured channel
    assert "thread_ts" not in slack.received[-1].json
    slack.then(Reply(200, b'{"ok":false,"error":"thread_not_found"}',
                     {"Content-Type": "application/json"}))  # fmt: skip
    lost = await notifier.send(follow_up(parent, "update"), parent_remote_id="C1:1720.0001")
    assert lost.outcome == "sent"
    assert "thread_ts" not in slack.received[-1].json


ERROR_BODIES = [
    json.loads(line)["error"]
    for line in (FIXTURES / "chat.postMessage_error_bodies.jsonl").read_text().splitlines()
]
OPENAPI_ERRORS = json.loads((FIXTURES / "chat.postMessage.openapi_responses.json").read_text())[
    "responses"
]["default"]["schema"]["properties"]["error"]["enum"]


async def test_bot_classifies_every_documented_error_code(
    slack: SlackStandIn, http: Http, token_env: None
) -> None:
    """Each of the 66 documented chat.postMessage errors (and the OpenAPI enum) is replayed
    as HTTP 200 {"ok": false}: transient ones retry, all others are dead naming the code."""
    codes = sorted(set(ERROR_BODIES) | set(OPENAPI_ERRORS))
    assert {"invalid_auth", "channel_not_found", "no_text", "ratelimited"} <= set(codes)
    notifier = bot_notifier(http, slack)
    outcomes: dict[str, str] = {}
    for code in codes:
        body = json.dumps({"ok": False, "error": code}).encode()
        slack.then(Reply(200, body, {"Content-Type": "application/json; charset=utf-8"}))
        delivery = await notifier.send(meeting_alert())
        outcomes[code] = delivery.outcome
        assert code in delivery.detail
    retried = {code for code, outcome in outcomes.items() if outcome == "retry"}
    assert retried == TRANSIENT_ERRORS & set(codes)
    assert retried >= {"ratelimited", "rate_limited", "service_unavailable", "request_timeout"}
    for code in (
        "invalid_auth",
        "not_authed",
        "channel_not_found",
        "is_archived",
        "no_text",
        "token_revoked",
        "invalid_blocks",
        "msg_too_long",
        "not_in_channel",
    ):
        assert outcomes[code] == "dead"  # fmt: skip


async def test_bot_rate_limit_server_error_and_bad_token(
    slack: SlackStandIn, http: Http, token_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """429 + Retry-After → retry 1 s; the HTML 500 page → retry; a wrong token reaches the
    server as a bearer header and comes back invalid_auth → dead without echoing it."""
    slack.then(reply_from_http_file("web_api_429_ratelimited.http"), html_error_page())
    notifier = bot_notifier(http, slack)
    limited = await notifier.send(meeting_alert())
    assert (limited.outcome, limited.retry_after_s) == ("retry", 1.0)
    assert "ratelimited" in limited.detail
    broken = await notifier.send(meeting_alert())
    assert broken.outcome == "retry" and "HTML error page" in broken.detail
    monkeypatch.setenv("BILAT_TEST_SLACK_TOKEN", "xoxb-wrong-token-value")
    wrong = bot_notifier(http, slack)
    delivery = await wrong.send(meeting_alert())
    assert delivery.outcome == "dead"
    assert "invalid_auth" in delivery.detail and "token is invalid" in delivery.detail
    assert slack.received[-1].headers["Authorization"] == "Bearer xoxb-wrong-token-value"
    assert "xoxb" not in delivery.detail and "xoxb" not in repr(wrong)


def test_options_and_missing_secrets_fail_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exactly one mode; bot mode needs a channel; an unset variable is named, not guessed."""
    for bad in (
        {"type": "slack"},
        {"type": "slack", "webhook_url_env": "A", "token_env": "B", "channel": "#x"},
        {"type": "slack", "token_env": "B"},
        {"type": "slack", "webhook_url_env": "A", "webhook_url": "https://hooks.slack.com/x"},
    ):
        with pytest.raises(ValidationError):
            SlackOptions.model_validate(bad)
    assert SlackOptions.model_validate({"type": "slack", "webhook_url_env": "A"}).min_interval == 1
    monkeypatch.delenv("BILAT_TEST_SLACK_WEBHOOK", raising=False)
    opts = SlackOptions.model_validate(
        {"type": "slack", "webhook_url_env": "BILAT_TEST_SLACK_WEBHOOK"}
    )
    with pytest.raises(NotifierConfigError, match="BILAT_TEST_SLACK_WEBHOOK"):
        SlackNotifier("desk", opts, Http(HttpSettings()))
    assert NOTIFIERS["slack"] is SlackNotifier


async def test_logs_never_carry_the_secret(
    slack: SlackStandIn, http: Http, webhook_env: str, token_env: None
) -> None:
    """Across successes and failures in both modes, no log event contains the webhook path
    or the token."""
    from structlog.testing import capture_logs

    slack.then(Reply(404, b"channel_not_found"), html_error_page())
    with capture_logs() as logs:
        hook = webhook_notifier(http)
        for _ in range(3):
            await hook.send(meeting_alert())
        bot = bot_notifier(http, slack)
        await bot.send(meeting_alert())
        await slack.stop()  # now nobody answers
        await hook.send(meeting_alert())
        await bot.send(meeting_alert())
    assert len([e for e in logs if e["event"] == "notify.slack.attempt"]) == 6
    dumped = repr(logs)
    assert "s3cr3t" not in dumped and TOKEN not in dumped
