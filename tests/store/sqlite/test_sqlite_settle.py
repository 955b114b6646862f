"""SQLite: one sent message's settlement commits alone at once when nothing else is writing,
and still rides the open batch (or waits for another process) when something is.

Every check reads the file through a second, independent sqlite3 connection: what a process
restarted after a kill would see, which is what "marked sent before the next send" means.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from monitor.store.sqlite import SqliteStore
from tests.delivery.conftest import numbered, queue
from tests.store.sqlite.test_sqlite_states import polled

T0 = datetime(2024, 7, 4, 9, 0, tzinfo=UTC)


def state_on_disk(db: Path, alert_id: str) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT state FROM outbox WHERE alert_id = ?", (alert_id,)).fetchone()
    return None if row is None else str(row[0])


async def test_a_lone_settlement_is_on_disk_when_it_returns(store: SqliteStore, db: Path) -> None:
    alert = numbered(1, created_at=T0)
    await queue(store, alert)
    before, flusher = store._batch._commits, store._batch._flusher
    await store.mark_sent(alert.id, at=T0, remote_id=None)
    assert state_on_disk(db, alert.id) == "sent"
    assert store._batch._flusher is flusher  # no batch (and no commit task) of its own
    assert store._batch._commits - before == 1  # counted for the checkpoints


async def test_a_settlement_during_an_open_batch_commits_with_it(
    store: SqliteStore, db: Path
) -> None:
    """A poll's unit holds the batch open: the settlement joins it and returns only once
    that batch committed, the poll's state with it."""
    alert = numbered(2, created_at=T0)
    await queue(store, alert)
    before = store._batch._commits
    store.gather_commits(lambda: 2, 2)  # the batch waits for a second unit
    saving = asyncio.create_task(store.save_source_state(polled("s1", '"v1"')))
    for _ in range(3):
        await asyncio.sleep(0)
    assert store._batch._open
    await asyncio.wait_for(store.mark_sent(alert.id, at=T0, remote_id=None), 1.0)
    await saving
    store.gather_commits(None)
    assert state_on_disk(db, alert.id) == "sent"
    assert store._batch._commits - before == 1


async def test_a_settlement_waits_while_another_process_holds_the_write_lock(
    store: SqliteStore, db: Path
) -> None:
    """``bilat outbox`` in another process holding SQLite's write lock: the autocommit
    UPDATE is refused at once (busy_timeout 0 on the poll path), so the settlement waits
    for the lock as a batch does instead of failing the send's record."""
    alert = numbered(3, created_at=T0)
    await queue(store, alert)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    settling = asyncio.create_task(store.mark_sent(alert.id, at=T0, remote_id=None))
    await asyncio.sleep(0.05)
    assert not settling.done()
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(settling, 2.0)
    assert state_on_disk(db, alert.id) == "sent"


async def test_one_row_units_do_not_count_towards_a_checkpoint(store: SqliteStore) -> None:
    """Checkpoints come every CHECKPOINT_UNITS units with savepoints (a poll with items
    writes tens of pages); 304 saves and settlements write a few and count as commits only."""
    before = store._batch._committed_units
    await asyncio.gather(*(store.save_source_state(polled(f"s{i}", f'"v{i}"')) for i in range(30)))
    assert store._batch._committed_units == before
    async with store.transaction():
        pass
    assert store._batch._committed_units == before + 1
