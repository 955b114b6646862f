"""The SQLite store on real files: atomic transactions, idempotent writes, retention."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.contracts import SourceCursor
from monitor.model import Alert, Item, Match, ReportRef
from monitor.store import SourcePlan, SourceState, open_store
from monitor.store.sqlite import MIGRATIONS, SqliteStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def make_item(n: int, source: str = "s1", published: datetime | None = T0) -> Item:
    return Item(id=f"i{n}", source_id=source, title=f"title {n}", text="t", published_at=published)


def make_alert(item: Item, notifier: str = "console", at: datetime = T0) -> tuple[Match, Alert]:
    match = Match(rule_id="r", item_key=item.key, kind="keyword", summary=item.title)
    alert = Alert(
        id=Alert.make_id(notifier, "r", match.key, "new"),
        notifier=notifier,
        rule_id="r",
        kind="new",
        event_key=match.key,
        headline=match.summary,
        match=match,
        report=ReportRef.of(item),
        created_at=at,
    )
    return match, alert


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(tmp_path / "state" / "bilat.db")
    yield s
    await s.close()


async def write_poll(store: SqliteStore, items: list[Item], etag: str) -> list[str]:
    async with store.transaction() as tx:
        new = await tx.unseen([i.key for i in items])
        await tx.mark_seen(items, T0)
        pairs = [make_alert(i) for i in items if i.key in new]
        await tx.add_matches([(m, i) for (m, _), i in zip(pairs, items, strict=False)], T0)
        queued = await tx.add_alerts([a for _, a in pairs])
        state = await tx.source_state("s1")
        await tx.save_source_state(
            state.evolve(cursor=SourceCursor(etag=etag), next_due_at=T0 + timedelta(minutes=5))
        )
    return queued


async def test_open_store_by_url_applies_migrations(tmp_path: Path) -> None:
    """open_store picks SQLite from the URL, creates the directory, records migrations, WAL."""
    url = f"sqlite:///{tmp_path / 'deep' / 'dir' / 'x.db'}"
    store = await open_store(url)
    try:
        assert isinstance(store, SqliteStore)
        assert await store.applied_migrations() == [name for name, _ in MIGRATIONS]
        async with store._conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"  # type: ignore[index]
    finally:
        await store.close()
    again = await open_store(url)  # re-opening applies nothing twice
    await again.close()
    with pytest.raises(ValueError, match="not yet supported"):
        await open_store("postgresql://localhost/bilat")


async def test_poll_transaction_commits_everything(store: SqliteStore) -> None:
    """One transaction writes seen items, matches, alerts + outbox rows and the cursor."""
    items = [make_item(1), make_item(2)]
    queued = await write_poll(store, items, etag='"v1"')
    assert len(queued) == 2
    state = await store.source_state("s1")
    assert state.cursor.etag == '"v1"'
    rows = await store.outbox()
    assert [r.alert.id for r in rows] == queued and all(r.state == "pending" for r in rows)
    async with store.transaction() as tx:
        assert await tx.unseen([i.key for i in items] + ["s1:new"]) == {"s1:new"}


async def test_exception_inside_transaction_leaves_nothing(store: SqliteStore) -> None:
    """An error after some writes rolls back all of them: no items, alerts or cursor."""
    items = [make_item(1)]
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.mark_seen(items, T0)
            _, alert = make_alert(items[0])
            await tx.add_alerts([alert])
            await tx.save_source_state(SourceState("s1", cursor=SourceCursor(etag='"v9"')))
            raise RuntimeError("crash between steps")
    assert (await store.source_state("s1")).cursor.etag is None
    assert await store.outbox() == []
    async with store.transaction() as tx:
        assert await tx.unseen([items[0].key]) == {items[0].key}


async def test_cancellation_inside_transaction_rolls_back(store: SqliteStore) -> None:
    """A task cancelled mid-transaction (shutdown) leaves nothing partial behind."""
    started = asyncio.Event()

    async def slow_poll() -> None:
        async with store.transaction() as tx:
            await tx.mark_seen([make_item(1)], T0)
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_poll())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with store.transaction() as tx:
        assert await tx.unseen(["s1:i1"]) == {"s1:i1"}


CRASHER = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from datetime import UTC, datetime
    from monitor.contracts import SourceCursor
    from monitor.model import Item
    from monitor.store.base import SourceState
    from monitor.store.sqlite import SqliteStore

    async def main():
        store = await SqliteStore.open(sys.argv[1])
        async with store.transaction() as tx:
            now = datetime.now(UTC)
            items = [Item(id=f"k{n}", source_id="s1", title="t", text="") for n in range(500)]
            await tx.mark_seen(items, now)
            await tx.save_source_state(SourceState("s1", cursor=SourceCursor(etag='"crash"')))
            print("written", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)  # the process dies before COMMIT

    asyncio.run(main())
    """
)


async def test_killed_process_mid_transaction_leaves_nothing(tmp_path: Path) -> None:
    """SIGKILL between the writes and the commit: after reopening, none of them exist."""
    db = tmp_path / "crash.db"
    first = await SqliteStore.open(db)
    await first.close()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CRASHER,
        str(db),
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    out, _ = await proc.communicate()
    assert b"written" in out and proc.returncode == -9
    store = await SqliteStore.open(db)
    try:
        assert (await store.source_state("s1")).cursor.etag is None
        async with store.transaction() as tx:
            assert len(await tx.unseen([f"s1:k{n}" for n in range(500)])) == 500
    finally:
        await store.close()


