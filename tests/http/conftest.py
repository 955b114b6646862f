"""Fixtures: loopback servers and a factory for ``Http`` clients closed after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from monitor.contracts import HttpSettings
from monitor.net.client import Http
from tests.http.server import LoopbackServer

MakeHttp = Callable[..., Http]


@pytest.fixture
async def server() -> AsyncIterator[LoopbackServer]:
    srv = await LoopbackServer("127.0.0.1").start()
    yield srv
    await srv.stop()


@pytest.fixture
async def other_server() -> AsyncIterator[LoopbackServer]:
    """A second server on 127.0.0.2 (still loopback), used as the 'allowed' side."""
    srv = await LoopbackServer("127.0.0.2").start()
    yield srv
    await srv.stop()


@pytest.fixture
async def make_http() -> AsyncIterator[MakeHttp]:
    clients: list[Http] = []

    def make(*, retry_max_wait_s: float = 0.05, http_kw: Any = None, **settings: Any) -> Http:
        settings.setdefault("allow_private_networks", True)
        client = Http(
            HttpSettings(**settings), retry_max_wait_s=retry_max_wait_s, **(http_kw or {})
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
