"""A source a killed SQLite daemon left claimed mid-poll is due again at the next start, not
when its claim runs out; claims of a live process stay (``release_dead_claims``)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from monitor.store import SourcePlan, open_store
from monitor.store.claim_owner import alive, this_process
from tests.store.storekit import T0


def _dead_owner() -> str:
    """The claim name of a process that has exited (its pid is free or someone else's)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from monitor.store.claim_owner import this_process as t; print(t())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def test_a_claim_names_a_live_process_and_outlives_it_not() -> None:
    assert alive(this_process())
    assert not alive(_dead_owner())
    assert not alive("not-a-pid")


async def test_claims_of_a_gone_process_are_released_live_ones_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bilat.db'}"
    store = await open_store(url)
    try:
        await store.sync_sources({"a": SourcePlan("fp", T0), "b": SourcePlan("fp", T0)}, T0)
        assert sorted(await store.claim_due_sources(T0, 5, 100)) == ["a", "b"]
        # "a" was claimed by a run that was killed since; "b" by this live process
        raw = store._conn  # type: ignore[attr-defined]
        await raw.execute(
            "UPDATE sources SET claimed_by = ? WHERE source_id = 'a'", (_dead_owner(),)
        )
        await raw.commit()
        later = T0 + timedelta(seconds=5)
        assert await store.release_dead_claims(later) == ["a"]
        assert await store.claim_due_sources(later, 5, 100) == ["a"]  # due again at once
        assert (await store.source_state("b")).next_due_at == T0 + timedelta(seconds=100)
        assert await store.release_dead_claims(later) == []  # "a" is this process's claim now
    finally:
        await store.close()


async def test_saving_a_polled_state_ends_its_claim(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'bilat.db'}")
    try:
        await store.sync_sources({"a": SourcePlan("fp", T0)}, T0)
        assert await store.claim_due_sources(T0, 5, 100) == ["a"]
        state = await store.source_state("a")
        await store.save_source_state(state.evolve(next_due_at=T0 + timedelta(minutes=5)))
        raw = store._conn  # type: ignore[attr-defined]
        async with raw.execute("SELECT claimed_by FROM sources WHERE source_id = 'a'") as cur:
            assert [row[0] async for row in cur] == [None]
    finally:
        await store.close()
