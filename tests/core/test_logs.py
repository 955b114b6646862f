"""Logging: JSON or console rendering, contextvars, and secrets masked everywhere."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from monitor.logs import MASK, configure_logging, mask_text, register_secrets


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    yield out
    structlog.reset_defaults()
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "_bilat", False):
            logging.getLogger().removeHandler(handler)


def test_json_lines_with_context(stream: io.StringIO) -> None:
    """Off a terminal, each event is one JSON object with level, time and bound context."""
    configure_logging("info", "auto", stream=stream)
    log = structlog.get_logger("t")
    with structlog.contextvars.bound_contextvars(source_id="bbc-world"):
        log.info("source.polled", status="200", fetched=3, new=1, matched=0, ms=12)
    log.debug("hidden")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["event"] == "source.polled" and event["source_id"] == "bbc-world"
    assert event["level"] == "info" and event["fetched"] == 3 and "timestamp" in event


def test_console_format_is_key_value(stream: io.StringIO) -> None:
    """log_format = "console" renders a human line with key=value pairs."""
    configure_logging("debug", "console", stream=stream)
    structlog.get_logger("t").warning("source.failing", source_id="x", reason="timeout")
    line = stream.getvalue()
    assert "source.failing" in line and "source_id=x" in line and "reason=timeout" in line
    assert not line.lstrip().startswith("{")


def test_stdlib_logs_share_the_format(stream: io.StringIO) -> None:
    """Third-party stdlib logging goes through the same renderer (and masking)."""
    configure_logging("info", "json", stream=stream)
    logging.getLogger("aiohttp.client").warning(
        "posting to https://hooks.slack.com/services/T1/B2/XyZ"
    )
    event = json.loads(stream.getvalue().splitlines()[-1])
    assert event["event"] == "posting to https://hooks.slack.com/" + MASK


@pytest.mark.parametrize(
    ("text", "secret_part"),
    [
        ("url=https://hooks.slack.com/services/T000/B000/abcdefXYZ", "T000/B000/abcdefXYZ"),
        ("token xoxb-123456-abcdef-ghijk used", "xoxb-123456-abcdef-ghijk"),
        ("Authorization: Bearer abc.def.ghi-jkl", "abc.def.ghi-jkl"),
        ("headers={'Authorization': 'Basic dXNlcjpwYXNz'}", "dXNlcjpwYXNz"),
        ("smtp://bilat:hunter2secret@mail.example.org", "hunter2secret"),
        ("https://api.x.invalid/v1?access_token=s3cr3tvalue&page=2", "s3cr3tvalue"),
    ],
)
def test_secret_shapes_are_masked(text: str, secret_part: str) -> None:
    """Webhook URLs, Slack tokens, Authorization headers, URL passwords, token params."""
    masked = mask_text(text)
    assert secret_part not in masked and MASK in masked


def test_registered_secret_values_are_masked_in_events(stream: io.StringIO) -> None:
    """A value read from a secret env var never appears, whatever key carries it."""
    register_secrets(["correct-horse-battery-staple"])
    configure_logging("info", "json", stream=stream)
    log = structlog.get_logger("t")
    log.error("delivery.failing", reason="rejected key correct-horse-battery-staple", password="pw")
    try:
        raise ValueError("boom correct-horse-battery-staple")
    except ValueError:
        log.exception("delivery.error")
    out = stream.getvalue()
    assert "correct-horse-battery-staple" not in out
    first = json.loads(out.splitlines()[0])
    assert first["reason"] == f"rejected key {MASK}" and first["password"] == MASK


def test_a_secret_url_is_shown_as_scheme_and_host_however_it_is_quoted() -> None:
    """A URL registered as a secret shows as scheme://host/*** in any log text: quoted whole,
    re-encoded, with its query half-masked already, or only its token segment."""
    from monitor.logs import mask_text, register_secrets

    register_secrets(["https://hooks.example.org:8443/hook/t0kenABCDEF?key=qu3ryVALUE"])
    for text, shown in [
        ("POST https://hooks.example.org:8443/hook/t0kenABCDEF?key=qu3ryVALUE failed", True),
        ("POST https://HOOKS.example.org:8443/hook/t0kenABCDEF?key=*** failed", True),
        ("error at https://hooks.example.org:8443/hook/t0ken%41BCDEF", True),
        ("the token t0kenABCDEF leaked, and qu3ryVALUE", False),
    ]:
        masked = mask_text(text)
        assert "t0ken" not in masked and "qu3ry" not in masked, masked
        assert ("https://hooks.example.org:8443/***" in masked) is shown, masked
