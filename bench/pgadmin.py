"""The local PostgreSQL server's admin connection, shared by the benchmarks (``bench.pgscale``)
and the tests' fixtures (``tests/postgres.py``): both make a throw-away database of their own
on 127.0.0.1:5432 and drop it afterwards. Here, not under tests/, because a benchmark does
not import the test suite.

The admin URL: the one an environment variable names (the caller says which), else the first
of ``ADMIN_URLS`` that answers.
"""

from __future__ import annotations

import os

import asyncpg

ADMIN_URLS = (
    "postgresql://root@127.0.0.1:5432/test",
    "postgresql://postgres@127.0.0.1:5432/test",
)


async def admin_connect(env: str) -> tuple[asyncpg.Connection, str]:
    """A connection to the server's admin database and its URL; ``ConnectionError`` (every
    URL tried, with its error) when none answers."""
    chosen = os.environ.get(env)
    errors = []
    for url in (chosen,) if chosen else ADMIN_URLS:
        try:
            return await asyncpg.connect(url, timeout=5), url
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            errors.append(f"{url}: {type(exc).__name__}: {exc}")
    raise ConnectionError("; ".join(errors))


def with_database(url: str, name: str) -> str:
    """``url`` (an admin URL) naming database ``name`` instead, its query left out."""
    base, _, _ = url.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name


async def drop_database(url: str, env: str) -> None:
    """Drop the database ``url`` names, closing its sessions (``WITH (FORCE)``)."""
    conn, _ = await admin_connect(env)
    try:
        name = url.rsplit("/", 1)[1]
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
