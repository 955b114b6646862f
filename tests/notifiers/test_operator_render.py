"""bilat's own alerts to its operator (a silent source) read as notes, not as scored matches:
no confidence figure and no "~operator" rule id in any channel."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from monitor import render
from monitor.render import mail
from monitor.store.ops_types import SilenceEpisode
from monitor.watch.notes import silence_alert
from tests.notifiers.alerts import keyword_alert
from tests.notifiers.blockkit import all_texts

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _note() -> object:
    episode = SilenceEpisode(
        source_id="wire",
        episode_id="ep1",
        since=datetime(2026, 12, 5, 20, 0, tzinfo=UTC),
        opened_at=NOW,
        reason="nothing new for 16h (limit 6h from its history)",
    )
    return silence_alert("ops", episode, "Wire service", NOW)


def test_console_says_operator_note_without_a_score() -> None:
    text = render.console(_note())  # type: ignore[arg-type]
    assert "is silent: nothing new for 16h" in text
    assert "operator note" in text
    assert "%" not in text and "~operator" not in text


def test_slack_has_no_confidence_field_and_no_reserved_rule_id() -> None:
    message = render.slack_message(_note())  # type: ignore[arg-type]
    texts = " ".join(all_texts(message["blocks"]))
    assert "Confidence" not in texts and "~operator" not in texts
    assert "operator note" in texts
    assert "is silent" in json.dumps(message, ensure_ascii=False)


def test_mail_has_no_confidence_row_and_says_operator_note() -> None:
    note = _note()
    body = mail.text_body(note)  # type: ignore[arg-type]
    assert "Operator note ·" in body
    assert "Confidence" not in body and "~operator" not in body
    html = mail.html_body(note)  # type: ignore[arg-type]
    assert "Operator note ·" in html and "~operator" not in html


def test_a_keyword_alert_keeps_its_score_and_its_rule_id_case() -> None:
    alert = keyword_alert()
    assert "%" in render.console(alert)
    assert f"Rule {alert.rule_id} ·" in mail.text_body(alert)
