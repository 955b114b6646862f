"""Opening each backend by URL: migrations (once, also with nodes starting together), crash
safety with a real killed process, URLs and passwords, unreachable servers."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
from pathlib import Path

import pytest

from monitor.logs import mask_text
from monitor.store import Store, display_url, open_store, postgres_schema
from monitor.store.postgres import PostgresStore
from monitor.store.postgres_schema import MIGRATIONS as PG_MIGRATIONS
from monitor.store.sqlite import SqliteStore
from monitor.store.sqlite_schema import MIGRATIONS as SQLITE_MIGRATIONS
from tests.store.storekit import T0, make_alert, make_item

ROOT = Path(__file__).resolve().parents[2]


async def test_sqlite_url_applies_migrations_once_in_wal_mode(tmp_path: Path) -> None:
    """open_store picks SQLite from the URL, creates the directory, records migrations, WAL."""
    url = f"sqlite:///{tmp_path / 'deep' / 'dir' / 'x.db'}"
    store = await open_store(url)
    try:
        assert isinstance(store, SqliteStore)
        assert await store.applied_migrations() == [name for name, _ in SQLITE_MIGRATIONS]
        async with store._conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"  # type: ignore[index]
    finally:
        await store.close()
    again = await open_store(url)  # re-opening applies nothing twice
    await again.close()


@pytest.mark.postgres
async def test_postgres_nodes_starting_together_migrate_once(pg_url: str) -> None:
    """Four nodes opening an empty schema at the same moment: the advisory lock lets one
    apply each migration, the others find it applied; every node works."""
    stores = await asyncio.gather(*(open_store(pg_url) for _ in range(4)))
    try:
        assert all(isinstance(s, PostgresStore) for s in stores)
        names = [name for name, _ in PG_MIGRATIONS]
        for s in stores:
            assert isinstance(s, PostgresStore)
            assert await s.applied_migrations() == names
        assert len({s.node for s in stores if isinstance(s, PostgresStore)}) == 4
        assert [name for name, _ in SQLITE_MIGRATIONS] == names  # the backends move together
    finally:
        await asyncio.gather(*(s.close() for s in stores))


CRASHER = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from datetime import UTC, datetime
    from monitor.contracts import SourceCursor
    from monitor.model import Item
    from monitor.store import open_store
    from monitor.store.base import SourceState

    async def main():
        store = await open_store(sys.argv[1])
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


async def test_killed_process_mid_transaction_leaves_nothing(state_url: str) -> None:
    """SIGKILL between the writes and the commit: after reopening, none of them exist."""
    first = await open_store(state_url)
    await first.close()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CRASHER, state_url, stdout=asyncio.subprocess.PIPE, cwd=ROOT
    )
    out, _ = await proc.communicate()
    assert b"written" in out and proc.returncode == -9
    store: Store = await open_store(state_url)
    try:
        assert (await store.source_state("s1")).cursor.etag is None
        async with store.transaction() as tx:
            assert len(await tx.unseen([f"s1:k{n}" for n in range(500)])) == 500
    finally:
        await store.close()


def test_display_url_hides_the_password() -> None:
    """A password in a state URL never reaches logs or `bilat check`."""
    url = "postgresql://bilat:s3cret-pw@db.internal:5432/bilat?search_path=b"
    assert display_url(url) == "postgresql://bilat:***@db.internal:5432/bilat?search_path=b"
    assert display_url("postgresql://bilat@db/bilat") == "postgresql://bilat@db/bilat"
    assert display_url("sqlite:////var/lib/bilat/state.db") == "sqlite:////var/lib/bilat/state.db"


async def test_unreachable_postgres_is_a_clear_error() -> None:
    """No server at the URL: one error naming the URL (password masked), nothing left open;
    the password is registered so no later log line shows it either."""
    url = "postgresql://bilat:pw-never-shown@127.0.0.1:9/bilat"  # port 9: nothing listens
    with pytest.raises(ConnectionError) as info:
        await open_store(url)
    message = str(info.value)
    assert "postgresql://bilat:***@127.0.0.1:9/bilat" in message
    assert "pw-never-shown" not in message
    assert mask_text("dsn pw-never-shown") == "dsn ***"


@pytest.mark.postgres
async def test_postgres_store_url_is_masked(pg_url: str) -> None:
    """``store.url`` (what the daemon logs) is the URL without a password."""
    with_password = pg_url.replace("://root@", "://root:unused-pw@")
    store = await open_store(with_password)  # trust auth ignores the password
    try:
        assert store.url == display_url(with_password) and "unused-pw" not in store.url
    finally:
        await store.close()


@pytest.mark.postgres
async def test_postgres_store_from_an_older_version_upgrades(pg_url: str) -> None:
    """A schema made with only 0001_core gains the later migrations on open (in order, once);
    rows written before survive and stay deliverable."""
    original = list(postgres_schema.MIGRATIONS)
    postgres_schema.MIGRATIONS[:] = original[:1]  # the list PostgresStore reads, changed in place
    try:
        old = await open_store(pg_url)
        assert isinstance(old, PostgresStore)
        assert await old.applied_migrations() == ["0001_core"]
        _, alert = make_alert(make_item(1), notifier="desk")
        async with old.transaction() as tx:  # what the previous version's add_alerts wrote
            await tx.conn.execute(
                "INSERT INTO alerts (alert_id, notifier, rule_id, kind, event_key, created_at,"
                " alert_json) VALUES ($1, 'desk', 'r', 'new', $2, $3, $4)",
                alert.id,
                alert.event_key,
                T0,
                json.dumps(alert.to_json()),
            )
            await tx.conn.execute(
                "INSERT INTO outbox (alert_id, notifier, state, next_attempt_at, created_at)"
                " VALUES ($1, 'desk', 'pending', $2, $2)",
                alert.id,
                T0,
            )
        await old.close()
    finally:
        postgres_schema.MIGRATIONS[:] = original
    new = await open_store(pg_url)
    try:
        assert isinstance(new, PostgresStore)
        assert await new.applied_migrations() == [name for name, _ in original]
        due = await new.due_outbox("desk", now=T0, limit=5)
        assert [r.alert for r in due] == [alert] and due[0].not_before is None
    finally:
        await new.close()
