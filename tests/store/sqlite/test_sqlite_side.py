"""The SQLite store's side connection (``monitor/store/sqlite_side.py``): the silent-source
watch's reads and the passive checkpoints run beside a writer, never waiting for the store's
lock, and see only what is committed; the writing connections never checkpoint themselves."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.base import SourceOptions
from monitor.contracts import SourceCursor
from monitor.store import sqlite_side
from monitor.store.ops_types import SilenceEpisode
from monitor.store.sqlite import SqliteStore
from monitor.watch.watcher import watch_sources
from tests.store.storekit import T0, make_item, write_poll

SECOND = 2.0  # far above any of these reads on a loaded machine, far below a hang


def wal_frames(db: Path) -> int:
    """Frames in the WAL file beside ``db`` (its size; 0 when absent or reset)."""
    wal = db.with_name(db.name + "-wal")
    size = wal.stat().st_size if wal.exists() else 0
    return max(0, (size - 32) // (24 + 4096))


async def polled_items(store: SqliteStore) -> None:
    await write_poll(store, [make_item(1, "a"), make_item(2, "a")], '"a1"', source="a")
    await write_poll(store, [make_item(1, "b")], '"b1"', source="b")


async def test_the_watch_reads_while_the_poll_path_holds_the_lock_in_a_write_transaction(
    store: SqliteStore,
) -> None:
    """The lock held and a write transaction open on the poll path's connection (a batch
    between its BEGIN and its COMMIT): every read of the watch returns, and shows the
    committed rows only."""
    await polled_items(store)
    episode = SilenceEpisode("b", "e1", T0, T0, "quiet")
    async with store.transaction() as tx:
        assert await tx.open_silence(episode)
    await store._lock.acquire()
    try:
        store._db.execute("BEGIN IMMEDIATE")
        store._db.execute(
            "INSERT INTO seen (item_key, source_id, first_seen, last_seen)"
            " VALUES ('c:x', 'c', ?, ?)",
            (T0.timestamp(), T0.timestamp()),
        )
        store._db.execute("DELETE FROM source_silences")
        times = await asyncio.wait_for(
            store.new_item_times(since=T0 - timedelta(days=30), per_source=51), SECOND
        )
        episodes = await asyncio.wait_for(store.silence_episodes(), SECOND)
        counts = await asyncio.wait_for(store.item_counts(T0), SECOND)
        depth = await asyncio.wait_for(store.outbox_counts(), SECOND)
        store._db.execute("ROLLBACK")
    finally:
        if store._db.in_transaction:
            store._db.execute("ROLLBACK")
        store._lock.release()
    assert times == {"a": [T0], "b": [T0]}  # not the uncommitted "c"
    assert episodes == {"b": episode}  # the uncommitted DELETE unseen
    assert counts == {"a": (2, 2), "b": (1, 1)}
    assert depth == {("console", "pending"): 3}


async def test_watch_sources_runs_while_another_process_holds_the_write_lock(
    store: SqliteStore, db: Path
) -> None:
    """``bilat outbox requeue`` in another process, its transaction open: the watch's
    verdicts still come (from the last committed state)."""
    await polled_items(store)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("DELETE FROM seen")
    try:
        sources = [SourceOptions(id=s, type="feed") for s in "ab"]
        watched = await asyncio.wait_for(watch_sources(store, sources, T0), SECOND)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert sorted(watched) == ["a", "b"]
    assert watched["a"].pace.last_item_at == T0


async def test_a_checkpoint_runs_while_a_writer_holds_the_lock(
    store: SqliteStore, db: Path
) -> None:
    """A passive checkpoint takes no writer's lock: it copies the committed frames while
    the poll path's connection holds the store's lock in a transaction of its own."""
    for i in range(20):
        await write_poll(store, [make_item(i, f"s{i}")], f'"v{i}"', source=f"s{i}")
    assert wal_frames(db) > 0
    side = store._side
    assert side is not None
    await store._lock.acquire()
    try:
        store._db.execute("BEGIN IMMEDIATE")
        store._db.execute("UPDATE sources SET etag = 'x' WHERE source_id = 's0'")
        busy, logged, copied = await asyncio.wait_for(side.checkpoint(), SECOND)
        store._db.execute("COMMIT")
    finally:
        if store._db.in_transaction:
            store._db.execute("ROLLBACK")
        store._lock.release()
    assert busy == 0 and logged > 0 and copied == logged  # every committed frame copied


async def test_the_writing_connections_never_checkpoint_on_their_own(store: SqliteStore) -> None:
    async with store._lock, store._conn.execute("PRAGMA wal_autocheckpoint") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == 0
    assert store._db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0


async def test_checkpoints_count_aiosqlite_commits_and_batches(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One passive checkpoint every CHECKPOINT_EVERY commits of either writing connection:
    with automatic checkpoints off, the WAL would otherwise only grow."""
    monkeypatch.setattr(sqlite_side, "CHECKPOINT_EVERY", 4)
    store = await SqliteStore.open(db)
    try:
        ran: list[tuple[int, int, int]] = []
        side = store._side
        assert side is not None
        real = side.checkpoint

        async def counted() -> tuple[int, int, int]:
            ran.append(await real())
            return ran[-1]

        monkeypatch.setattr(side, "checkpoint", counted)
        for _ in range(3):
            await store.probe_write()  # aiosqlite's write transactions
        await asyncio.sleep(0)
        assert ran == []
        state = await store.source_state("s1")
        await store.save_source_state(state.evolve(cursor=SourceCursor(etag='"1"')))
        task = store._checkpoints._task
        assert task is not None
        await task
        assert len(ran) == 1 and ran[0][0] == 0 and ran[0][1] == ran[0][2] > 0
    finally:
        await store.close()


async def test_an_in_memory_store_has_no_side_and_reads_under_the_lock() -> None:
    store = await SqliteStore.open(":memory:")
    try:
        assert store._side is None
        await write_poll(store, [make_item(1, "a")], '"a1"', source="a")
        times = await store.new_item_times(since=T0 - timedelta(days=1), per_source=5)
        assert times == {"a": [T0]}
        await store._checkpoints.close()  # nothing running; a close after it is harmless
    finally:
        await store.close()


async def test_a_store_closes_twice(db: Path) -> None:
    """A second ``close`` (a test's teardown after the test closed it) does nothing."""
    store = await SqliteStore.open(db)
    await store.close()
    await store.close()
