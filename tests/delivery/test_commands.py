"""`bilat notify-test`, `bilat render ALERT_ID` and `bilat check` for notifiers, through the
real CLI in a subprocess against the Slack stand-in and a real state file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.store import open_store
from tests.conftest import WriteConfig, run_cli
from tests.delivery.conftest import numbered, queue, reply_to
from tests.notifiers.slack_standin import WEBHOOK_PATH, Reply, SlackStandIn

ENV = "BILAT_TEST_CLI_SLACK_WEBHOOK"
SMTP_ENV = "BILAT_TEST_CLI_SMTP_PASSWORD"


def slack_config(**slack: Any) -> dict[str, Any]:
    return {
        "notifiers": {
            "console": {"type": "console"},
            "slack": {"type": "slack", "webhook_url_env": ENV, **slack},
        }
    }


async def test_notify_test_sends_the_sample_and_reports_success(
    slack: SlackStandIn, write_config: WriteConfig
) -> None:
    """notify-test NAME posts the sample alert through that notifier now, prints outcome and
    detail without the webhook secret, and exits 0."""
    config = write_config(slack_config())
    result = await run_cli("notify-test", "slack", "-c", str(config), env={ENV: slack.webhook_url})
    assert result.returncode == 0, result.stderr
    assert "outcome:   sent" in result.stdout
    assert "detail:    slack webhook: ok" in result.stdout
    assert len(slack.received) == 1 and "Jaishankar met Wang Yi" in slack.received[0].text
    assert WEBHOOK_PATH not in result.stdout + result.stderr
    assert "/***" in result.stdout  # the target is shown, masked


async def test_notify_test_reports_a_permanent_error_and_exits_1(
    slack: SlackStandIn, write_config: WriteConfig
) -> None:
    """A refusal (404 channel_not_found) is printed with Slack's code and what it means."""
    slack.then(Reply(404, b"channel_not_found", {"Content-Type": "text/plain"}))
    config = write_config(slack_config())
    result = await run_cli("notify-test", "slack", "-c", str(config), env={ENV: slack.webhook_url})
    assert result.returncode == 1
    assert "outcome:   dead" in result.stdout
    assert "HTTP 404 channel_not_found (the channel does not exist" in result.stdout


async def test_notify_test_reports_an_unreachable_server_as_transient(
    slack: SlackStandIn, write_config: WriteConfig
) -> None:
    """Nobody listening: outcome retry with the network error, exit 1."""
    url = slack.webhook_url
    await slack.down()
    config = write_config(slack_config())
    result = await run_cli("notify-test", "slack", "-c", str(config), env={ENV: url})
    assert result.returncode == 1
    assert "outcome:   retry" in result.stdout and "network error" in result.stdout


async def test_notify_test_config_errors_exit_2(write_config: WriteConfig) -> None:
    """An unknown notifier name, and a (disabled) notifier whose secret is not set, exit 2
    with a message naming the problem; nothing is sent."""
    config = write_config(slack_config(enabled=False))
    unknown = await run_cli("notify-test", "nope", "-c", str(config))
    assert unknown.returncode == 2
    assert "no notifier named 'nope'" in unknown.stderr and "console, slack" in unknown.stderr
    missing = await run_cli("notify-test", "slack", "-c", str(config))
    assert missing.returncode == 2
    assert f"environment variable {ENV} (from webhook_url_env) is not set" in missing.stderr


async def test_render_alert_id_prints_the_stored_alert_and_its_delivery_record(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """render ALERT_ID reads the alert from the configured state: its delivery record (a dead
    letter's error included) and every channel's payload; an unknown id exits 1."""
    config = write_config(slack_config(enabled=False))
    store = await open_store(f"sqlite:///{tmp_path / 'state' / 'bilat.db'}")
    parent = numbered(1, notifier="slack")
    update = reply_to(parent, "update")
    try:
        await queue(store, parent, update)
        await store.mark_sent(parent.id, at=datetime.now(UTC), remote_id=None)
        await store.mark_dead(
            update.id, at=datetime.now(UTC), error="slack webhook: HTTP 404 channel_not_found"
        )
    finally:
        await store.close()

    result = await run_cli("render", update.id, "-c", str(config))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("===== delivery =====\n")
    assert f"alert:     {update.id} (update, rule bilateral, event ev-1)" in out
    assert f"parent:    {parent.id}" in out
    assert "state:     dead after 1 attempt(s)" in out
    assert "error:     slack webhook: HTTP 404 channel_not_found" in out
    for channel in ("slack", "email", "webhook", "console"):
        assert f"===== {channel} =====" in out
    assert "// thread reply (chat.postMessage with thread_ts)" in out

    only = await run_cli("render", parent.id, "-c", str(config), "--channel", "webhook")
    assert only.returncode == 0, only.stderr
    document = json.loads(only.stdout.split("=====\n", 1)[1])
    assert document["schema"] == "bilat.alert/1" and document["id"] == parent.id

    unknown = await run_cli("render", "no-such-alert", "-c", str(config))
    assert unknown.returncode == 1 and "no alert 'no-such-alert'" in unknown.stderr


async def test_check_lists_slack_and_email_with_secrets_masked(write_config: WriteConfig) -> None:
    """bilat check shows the notifiers with the names of their secret variables and whether
    they are set, never the values."""
    secret_url = "https://hooks.slack.com/services/T0/B0/vErYsEcReTpAtH"
    password = "correct horse battery staple"
    doc = slack_config()
    doc["notifiers"]["email"] = {
        "type": "email",
        "enabled": False,
        "host": "smtp.example.org",
        "starttls": True,
        "username": "bilat@example.org",
        "password_env": SMTP_ENV,
        "from": "bilat@example.org",
        "to": ["desk@example.org"],
        "digest": "15m",
    }
    config = write_config(doc)
    result = await run_cli("check", "-c", str(config), env={ENV: secret_url, SMTP_ENV: password})
    assert result.returncode == 0, result.stderr
    assert f"webhook_url_env={ENV} (set)" in result.stdout
    assert f"password_env={SMTP_ENV} (set)" in result.stdout
    assert "vErYsEcReTpAtH" not in result.stdout and password not in result.stdout
