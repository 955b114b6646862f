"""Pytest fixtures for the loopback servers notifier and delivery tests share: the Slack
stand-in, SMTP servers (aiosmtpd; plain, STARTTLS, implicit TLS, AUTH), a self-signed
certificate, and the project's HTTP client allowed onto 127.0.0.1.

``tests/notifiers/conftest.py`` and ``tests/delivery/conftest.py`` import them, which is how
pytest makes fixtures defined in a module available to a directory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from monitor.contracts import HttpSettings
from monitor.net.client import Http
from tests.notifiers.slack_standin import SlackStandIn
from tests.notifiers.smtp_server import Behaviour, Recorder, SmtpServer, make_certificate

MakeServer = Callable[..., Awaitable[SmtpServer]]


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    """A Slack stand-in on 127.0.0.1 (webhook and Web API)."""
    server = await SlackStandIn().start()
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[Http]:
    """The project's HTTP client, allowed onto loopback."""
    async with Http(HttpSettings(allow_private_networks=True, timeout=5)) as client:
        yield client


@pytest.fixture
async def smtp() -> AsyncIterator[MakeServer]:
    """``await smtp(behaviour, starttls=ctx, implicit_tls=ctx, auth=True)`` starts a server."""
    servers: list[SmtpServer] = []

    async def make(behaviour: Behaviour | None = None, **kw: Any) -> SmtpServer:
        server = await SmtpServer(Recorder(behaviour or Behaviour()), **kw).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        await server.stop()


@pytest.fixture
def cert(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert.pem, key.pem)."""
    return make_certificate(tmp_path)
