"""Store fixtures for the event layer's store-level and pipeline tests.

Tests use the ``Store``/``Transaction`` interface only (never a backend's tables), so every
store implementation can run them: ``store_url`` is parametrised by backend, and a backend
is one more entry in ``BACKENDS`` (a function from the test's temporary directory to a URL
of a fresh, empty store). PostgreSQL is the other backend: a fresh schema per test from
``pg_url`` (tests/postgres.py), skipped without a server unless ``CI=true``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from monitor.store import Store, open_store


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'state' / 'bilat.db'}"


BACKENDS: dict[str, Callable[[Path], str]] = {"sqlite": _sqlite}


@pytest.fixture(params=[*sorted(BACKENDS), pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh store (reopen it with ``open_store`` to simulate a restart);
    PostgreSQL: a fresh schema (``pg_url`` in tests/postgres.py)."""
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        assert isinstance(url, str)
        return url
    return BACKENDS[request.param](tmp_path)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    opened = await open_store(store_url)
    yield opened
    await opened.close()
