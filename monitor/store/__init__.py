"""State behind one interface: ``open_store(url)`` picks the implementation by URL scheme."""

from __future__ import annotations

from monitor.store.base import (
    OutboxRow,
    PruneReport,
    SourcePlan,
    SourceState,
    Store,
    Transaction,
)

__all__ = [
    "OutboxRow",
    "PruneReport",
    "SourcePlan",
    "SourceState",
    "Store",
    "Transaction",
    "open_store",
]


async def open_store(url: str) -> Store:
    """Open the store at ``url``: ``sqlite:///relative/or/absolute/path.db`` (the settings
    loader has already made relative paths absolute), or ``sqlite:///:memory:``."""
    if url.startswith("sqlite:///"):
        from monitor.store.sqlite import SqliteStore

        return await SqliteStore.open(url[len("sqlite:///") :], url=url)
    scheme = url.split(":", 1)[0]
    if scheme in ("postgresql", "postgres"):
        raise ValueError("PostgreSQL state is recognised but not yet supported")
    raise ValueError(f"unsupported state URL: {scheme}:…")
