"""PostgreSQL for the tests: a fresh database per run (``pg_database``) and a fresh schema
per test (``pg_url``, a state URL). Registered in tests/conftest.py, so any test directory can
run its store tests on PostgreSQL too.

PostgreSQL: a real server on 127.0.0.1:5432 (``TEST_POSTGRES_URL`` names the admin URL;
by default ``postgresql://root@127.0.0.1:5432/test``, then user ``postgres``: the admin
connection is ``bench.pgadmin``'s, shared with the benchmarks). The run creates
``bilat_test_<pid>_<random>`` and drops it at the end (and drops any such database left behind
by a run whose process is gone). Without a server the PostgreSQL tests skip, or fail when
``CI=true``.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import asyncpg
import pytest

from bench.pgadmin import admin_connect, drop_database, with_database
from tests.conftest import require

ENV = "TEST_POSTGRES_URL"
_DB_NAME = re.compile(r"^bilat_test_(\d+)_[0-9a-f]+$")
_unavailable: list[str] = []
T = TypeVar("T")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _create_database() -> str:
    conn, admin = await admin_connect(ENV)
    try:
        for (name,) in await conn.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE 'bilat\\_test\\_%'"
        ):
            m = _DB_NAME.match(name)
            if m and not _pid_alive(int(m.group(1))):
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        name = f"bilat_test_{os.getpid()}_{secrets.token_hex(4)}"
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(admin, name)


def _blocking(coro: Coroutine[Any, Any, T]) -> T:
    # In a thread of its own: this session fixture may be set up from inside a test's loop.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """The URL of this run's fresh database, or None when no server answers."""
    try:
        url = _blocking(_create_database())
    except (OSError, asyncpg.PostgresError) as exc:
        _unavailable.append(str(exc))
        yield None
        return
    yield url
    _blocking(drop_database(url, ENV))


@pytest.fixture
async def pg_url(pg_database: str | None) -> AsyncIterator[str]:
    """A state URL on a schema of its own (``?search_path=``), dropped after the test."""
    require(
        pg_database is not None,
        f"PostgreSQL on 127.0.0.1:5432 is needed ({'; '.join(_unavailable)})",
    )
    assert pg_database is not None
    schema = f"t_{secrets.token_hex(6)}"
    conn = await asyncpg.connect(pg_database)
    try:
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()
    yield f"{pg_database}?search_path={schema}"
    conn = await asyncpg.connect(pg_database)
    try:
        await conn.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await conn.close()
