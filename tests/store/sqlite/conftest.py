"""The SQLite store on a file of its own, for the tests here that also read that file
directly: ``store`` here shadows the two-backend one of ``tests/store/conftest.py``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from monitor.store.sqlite import SqliteStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "bilat.db"


@pytest.fixture
async def store(db: Path) -> AsyncIterator[SqliteStore]:
    s = await SqliteStore.open(db)
    yield s
    await s.close()
