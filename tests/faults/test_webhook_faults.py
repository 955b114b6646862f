"""Webhook receiver faults under `bilat run`: real aiohttp receivers on loopback, one per
notifier, answering 429 with ``Retry-After: 2`` twice (retried no sooner than it says, then
delivered once), hanging past the client's timeout (retried), 500 for good (dead at first
failure + ``retry_for`` ± 1 s), and an https:// URL to a port that speaks plain HTTP (a TLS
error: a connection error, so retried as transient until its deadline, as README's
"Delivery guarantees" documents, with one error line), and 429 with a Retry-After that
reaches past the alert's deadline (dead at the deadline, not after the pause; the
destination's other alert still waits out the pause and goes once).

The notifier-level classification of each answer is in tests/notifiers/test_webhook.py; this
is the whole daemon: its outbox, its Retry-After pause, its backoff and its deadline timer
against real servers. The SMTP side is tests/faults/test_smtp_faults.py."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.store.base import OutboxRow
from tests.conftest import FeedServer, WriteConfig, rss, run_cli
from tests.faults.harness import Receiver, start_daemon, until_settled

ALERTS = 2
RETRY_AFTER_S = 2.0
RETRY_FOR_S = 3.0  # the deadline notifiers' window; their 2nd backoff step (2-4 s) lies past it
TIMEOUT_S = 1.0  # the client's HTTP timeout; a hang lasts longer
HANG_S = 3.0
LONG_RETRY_AFTER_S = 6.0  # a 429 whose Retry-After reaches past the row's retry_for deadline
NOTIFIERS = ("throttled", "hangs", "fails500", "tls", "overdue")


@pytest.fixture
async def receivers() -> AsyncIterator[dict[str, Receiver]]:
    started = {name: await Receiver().start() for name in NOTIFIERS}
    throttled = started["throttled"]
    throttled.retry_after = f"{RETRY_AFTER_S:.0f}"
    throttled.status_for = lambda alert_id: 429 if throttled.posts.count(alert_id) <= 2 else 200
    started["hangs"].hang_first_s = HANG_S
    started["fails500"].status = 500
    # The first alert to arrive gets a 429 whose pause outlasts its deadline; the others 200.
    overdue = started["overdue"]
    overdue.retry_after = f"{LONG_RETRY_AFTER_S:.0f}"
    overdue.status_for = lambda alert_id: 429 if alert_id == overdue.posts[0] else 200
    yield started
    for receiver in started.values():
        await receiver.stop()


def _notifier(name: str, receiver: Receiver) -> dict[str, Any]:
    url = f"{receiver.url}/{name}"
    if name == "tls":  # the receiver speaks plain HTTP: the TLS handshake fails
        url = url.replace("http://", "https://", 1)
    options: dict[str, Any] = {"type": "webhook", "url": url, "timeout": TIMEOUT_S}
    if name in {"fails500", "tls", "overdue"}:
        options["retry_for"] = RETRY_FOR_S
    return options


async def test_webhook_throttles_hangs_and_deadlines_under_the_daemon(
    feed_server: FeedServer,
    write_config: WriteConfig,
    receivers: dict[str, Receiver],
    tmp_path: Path,
    record_property: Any,
) -> None:
    """Every alert reaches the throttling and the hanging receiver exactly once, the 429's
    retry no sooner than its Retry-After; the endless 500 and the TLS error are dead at
    their deadline ± 1 s (the TLS error after more than one attempt: transient), each with
    one error line."""
    items = ({"guid": f"g{n}", "title": f"Jaishankar meets envoy {n}"} for n in range(ALERTS))
    url = feed_server.serve("/desk.xml", rss(*items))
    config = write_config(
        {
            "monitor": {"startup_spread": 0, "grace_s": 1, "workers": 0},
            "sources": [{"id": "desk", "type": "feed", "url": url}],
            "rules": [
                {"id": "kw", "type": "keyword", "any": ["Jaishankar"], "notify": list(NOTIFIERS)}
            ],
            "notifiers": {name: _notifier(name, r) for name, r in receivers.items()},
        }
    )
    log = tmp_path / "run.log"
    started = time.monotonic()
    daemon = await start_daemon(config, log)
    dead_at: dict[tuple[str, str], tuple[float, datetime]] = {}  # -> (monotonic, wall clock)
    try:

        def seen(row: OutboxRow) -> None:
            if row.state == "dead":
                key = (row.notifier, row.alert.id)
                dead_at.setdefault(key, (time.monotonic(), datetime.now(UTC)))

        final = await until_settled(tmp_path, ALERTS * len(NOTIFIERS), 30, seen)
        settled_s = time.monotonic() - started
        await asyncio.sleep(1.0)  # nothing more is sent
        assert await daemon.stop() == 0
    finally:
        await daemon.kill()
    states = Counter((r.notifier, r.state) for r in final)
    rows = {(r.notifier, r.alert.id): r for r in final}

    # 429 twice, then 200: delivered once each, every retry no sooner than the Retry-After.
    throttled = receivers["throttled"]
    assert states[("throttled", "sent")] == ALERTS, states
    assert Counter(throttled.delivered()) == {
        r.alert.id: 1 for r in final if r.notifier == "throttled"
    }
    assert Counter(throttled.posts) == {a: 3 for a in throttled.delivered()}  # 429, 429, 200
    gaps: list[float] = []
    for alert_id in throttled.delivered():
        times = [at for a, _, at in throttled.answers if a == alert_id]
        gaps += [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= RETRY_AFTER_S - 0.01, gaps  # timer granularity, not a shortcut
    # The 429 pauses the destination, not only its row (the plain 2 s backoff would not):
    # no POST of any alert reaches the receiver within Retry-After of a 429.
    after_429 = [b[2] - a[2] for a, b in itertools.pairwise(throttled.answers) if a[1] == 429]
    assert min(after_429) >= RETRY_AFTER_S - 0.01, after_429

    # A hang past the client's timeout: given up on, retried, delivered once.
    hangs = receivers["hangs"]
    assert states[("hangs", "sent")] == ALERTS, states
    assert Counter(hangs.posts) == {a: 2 for a in hangs.delivered()}, hangs.posts
    assert len(hangs.delivered()) == ALERTS  # the hung first POSTs answered 503: not counted
    for alert_id in hangs.delivered():
        assert rows[("hangs", alert_id)].attempts == 2

    # 500 for good: dead at its first failure + retry_for, not at a later attempt.
    failing = receivers["fails500"]
    lateness: list[float] = []
    for alert_id in {a for a, _, _ in failing.answers}:
        row = rows[("fails500", alert_id)]
        assert row.state == "dead" and row.last_error and "HTTP 500" in row.last_error
        assert "\n" not in row.last_error
        first = min(at for a, _, at in failing.answers if a == alert_id)
        lateness.append(dead_at[("fails500", alert_id)][0] - first - RETRY_FOR_S)
    assert len(lateness) == ALERTS and all(abs(x) <= 1.0 for x in lateness), lateness

    # https:// to a plain-HTTP port: a connection error, retried (transient), dead at the
    # deadline, no POST ever arrived; one line naming the TLS failure.
    assert receivers["tls"].posts == []
    tls_lateness: list[float] = []
    tls_attempts: list[int] = []
    for row in final:
        if row.notifier != "tls":
            continue
        assert row.state == "dead" and row.last_error and row.first_failed_at, row
        assert row.attempts >= 2, row  # a permanent error would be dead after one
        assert "gave up after retrying" in row.last_error and "\n" not in row.last_error
        assert "ssl" in row.last_error.lower(), row.last_error
        tls_attempts.append(row.attempts)
        wall = dead_at[("tls", row.alert.id)][1]
        tls_lateness.append((wall - row.first_failed_at).total_seconds() - RETRY_FOR_S)
    assert len(tls_lateness) == ALERTS and all(abs(x) <= 1.0 for x in tls_lateness), tls_lateness

    # A 429 whose Retry-After (6 s) reaches past the deadline (3 s): the throttled alert is
    # dead at its deadline, not when the pause ends; the destination's other alert is
    # neither dead-lettered with it nor sent inside the pause, and goes out once after it.
    overdue = receivers["overdue"]
    throttled_id, first_429 = overdue.answers[0][0], overdue.answers[0][2]
    assert overdue.answers[0][1] == 429 and overdue.posts.count(throttled_id) == 1
    row = rows[("overdue", throttled_id)]
    assert row.state == "dead" and row.last_error and "429" in row.last_error, row
    overdue_lateness = dead_at[("overdue", throttled_id)][0] - first_429 - RETRY_FOR_S
    assert abs(overdue_lateness) <= 1.0, overdue_lateness
    others = [r for r in final if r.notifier == "overdue" and r.alert.id != throttled_id]
    assert others and all(r.state == "sent" for r in others), others
    assert Counter(overdue.delivered()) == {r.alert.id: 1 for r in others}
    paused = min(at for _, status, at in overdue.answers[1:]) - first_429
    assert paused >= LONG_RETRY_AFTER_S - 0.01, paused

    listing = await run_cli("outbox", "-c", str(config), "--json")
    assert listing.returncode == 0, listing.stderr
    listed = [json.loads(line) for line in listing.stdout.splitlines() if line.strip()]
    assert sum("gave up after retrying" in json.dumps(x) for x in listed) >= 2 * ALERTS, listed
    record_property(
        "measured",
        f"429 (Retry-After 2) x2: {ALERTS} alerts sent once each, retries "
        f"{min(gaps):.2f}-{max(gaps):.2f} s apart; hang: {ALERTS} sent once after 2 POSTs; "
        f"500 for good: dead at deadline {'/'.join(f'{x:+.2f}' for x in lateness)} s; "
        f"TLS error: retried ({'/'.join(map(str, tls_attempts))} attempts), dead at deadline "
        f"{'/'.join(f'{x:+.2f}' for x in tls_lateness)} s (retry_for {RETRY_FOR_S:.0f} s); "
        f"429 with Retry-After {LONG_RETRY_AFTER_S:.0f} s past the deadline: dead at deadline "
        f"{overdue_lateness:+.2f} s, the other alert sent once {paused:.1f} s after the 429; "
        f"settled in {settled_s:.1f} s",
    )
