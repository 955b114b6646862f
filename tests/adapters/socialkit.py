"""Test helpers for the social and press-page adapters: fixture files, recorded headers, a
loopback aiohttp server, the real HTTP client, and an ``emit`` that records what a push
source delivered."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from monitor.contracts import HttpSettings, SourceCursor
from monitor.model import Item

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SOCIAL = FIXTURES / "social"
PAGES = FIXTURES / "pages"

# Hop-by-hop and body-encoding headers of a recording do not describe the body we serve.
_DROP = {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive"}


def fixture(rel: str) -> bytes:
    return (FIXTURES / rel).read_bytes()


def fixture_json(rel: str) -> Any:
    return json.loads(fixture(rel))


def recorded_headers(rel: str) -> dict[str, str]:
    """Headers of a recorded response (``*.response.json``), minus the ones that describe
    the recorded transfer rather than the body."""
    doc = fixture_json(rel)
    return {k: v for k, v in doc["headers"].items() if k.lower() not in _DROP}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Run ``app`` on 127.0.0.1 (a free port); yield its base URL."""
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def http_client() -> AsyncIterator[Any]:
    """The project's real HTTP client, allowed to reach loopback."""
    from monitor.net.client import Http

    settings = HttpSettings(allow_private_networks=True, timeout=10.0, connect_timeout=5.0)
    async with Http(settings) as http:
        yield http


@dataclass
class Emitted:
    """An ``emit`` for push sources: records batches and cursors, can wake a waiter."""

    batches: list[tuple[list[Item], SourceCursor]] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, items: list[Item], cursor: SourceCursor) -> None:
        self.batches.append((list(items), cursor))
        self._changed.set()

    @property
    def items(self) -> list[Item]:
        return [item for batch, _ in self.batches for item in batch]

    @property
    def cursor(self) -> SourceCursor | None:
        return self.batches[-1][1] if self.batches else None

    async def wait_for(self, predicate: Callable[[Emitted], bool], within_s: float = 10.0) -> None:
        async with asyncio.timeout(within_s):
            while not predicate(self):
                self._changed.clear()
                # Also re-check now and then: predicates may look at the server's state.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.02)
