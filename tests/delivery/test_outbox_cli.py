"""``bilat outbox``: the list a desk reads when alerts went missing, and ``--requeue`` that
sends dead letters again once the cause is fixed. Driven through the real CLI on a real
SQLite state."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.model import utcnow
from monitor.store import open_store
from tests.conftest import WriteConfig, run_cli
from tests.delivery.conftest import numbered, queue


async def test_outbox_lists_and_requeues_dead_letters(
    tmp_path: Path, write_config: WriteConfig
) -> None:
    config = write_config({"notifiers": {"desk": {"type": "console"}}})
    store = await open_store(f"sqlite:///{tmp_path / 'state' / 'bilat.db'}")
    alive, dead_a, dead_b = (numbered(n) for n in (1, 2, 3))
    try:
        await queue(store, alive, dead_a, dead_b)
        await store.mark_dead_many([dead_a.id, dead_b.id], at=utcnow(), error="channel_not_found")
    finally:
        await store.close()

    listed = await run_cli("outbox", "-c", str(config), "--state", "dead")
    assert listed.returncode == 0, listed.stderr
    assert dead_a.id in listed.stdout and dead_b.id in listed.stdout
    assert alive.id not in listed.stdout
    assert "error: channel_not_found" in listed.stdout and "2 alerts" in listed.stdout

    rows = await run_cli("outbox", "-c", str(config), "--json")
    docs = [json.loads(line) for line in rows.stdout.splitlines()]
    assert [(d["alert_id"], d["state"]) for d in docs] == [
        (alive.id, "pending"),
        (dead_a.id, "dead"),
        (dead_b.id, "dead"),
    ]
    assert docs[1]["headline"] == "Alert 002" and docs[1]["last_error"] == "channel_not_found"

    one = await run_cli("outbox", "-c", str(config), "--requeue", dead_a.id)
    assert (one.returncode, one.stdout.strip()) == (0, "requeued 1 dead letter")
    rest = await run_cli("outbox", "-c", str(config), "--requeue", "--notifier", "desk")
    assert (rest.returncode, rest.stdout.strip()) == (0, "requeued 1 dead letter")
    none_left = await run_cli("outbox", "-c", str(config), "--requeue")
    assert (none_left.returncode, none_left.stdout.strip()) == (1, "requeued 0 dead letters")

    store = await open_store(f"sqlite:///{tmp_path / 'state' / 'bilat.db'}")
    try:
        states = {r.alert.id: (r.state, r.attempts) for r in await store.outbox()}
    finally:
        await store.close()
    assert states == {i: ("pending", 0) for i in (alive.id, dead_a.id, dead_b.id)}

    misuse = await run_cli("outbox", "-c", str(config), dead_a.id)
    assert misuse.returncode == 2
