"""The pipeline's read of unseen items before its rules run (``Store.unseen``): outside any
transaction, so on SQLite it waits neither for the store's lock nor for a group commit."""

from __future__ import annotations

import asyncio
from pathlib import Path

from monitor.store.sqlite import SqliteStore
from tests.store.storekit import T0, make_item


async def test_unseen_is_answered_while_a_writer_holds_the_store(tmp_path: Path) -> None:
    """Seen keys are told apart from new ones while another write holds the store's lock
    (a claim or a delivery on aiosqlite's thread): the read does not queue behind it."""
    store = await SqliteStore.open(tmp_path / "state.db")
    try:
        seen, new = make_item(1), make_item(2)
        async with store.transaction() as tx:
            await tx.mark_seen([seen], T0)
        async with store._lock:  # a writer on the other connection, mid-transaction
            unseen = await asyncio.wait_for(store.unseen([seen.key, new.key]), timeout=1.0)
        assert unseen == {new.key}
    finally:
        await store.close()
