"""SMTP receiver faults under `bilat run`: real aiosmtpd servers on loopback, one per
notifier, answering 421 and 451 (transient: retried with backoff, delivered once the server
accepts), hanging past the client's timeout (retried), 550 (permanent: dead at once, one
clear error, no secret) and 451 for good (dead at first failure + ``retry_for`` ± 1 s).

The notifier-level classification of each reply is in tests/notifiers/test_email.py; this
is the whole daemon: its outbox, its backoff and its deadline timer against real servers."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from monitor.store.base import OutboxRow
from tests.conftest import FeedServer, WriteConfig, rss, run_cli
from tests.faults.harness import events, start_daemon, until_settled
from tests.notifiers.smtp_server import (
    PASSWORD,
    USER,
    Recorder,
    SmtpServer,
    make_certificate,
    server_tls_context,
)

ALERTS = 2
RETRY_FOR_S = 3.0  # the deadline notifier's window; its 2nd backoff step (2-4 s) lies past it
TIMEOUT_S = 1.0  # the client's SMTP timeout; a hang lasts longer
HANG_S = 4.0
PASSWORD_ENV = "BILAT_TEST_SMTP_PASSWORD"
_MSGID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.MULTILINE | re.IGNORECASE)


class Faulty(Recorder):
    """Answers DATA with ``reply`` for the first ``failures`` attempts of each message (all of
    them when ``failures`` is None), then accepts. ``"hang"`` stalls past the client's
    timeout and then refuses, so a mail the client gave up on is never counted as accepted."""

    def __init__(self, reply: str, failures: int | None) -> None:
        super().__init__()
        self.reply = reply
        self.failures = failures
        self.attempts: list[tuple[str, str, float]] = []  # (Message-ID, reply code, monotonic)
        self.accepted: list[str] = []  # Message-IDs

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        found = _MSGID.search(content)
        msgid = found.group(1).decode() if found else "?"
        seen = sum(1 for m, _, _ in self.attempts if m == msgid)
        if self.failures is None or seen < self.failures:
            if self.reply == "hang":
                self.attempts.append((msgid, "hang", time.monotonic()))
                await asyncio.sleep(HANG_S)
                return "451 4.4.2 Too late"
            self.attempts.append((msgid, self.reply[:3], time.monotonic()))
            return self.reply
        self.attempts.append((msgid, "250", time.monotonic()))
        self.accepted.append(msgid)
        return "250 2.0.0 Queued"

    def tries(self) -> dict[str, list[float]]:
        """Attempt times per message."""
        out: dict[str, list[float]] = {}
        for msgid, _, at in self.attempts:
            out.setdefault(msgid, []).append(at)
        return out


FAULTS: dict[str, tuple[str, int | None]] = {
    "busy421": ("421 4.3.2 Service shutting down, try later", 2),
    "busy451": ("451 4.3.0 Mailbox busy, try later", 2),
    "hangs": ("hang", 1),
    "refuses550": ("550 5.7.1 Relaying denied", None),
    "deadline": ("451 4.3.0 Still busy", None),
}


@pytest.fixture
async def servers(tmp_path: Path) -> AsyncIterator[dict[str, SmtpServer]]:
    cert, key = make_certificate(tmp_path)
    started: dict[str, SmtpServer] = {}
    for name, (reply, failures) in FAULTS.items():
        # The permanent refusal comes after STARTTLS and AUTH: its error must not carry the
        # password the daemon logged in with.
        tls = server_tls_context(cert, key) if name == "refuses550" else None
        started[name] = await SmtpServer(
            Faulty(reply, failures), starttls=tls, auth=tls is not None
        ).start()
    yield started
    for server in started.values():
        await server.stop()


def _notifier(name: str, port: int, cert: Path) -> dict[str, Any]:
    options: dict[str, Any] = {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "from": "bilat <alerts@desk.example.org>",
        "to": ["desk@example.org"],
        "timeout": TIMEOUT_S,
    }
    if name == "deadline":
        options["retry_for"] = RETRY_FOR_S
    if name == "refuses550":
        options |= {
            "starttls": True,
            "ca_file": str(cert),
            "username": USER,
            "password_env": PASSWORD_ENV,
        }
    return options


async def test_smtp_refusals_hangs_and_deadlines_under_the_daemon(
    feed_server: FeedServer,
    write_config: WriteConfig,
    servers: dict[str, SmtpServer],
    tmp_path: Path,
    record_property: Any,
) -> None:
    """Every alert reaches each transient server exactly once, after backoff; the 550 is
    dead after one attempt with one clear line and no password; the endless 451 is dead
    at its deadline ± 1 s, before its next backoff step."""
    items = ({"guid": f"g{n}", "title": f"Jaishankar meets envoy {n}"} for n in range(ALERTS))
    url = feed_server.serve("/desk.xml", rss(*items))
    cert = tmp_path / "cert.pem"
    config = write_config(
        {
            "monitor": {"startup_spread": 0, "grace_s": 1, "workers": 0},
            "sources": [{"id": "desk", "type": "feed", "url": url}],
            "rules": [
                {"id": "kw", "type": "keyword", "any": ["Jaishankar"], "notify": list(FAULTS)}
            ],
            "notifiers": {name: _notifier(name, s.port, cert) for name, s in servers.items()},
        }
    )
    log = tmp_path / "run.log"
    daemon = await start_daemon(config, log, {PASSWORD_ENV: PASSWORD})
    dead_at: dict[str, float] = {}  # alert id of the deadline notifier -> monotonic
    try:

        def seen(row: OutboxRow) -> None:
            if row.notifier == "deadline" and row.state == "dead":
                dead_at.setdefault(row.alert.id, time.monotonic())

        final = await until_settled(tmp_path, ALERTS * len(FAULTS), 40, seen)
        await asyncio.sleep(1.0)  # nothing more is sent
        assert await daemon.stop() == 0
    finally:
        await daemon.kill()
    faulty = {name: s.recorder for name, s in servers.items()}
    assert all(isinstance(r, Faulty) for r in faulty.values())
    states = Counter((r.notifier, r.state) for r in final)
    gaps: list[float] = []
    for name in ("busy421", "busy451", "hangs"):
        recorder = faulty[name]
        assert isinstance(recorder, Faulty)
        assert states[(name, "sent")] == ALERTS, states
        accepted = Counter(recorder.accepted)
        assert len(accepted) == ALERTS and max(accepted.values()) == 1, accepted  # once each
        for times in recorder.tries().values():
            assert len(times) == (recorder.failures or 0) + 1
            steps = [b - a for a, b in itertools.pairwise(times)]
            # Backoff, not a hammer: the first step is 2 s (1 s plus the timeout for a hang).
            assert min(steps) >= 1.5, steps
            gaps += steps
    refusing = faulty["refuses550"]
    assert isinstance(refusing, Faulty)
    assert states[("refuses550", "dead")] == ALERTS
    assert Counter(m for m, _, _ in refusing.attempts) == {m: 1 for m in refusing.tries()}
    assert len(refusing.tries()) == ALERTS and refusing.logins  # logged in, refused once
    for row in final:
        if row.notifier == "refuses550":
            assert (
                row.last_error and "550" in row.last_error and "Relaying denied" in row.last_error
            )
            assert "\n" not in row.last_error and PASSWORD not in row.last_error
    listing = await run_cli("outbox", "-c", str(config), "--json", env={PASSWORD_ENV: PASSWORD})
    assert listing.returncode == 0 and "Relaying denied" in listing.stdout
    assert PASSWORD not in listing.stdout + listing.stderr + log.read_text(encoding="utf-8")
    errors = [e for e in events(log) if e.get("level") in {"error", "critical"}]
    assert PASSWORD not in repr(errors)
    # The endless 451: dead at its first failure + retry_for, not at a later attempt.
    deadline = faulty["deadline"]
    assert isinstance(deadline, Faulty)
    first = {m: times[0] for m, times in deadline.tries().items()}
    lateness = []
    for row in final:
        if row.notifier == "deadline":
            assert row.state == "dead" and row.last_error and "451" in row.last_error
            msgid = next(m for m in first if row.alert.id in m)
            lateness.append(dead_at[row.alert.id] - first[msgid] - RETRY_FOR_S)
    assert len(lateness) == ALERTS and all(abs(x) <= 1.0 for x in lateness), lateness
    record_property(
        "measured",
        f"421/451/hang: {3 * ALERTS} alerts sent once each after {min(gaps):.1f}-"
        f"{max(gaps):.1f} s backoff steps; 550: {ALERTS} dead after 1 attempt, no password; "
        f"451 for good: dead at deadline {'/'.join(f'{x:+.2f}' for x in lateness)} s"
        f" (retry_for {RETRY_FOR_S:.0f} s)",
    )