async def test_inserts_are_idempotent(store: SqliteStore) -> None:
    """Writing the same poll twice adds no duplicate seen rows, matches, alerts or outbox rows."""
    items = [make_item(1), make_item(2)]
    pairs = [make_alert(i) for i in items]
    for _ in range(2):
        async with store.transaction() as tx:
            await tx.mark_seen(items, T0)
            added = await tx.add_matches(
                [(m, i) for (m, _), i in zip(pairs, items, strict=True)], T0
            )
            queued = await tx.add_alerts([a for _, a in pairs])
        last = (added, queued)
    assert last == (0, [])
    assert len(await store.outbox()) == 2


async def test_outbox_states_and_remote_ids(store: SqliteStore) -> None:
    """Rows move pending -> sent (with remote id) or dead; only pending rows are 'next'."""
    queued = await write_poll(store, [make_item(1), make_item(2)], etag='"v1"')
    head = await store.next_outbox("console")
    assert head is not None and head.alert.id == queued[0]
    await store.mark_retry(queued[0], at=T0, next_attempt_at=T0 + timedelta(seconds=5), error="503")
    row = (await store.outbox())[0]
    assert (row.attempts, row.last_error, row.first_failed_at) == (1, "503", T0)
    await store.mark_sent(queued[0], at=T0, remote_id="C1:123.456")
    assert await store.alert_remote_id(queued[0]) == "C1:123.456"
    await store.mark_dead(queued[1], at=T0, error="invalid_payload")
    assert await store.next_outbox("console") is None
    states = [(r.state, r.attempts) for r in await store.outbox()]
    assert states == [("sent", 2), ("dead", 1)]
    alert = await store.get_alert(queued[0])
    assert alert is not None and alert.headline == "title 1"


async def test_retention_prunes_old_rows_but_never_pending(store: SqliteStore) -> None:
    """Pruning forgets items not seen since the cutoff and finished alerts, keeps pending."""
    old, recent = make_item(1), make_item(2)
    async with store.transaction() as tx:
        await tx.mark_seen([old], T0 - timedelta(days=40))
        await tx.mark_seen([recent], T0 - timedelta(days=40))
        await tx.mark_seen([recent], T0)  # still in the feed: last_seen refreshed
        m1, a1 = make_alert(old, at=T0 - timedelta(days=40))
        m2, a2 = make_alert(recent, at=T0 - timedelta(days=40))
        await tx.add_matches([(m1, old), (m2, recent)], T0 - timedelta(days=40))
        await tx.add_alerts([a1, a2])
    await store.mark_sent(a1.id, at=T0, remote_id=None)
    report = await store.prune(before=T0 - timedelta(days=30))
    assert (report.seen, report.matches, report.alerts) == (1, 2, 1)
    async with store.transaction() as tx:
        assert await tx.unseen([old.key, recent.key]) == {old.key}
    assert [r.alert.id for r in await store.outbox()] == [a2.id]  # pending survives


async def test_sync_and_claim_keep_future_due_times(store: SqliteStore) -> None:
    """Startup keeps a future due time (Retry-After), re-plans past ones, resets on config
    change, and claiming leases a due source so it is not claimed twice."""
    plans = {
        "a": SourcePlan("fp-a", T0 + timedelta(seconds=10)),
        "b": SourcePlan("fp-b", T0 + timedelta(seconds=20)),
        "push": SourcePlan("fp-p", None),
    }
    await store.sync_sources(plans, T0)
    await store.save_source_state(
        (await store.source_state("a")).evolve(
            next_due_at=T0 + timedelta(hours=2), cursor=SourceCursor(etag='"e"')
        )
    )
    await store.save_source_state(
        (await store.source_state("b")).evolve(next_due_at=T0 - timedelta(hours=5))
    )
    later = T0 + timedelta(minutes=1)
    replan = {
        "a": SourcePlan("fp-a", later + timedelta(seconds=3)),
        "b": SourcePlan("fp-b", later + timedelta(seconds=4)),
        "push": SourcePlan("fp-p", None),
    }
    await store.sync_sources(replan, later)
    states = await store.source_states()
    assert states["a"].next_due_at == T0 + timedelta(hours=2)  # kept (server asked to wait)
    assert states["b"].next_due_at == later + timedelta(seconds=4)  # overdue: spread again
    assert states["push"].next_due_at is None
    assert await store.claim_due_sources(later + timedelta(seconds=5), 10, 60) == ["b"]
    assert await store.claim_due_sources(later + timedelta(seconds=6), 10, 60) == []  # leased
    # The URL of "a" changed: its validators and due time start fresh.
    await store.sync_sources({"a": SourcePlan("fp-a2", later), "b": replan["b"]}, later)
    fresh = await store.source_state("a")
    assert fresh.cursor.etag is None and fresh.next_due_at == later
    # "push" is no longer configured: never claimed, state kept.
    assert "push" in await store.source_states()
