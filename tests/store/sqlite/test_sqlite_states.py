"""SQLite source states: served from memory, saved by group commit, never less durable.

Every check reads the file through a second, independent sqlite3 connection (what a restart
would see), not through the store's cache.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.contracts import SourceCursor
from monitor.store import SourcePlan, SourceState
from monitor.store.sqlite import SqliteStore
from tests.store.storekit import T0


def on_disk(db: Path, source_id: str) -> sqlite3.Row | None:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM sources WHERE source_id = ?", (source_id,)
        ).fetchone()
        return row


def polled(source_id: str, etag: str, due_min: int = 5) -> SourceState:
    return SourceState(
        source_id,
        cursor=SourceCursor(etag=etag),
        next_due_at=T0 + timedelta(minutes=due_min),
        last_ok_at=T0,
        last_polled_at=T0,
        last_status="304",
    )


async def test_concurrent_saves_share_commits_and_each_is_on_disk_when_it_returns(
    store: SqliteStore, db: Path
) -> None:
    before = store._batch._commits

    async def save(i: int) -> None:
        await store.save_source_state(polled(f"s{i}", f'"v{i}"'))
        row = on_disk(db, f"s{i}")  # committed before save returned
        assert row is not None and row["etag"] == f'"v{i}"'

    await asyncio.gather(*(save(i) for i in range(200)))
    commits = store._batch._commits - before
    assert commits < 20, f"{commits} commits for 200 concurrent saves"
    reopened = await SqliteStore.open(db)
    try:
        states = await reopened.source_states()
    finally:
        await reopened.close()
    assert {s.cursor.etag for s in states.values()} == {f'"v{i}"' for i in range(200)}


async def test_a_failed_commit_raises_in_every_saver_and_keeps_the_old_state(
    store: SqliteStore, db: Path
) -> None:
    await store.save_source_state(polled("a", '"old"'))
    await store.save_source_state(polled("b", '"old"'))
    store._batch.busy_timeout_s = 0.05
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the file
    try:
        results = await asyncio.gather(
            store.save_source_state(polled("a", '"new"', 1)),
            store.save_source_state(polled("b", '"new"', 1)),
            return_exceptions=True,
        )
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert all(isinstance(r, sqlite3.OperationalError) for r in results), results
    for sid in ("a", "b"):
        assert (await store.source_state(sid)).cursor.etag == '"old"'
        row = on_disk(db, sid)
        assert row is not None and row["etag"] == '"old"'
    # The next save goes through: nothing is wedged.
    await store.save_source_state(polled("a", '"newer"'))
    assert (await store.source_state("a")).cursor.etag == '"newer"'


async def test_a_rolled_back_poll_leaves_the_cached_state_alone(store: SqliteStore) -> None:
    await store.save_source_state(polled("a", '"v1"'))
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.save_source_state(polled("a", '"v2"'))
            raise RuntimeError("rule exploded")
    assert (await store.source_state("a")).cursor.etag == '"v1"'
    async with store.transaction() as tx:
        await tx.save_source_state(polled("a", '"v3"'))
    assert (await store.source_state("a")).cursor.etag == '"v3"'


async def test_claims_and_syncs_keep_the_cache_true(store: SqliteStore, db: Path) -> None:
    await store.sync_sources({"a": SourcePlan("fp1", T0)}, T0)
    await store.save_source_state(polled("a", '"v1"', due_min=0))
    assert (await store.source_state("a")).cursor.etag == '"v1"'

    claimed = await store.claim_due_sources(T0 + timedelta(seconds=1), 10, 120)
    assert claimed == ["a"]
    cached = (await store.source_state("a")).next_due_at
    row = on_disk(db, "a")
    assert row is not None and cached is not None
    assert cached.timestamp() == pytest.approx(row["next_due_at"], abs=1e-3)

    # A changed source definition resets its row; the cache must not resurrect the cursor.
    await store.sync_sources({"a": SourcePlan("fp2", T0)}, T0)
    assert (await store.source_state("a")).cursor.etag is None


async def test_close_waits_for_saves_in_flight(db: Path) -> None:
    store = await SqliteStore.open(db)
    task = asyncio.create_task(store.save_source_state(polled("a", '"v1"')))
    await asyncio.sleep(0)
    await store.close()
    await task
    row = on_disk(db, "a")
    assert row is not None and row["etag"] == '"v1"'


async def test_the_listing_of_all_states_after_a_sync_is_what_the_file_holds(
    store: SqliteStore, db: Path
) -> None:
    """After a sync, source_states() comes from memory and matches a fresh read of the file
    through saves, a poll's transaction, a claim and a reset by a changed definition."""
    plans = {sid: SourcePlan("fp1", T0) for sid in ("a", "b", "c", "d")}
    await store.sync_sources(plans, T0)
    await store.save_source_state(polled("a", '"v1"', due_min=0))
    async with store.transaction() as tx:
        await tx.save_source_state(polled("b", '"v2"'))
    await store.sync_sources({**plans, "c": SourcePlan("fp2", T0)}, T0)
    assert await store.claim_due_sources(T0 + timedelta(seconds=1), 10, 120)
    await store.save_source_state(polled("e", '"v5"'))  # a source the sync did not know

    listed = await store.source_states()
    with sqlite3.connect(db) as conn:  # what a restart would read
        conn.row_factory = sqlite3.Row
        rows = {row["source_id"]: row for row in conn.execute("SELECT * FROM sources")}
    assert set(listed) == set(rows) == {"a", "b", "c", "d", "e"}
    for sid, state in listed.items():
        assert state.cursor.etag == rows[sid]["etag"], sid
        due = state.next_due_at.timestamp() if state.next_due_at else None
        assert due == pytest.approx(rows[sid]["next_due_at"], abs=1e-3), sid
    assert listed["c"].cursor.etag is None and listed["a"].cursor.etag == '"v1"'
    # A copy: changing the listing does not change the store's view.
    listed.pop("a")
    assert "a" in await store.source_states()


