"""State behind one interface: ``open_store(url)`` picks the implementation by URL scheme."""

from __future__ import annotations

from monitor.store.base import (
    EventStamp,
    LeaseLost,
    OutboxRow,
    PruneReport,
    SourceActivity,
    SourcePlan,
    SourceState,
    Store,
    Transaction,
    display_url,
    notifier_lease,
    stream_lease,
)

__all__ = [
    "EventStamp",
    "LeaseLost",
    "OutboxRow",
    "PruneReport",
    "SourceActivity",
    "SourcePlan",
    "SourceState",
    "Store",
    "Transaction",
    "display_url",
    "notifier_lease",
    "open_store",
    "stream_lease",
]


async def open_store(url: str) -> Store:
    """Open the store at ``url``: ``sqlite:///relative/or/absolute/path.db`` (the settings
    loader has already made relative paths absolute), ``sqlite:///:memory:``, or
    ``postgresql://user@host:5432/dbname`` (see ``monitor.store.postgres``)."""
    if url.startswith("sqlite:///"):
        from monitor.store.sqlite import SqliteStore

        return await SqliteStore.open(url[len("sqlite:///") :], url=url)
    scheme = url.split(":", 1)[0]
    if scheme in ("postgresql", "postgres"):
        try:
            from monitor.store.postgres import PostgresStore
        except ModuleNotFoundError as exc:
            raise RuntimeError(
                "PostgreSQL state needs asyncpg: pip install 'bilat[postgres]'"
            ) from exc

        return await PostgresStore.open(url)
    raise ValueError(f"unsupported state URL: {scheme}:…")
