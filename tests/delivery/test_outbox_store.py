"""The outbox part of the store: held rows (``not_before``), due rows for digests, settling
several rows at once, looking one row up, and the upgrade of a store made before
``0002_delivery``. All but the last use only the ``Store`` interface."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from monitor.store import sqlite_schema
from monitor.store.sqlite import SqliteStore
from tests.delivery.conftest import numbered

T0 = datetime(2024, 7, 4, 9, 0, tzinfo=UTC)


async def test_store_from_before_the_delivery_migration_upgrades(tmp_path: Path) -> None:
    """A state file made with only 0001_core (main before this change) gains the not_before
    column on open; its pending rows survive and stay deliverable (SQLite-specific)."""
    path = tmp_path / "old.db"
    original = list(sqlite_schema.MIGRATIONS)
    sqlite_schema.MIGRATIONS[:] = original[:1]  # the list SqliteStore reads, changed in place
    try:
        old = await SqliteStore.open(path)
        assert await old.applied_migrations() == ["0001_core"]
        # The rows main's add_alerts wrote (it knew no not_before column).
        alert = numbered(1, created_at=T0)
        async with old.transaction() as tx:
            await tx.conn.execute(
                "INSERT INTO alerts (alert_id, notifier, rule_id, kind, event_key, parent_id,"
                " created_at, alert_json) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
                (alert.id, "desk", alert.rule_id, "new", alert.event_key, T0.timestamp(),
                 json.dumps(alert.to_json())),
            )  # fmt: skip
            await tx.conn.execute(
                "INSERT INTO outbox (alert_id, notifier, state, next_attempt_at, created_at)"
                " VALUES (?, 'desk', 'pending', ?, ?)",
                (alert.id, T0.timestamp(), T0.timestamp()),
            )
        await old.close()
    finally:
        sqlite_schema.MIGRATIONS[:] = original
    new = await SqliteStore.open(path)
    try:
        assert (await new.applied_migrations())[:2] == ["0001_core", "0002_delivery"]
        row = await new.next_outbox("desk")
        assert row is not None and row.not_before is None and row.state == "pending"
        assert [r.alert.id for r in await new.due_outbox("desk", now=T0, limit=5)] == [row.alert.id]
    finally:
        await new.close()
