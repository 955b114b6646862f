"""Fixtures for the store tests: ``store``, one fixture both backends satisfy (the contract
suite runs on each; PostgreSQL comes from ``tests/postgres.py``), and a webhook stand-in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from monitor.store import Store, open_store
from monitor.store.postgres import PostgresStore
from tests.store.desk import Desk
from tests.store.storekit import Nodes


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def state_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh state URL of the parametrized backend."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'state' / 'bilat.db'}"
    url = request.getfixturevalue("pg_url")
    assert isinstance(url, str)
    return url


@pytest.fixture
async def store(state_url: str) -> AsyncIterator[Store]:
    """A fresh store of each backend: the contract suite must pass on both."""
    s = await open_store(state_url)
    yield s
    await s.close()


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    """A webhook stand-in counting every alert that reaches it."""
    server = await Desk().start()
    yield server
    await server.stop()


@pytest.fixture
async def nodes(pg_url: str) -> AsyncIterator[Nodes]:
    """``await nodes(n)``: n stores on one schema, each a node with its own pool."""
    opened: list[PostgresStore] = []

    async def make(n: int) -> list[PostgresStore]:
        new = list(await asyncio.gather(*(PostgresStore.open(pg_url) for _ in range(n))))
        opened.extend(new)
        return new

    yield make
    for store in opened:
        if not store._pool.is_closing():  # a test may have closed or terminated it
            await store.close()
