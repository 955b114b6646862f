"""The webhook signature check printed in the README verifies what the webhook notifier
really sends, and rejects a tampered body and an old timestamp."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from monitor.notifiers.webhook import WebhookNotifier, WebhookOptions
from monitor.render.sample import sample_alert
from tests.conftest import ROOT

SECRET = "whsec-readme-snippet-test"


def readme_verify() -> Any:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(import hashlib.*?def verify.*?)```", text, re.S)
    assert block, "the README's signature snippet is missing"
    namespace: dict[str, Any] = {}
    exec(block.group(1), namespace)
    return namespace["verify"]


def test_readme_signature_snippet_verifies_a_real_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the README's verify() on a request built by WebhookNotifier: accepted as sent,
    refused with one changed byte or a timestamp ten minutes old."""
    monkeypatch.setenv("BILAT_TEST_README_SECRET", SECRET)
    options = WebhookOptions(
        type="webhook", url="https://desk.example.org/hook", secret_env="BILAT_TEST_README_SECRET"
    )
    notifier = WebhookNotifier("hook", options, http=None)  # type: ignore[arg-type]
    verify = readme_verify()
    _, body, headers = notifier.request(sample_alert(notifier="hook"))
    assert verify(SECRET.encode(), body, headers) is True
    assert verify(SECRET.encode(), body.replace(b"Astana", b"Astanb"), headers) is False
    _, old_body, old_headers = notifier.request(sample_alert(), now=time.time() - 600)
    assert verify(SECRET.encode(), old_body, old_headers) is False