async def test_a_restart_with_the_same_sources_writes_no_row(store: SqliteStore, db: Path) -> None:
    """A sync of an unchanged configuration whose sources are not yet due writes nothing;
    a removed source is still retired and a changed one still reset."""
    plans = {sid: SourcePlan("fp1", T0 + timedelta(minutes=5)) for sid in ("a", "b", "c")}
    await store.sync_sources(plans, T0)
    await store.save_source_state(polled("b", '"v1"', due_min=10))
    before = store._conn.total_changes
    await store.sync_sources(plans, T0 + timedelta(minutes=1))
    assert store._conn.total_changes == before
    assert (await store.source_state("b")).cursor.etag == '"v1"'

    await store.sync_sources({"a": plans["a"], "b": SourcePlan("fp2", T0)}, T0)
    row_b, row_c = on_disk(db, "b"), on_disk(db, "c")
    assert row_b is not None and row_b["etag"] is None and row_b["fingerprint"] == "fp2"
    assert row_c is not None and row_c["active"] == 0
    # c is no longer configured: never claimed; b starts fresh, due first.
    assert await store.claim_due_sources(T0 + timedelta(hours=1), 10, 60) == ["b", "a"]


@pytest.mark.parametrize("gathering", [False, True])
async def test_a_gathering_batch_takes_the_polls_in_flight_and_each_save_is_on_disk_when_it_returns(
    store: SqliteStore, db: Path, gathering: bool
) -> None:
    """``bilat once`` lets a batch wait for the polls still in flight (GroupCommit.gather):
    saves arriving one turn of the loop apart share one commit instead of one each, and
    none returns before it is on disk."""
    in_flight = 8
    if gathering:
        store.gather_commits(lambda: in_flight, 8)
    before = store._batch._commits

    async def save(i: int) -> None:
        nonlocal in_flight
        for _ in range(3 * i):  # one arrives every third turn of the loop
            await asyncio.sleep(0)
        try:
            await store.save_source_state(polled(f"s{i}", f'"v{i}"'))
            row = on_disk(db, f"s{i}")
            assert row is not None and row["etag"] == f'"v{i}"'
        finally:
            in_flight -= 1

    await asyncio.gather(*(save(i) for i in range(8)))
    commits = store._batch._commits - before
    assert commits == 1 if gathering else commits > 1


