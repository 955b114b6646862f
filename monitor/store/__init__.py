"""State behind one interface: ``open_store(url)`` picks the implementation by URL scheme."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from monitor.store.base import (
    LeaseLost,
    OutboxRow,
    PruneReport,
    SourcePlan,
    SourceState,
    Store,
    Transaction,
    display_url,
    notifier_lease,
    stream_lease,
)
from monitor.store.checks import StateError, check_sqlite_state
from monitor.store.ops_types import StoreUnavailable
from monitor.store.webreads import EventStamp, SourceActivity

__all__ = [
    "EventStamp",
    "LeaseLost",
    "OutboxRow",
    "PruneReport",
    "SourceActivity",
    "SourcePlan",
    "SourceState",
    "StateError",
    "Store",
    "StoreUnavailable",
    "Transaction",
    "display_url",
    "notifier_lease",
    "open_store",
    "stream_lease",
]


async def open_store(
    url: str, *, pool_size: int | None = None, lease_s: float | None = None
) -> Store:
    """Open the store at ``url``: ``sqlite:///relative/or/absolute/path.db`` (the settings
    loader has already made relative paths absolute), ``sqlite:///:memory:``, or
    ``postgresql://user@host:5432/dbname`` (see ``monitor.store.postgres``; ``pool_size``:
    its connections per node; ``lease_s``: ``[monitor] lease``, which also times how soon a
    dead node's share of the sources moves)."""
    if url.startswith("sqlite:///"):
        from monitor.store.sqlite import SqliteStore

        path = url[len("sqlite:///") :]
        if path != ":memory:":
            # One line naming the path, the problem and what to do (exit 2), before SQLite
            # touches a damaged file.
            check_sqlite_state(Path(path))
        try:
            return await SqliteStore.open(path, url=url)
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"cannot open SQLite state at {url}: {exc}") from exc
    scheme = url.split(":", 1)[0]
    if scheme in ("postgresql", "postgres"):
        try:
            from monitor.store.postgres import NODE_LEASE_S, POOL_MAX_SIZE, PostgresStore
        except ModuleNotFoundError as exc:
            raise RuntimeError(
                "PostgreSQL state needs asyncpg: pip install -e '.[postgres]' (in the checkout)"
            ) from exc

        try:
            return await PostgresStore.open(
                url,
                pool_max_size=POOL_MAX_SIZE if pool_size is None else pool_size,
                lease_s=NODE_LEASE_S if lease_s is None else lease_s,
            )
        except ConnectionError as exc:  # the message already names the URL, no password
            raise StoreUnavailable(str(exc)) from exc
    raise ValueError(f"unsupported state URL: {scheme}:…")
