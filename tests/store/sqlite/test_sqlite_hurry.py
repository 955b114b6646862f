"""A unit that queues alerts commits its batch as it ends (``GroupCommit.hurry``): a fresh
alert does not wait for the loop's turn behind other polls' saves, and is on disk when its
transaction returns. A one-shot pass (gathering batches) keeps its large commits."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from monitor.store.sqlite import SqliteStore
from tests.store.sqlite.test_sqlite_states import on_disk, polled
from tests.store.storekit import make_alert, make_item


def outbox_rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        count: int = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        return count


@pytest.mark.parametrize("gathering", [False, True])
async def test_a_unit_with_alerts_commits_as_it_ends_and_the_saves_after_it_wait_for_the_next(
    store: SqliteStore, db: Path, gathering: bool
) -> None:
    if gathering:
        store.gather_commits(lambda: 7, 7)
    before = store._batch._commits
    order: list[str] = []

    async def save(i: int) -> None:
        await store.save_source_state(polled(f"s{i}", f'"v{i}"'))
        assert on_disk(db, f"s{i}") is not None
        order.append(f"s{i}")

    async def alert() -> None:
        item = make_item(1)
        match, queued = make_alert(item)
        async with store.transaction() as tx:
            await tx.mark_seen([item], queued.created_at)
            await tx.add_matches([(match, item)], queued.created_at)
            assert await tx.add_alerts([queued]) == [queued.id]
        assert outbox_rows(db) == 1  # committed when the transaction returned
        order.append("alert")

    # Three saves join the turn's batch before the alert's unit, three after it.
    await asyncio.gather(*(save(i) for i in range(3)), alert(), *(save(i) for i in range(3, 6)))
    commits = store._batch._commits - before
    if gathering:
        assert commits == 1  # ``bilat once``: one large commit, as before
    else:
        assert commits == 2  # the alert's batch (with the saves before it), then the rest
        assert order.index("alert") < order.index("s3")
    assert all(on_disk(db, f"s{i}") is not None for i in range(6))


async def test_a_unit_without_alerts_still_waits_for_the_turn(store: SqliteStore) -> None:
    before = store._batch._commits
    item = make_item(2)
    match, queued = make_alert(item)

    async def matched() -> None:
        async with store.transaction() as tx:
            await tx.mark_seen([item], queued.created_at)
            await tx.add_matches([(match, item)], queued.created_at)

    await asyncio.gather(
        matched(), *(store.save_source_state(polled(f"t{i}", '"x"')) for i in range(3))
    )
    assert store._batch._commits - before == 1