@pytest.mark.parametrize("gathering", [False, True])
async def test_saves_that_waited_for_the_lock_share_the_next_batch(
    store: SqliteStore, db: Path, gathering: bool
) -> None:
    """Saves arriving while another writer holds the store's lock (a checkpoint, the
    outbox) all go into the batch that opens when it is free: queued on the lock one by
    one, each got a batch and a commit of its own, and in ``bilat once`` each such batch
    waited out the gathering time alone while the others sat in the queue."""
    if gathering:
        store.gather_commits(lambda: 20, 20)
    before = store._batch._commits
    await store._lock.acquire()  # what a write on aiosqlite's thread does
    saves = [
        asyncio.create_task(store.save_source_state(polled(f"s{i}", f'"v{i}"'))) for i in range(20)
    ]
    for _ in range(5):
        await asyncio.sleep(0)
    store._lock.release()
    await asyncio.wait_for(asyncio.gather(*saves), 1.0)  # not 20 gathering waits in a row
    assert store._batch._commits - before == 1
    for i in range(20):
        row = on_disk(db, f"s{i}")
        assert row is not None and row["etag"] == f'"v{i}"'


@pytest.mark.parametrize("active", [0, 1])
@pytest.mark.parametrize("stored_fp", [None, "fp1", "fp2"])
@pytest.mark.parametrize("due", [None, -60.0, 60.0])
@pytest.mark.parametrize("first_due", [None, 0.0])
async def test_the_sync_skips_exactly_the_rows_its_statement_would_leave(
    store: SqliteStore,
    active: int,
    stored_fp: str | None,
    due: float | None,
    first_due: float | None,
) -> None:
    """The rows a sync leaves out of its upsert (``_synced_row_changes`` false) are the rows
    the statement itself would not have changed, in every combination of an existing row."""
    from monitor.store.sqlite import SYNC_UPSERT, _synced_row_changes

    now = T0.timestamp()
    db = store._db
    db.execute(
        "INSERT INTO sources (source_id, fingerprint, active, next_due_at) VALUES ('a', ?, ?, ?)",
        (stored_fp, active, None if due is None else now + due),
    )
    row = db.execute("SELECT * FROM sources WHERE source_id = 'a'").fetchone()
    plan = SourcePlan("fp1", None if first_due is None else T0 + timedelta(seconds=first_due))
    before = db.total_changes
    db.execute(SYNC_UPSERT, ("a", "fp1", None if first_due is None else now + first_due, now))
    db.rollback()
    assert _synced_row_changes(row, plan, now) == (db.total_changes > before)


async def test_a_state_read_by_position_is_the_state_read_by_name(
    store: SqliteStore, db: Path
) -> None:
    from monitor.store.sqlite_schema import STATE_COLUMNS, state_from_row, state_from_values

    state = SourceState(
        "a",
        cursor=SourceCursor(etag='"e"', last_modified="Tue", cursor="c"),
        next_due_at=T0,
        failures=2,
        failing_since=T0 - timedelta(hours=1),
        last_ok_at=T0 - timedelta(hours=2),
        last_polled_at=T0,
        last_status="error 503",
        last_error="Service Unavailable",
        fingerprint="fp",
    )
    await store.save_source_state(state)
    await store.save_source_state(SourceState("b"))
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        for sid in ("a", "b"):
            by_name = conn.execute("SELECT * FROM sources WHERE source_id = ?", (sid,)).fetchone()
            by_position = conn.execute(
                f"SELECT {STATE_COLUMNS}, active FROM sources WHERE source_id = ?", (sid,)
            ).fetchone()
            assert state_from_values(by_position) == state_from_row(by_name)
            if sid == "a":  # every field came through, not only the defaults
                read = state_from_values(by_position)
                assert (read.cursor, read.failing_since, read.last_error) == (
                    state.cursor,
                    state.failing_since,
                    state.last_error,
                )
