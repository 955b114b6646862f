"""Bad state answered with one line, exit 2, the file untouched: garbage, truncated and
corrupted SQLite files, and a read-only state directory, at start (`bilat once`) and in
`bilat check`; `bilat state backup` copies a live state that then opens as a state."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import sqlite3
import sys
from pathlib import Path

from monitor.store import open_store
from tests.conftest import ROOT, CliResult, WriteConfig, cli_env, require, run_cli


def _config(write_config: WriteConfig) -> Path:
    return write_config({"sources": [], "rules": []})


def _db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "bilat.db"


async def _make_state(db: Path, filler_rows: int = 0) -> None:
    """A real bilat state, plus a filler table big enough to have pages to damage."""
    store = await open_store(f"sqlite:///{db}")
    await store.close()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=DELETE")
    if filler_rows:
        con.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)")
        con.execute("CREATE INDEX filler_body ON filler(body)")
        con.executemany(
            "INSERT INTO filler (body) VALUES (?)",
            [(f"row {n} " * 20,) for n in range(filler_rows)],
        )
        con.commit()
    con.close()


def _fingerprint(db: Path) -> tuple[str, list[str]]:
    siblings = sorted(p.name for p in db.parent.iterdir())
    return hashlib.sha256(db.read_bytes()).hexdigest(), siblings


async def _assert_refused(config: Path, db: Path, problem: str) -> None:
    before = _fingerprint(db)
    for args in (("once", "-c", str(config)), ("check", "-c", str(config))):
        result = await run_cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr  # one line, no traceback
        assert str(db) in lines[0] and problem in lines[0], lines[0]
        assert "restore" in lines[0] or "writable" in lines[0], lines[0]
        assert _fingerprint(db) == before  # the file (and its directory) untouched


async def test_a_garbage_file_is_named_and_left_alone(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """A file that is not SQLite at all: one line, exit 2, unchanged."""
    db = _db(tmp_path)
    db.parent.mkdir()
    db.write_bytes(b"this is not a database\n" * 500)
    await _assert_refused(_config(write_config), db, "not a SQLite database")


async def test_a_truncated_file_is_named_and_left_alone(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """A state cut short (a copy that stopped half-way): one line, exit 2, unchanged."""
    db = _db(tmp_path)
    await _make_state(db, filler_rows=500)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    await _assert_refused(_config(write_config), db, "truncated")


async def test_corrupted_pages_are_found_by_the_quick_check(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """A state whose pages were overwritten (the header intact): bilat check no longer says
    OK; one line naming the corruption, exit 2, unchanged."""
    db = _db(tmp_path)
    await _make_state(db, filler_rows=2000)
    page = int.from_bytes(db.read_bytes()[16:18], "big")
    with db.open("r+b") as f:
        for n in (6, 9, 14, 20):
            f.seek(n * page)
            f.write(os.urandom(page))
    await _assert_refused(_config(write_config), db, "corrupted")


async def test_a_healthy_state_passes_the_check(write_config: WriteConfig, tmp_path: Path) -> None:
    """The check can pass: a sound state is accepted by `bilat check` (exit 0)."""
    await _make_state(_db(tmp_path), filler_rows=200)
    result = await run_cli("check", "-c", str(_config(write_config)))
    assert result.returncode == 0, result.stderr


async def test_a_read_only_state_directory_is_one_line(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """The state directory on a read-only mount (a user and mount namespace: root cannot
    write there either): one line naming the directory, exit 2, no traceback."""
    unshare = shutil.which("unshare")
    require(unshare is not None, "needs unshare (util-linux) for a read-only mount")
    assert unshare is not None
    db = _db(tmp_path)
    await _make_state(db)
    config = _config(write_config)
    before = _fingerprint(db)
    state = db.parent
    script = (
        f"mount --bind {state} {state} && mount -o remount,bind,ro {state} && "
        f'exec "$0" -m monitor "$@"'
    )
    for command in ("once", "check"):
        proc = await asyncio.create_subprocess_exec(
            unshare, "-rm", "sh", "-c", script, sys.executable, command, "-c", str(config),
            cwd=ROOT, env=cli_env(), stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        result = CliResult(proc.returncode or 0, out.decode(), err.decode())
        if "Operation not permitted" in result.stderr and "mount" in result.stderr:
            require(False, "this machine does not allow user namespaces")
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.returncode == 2 and len(lines) == 1, result.stderr
        assert str(state) in lines[0] and "read-only" in lines[0], lines[0]
    assert _fingerprint(db) == before


async def test_state_backup_copies_a_live_state(write_config: WriteConfig, tmp_path: Path) -> None:
    """`bilat state backup FILE` writes a self-contained copy that opens as a bilat state
    with the same rows; an existing FILE is refused (exit 2)."""
    db = _db(tmp_path)
    await _make_state(db, filler_rows=300)
    config = _config(write_config)
    target = tmp_path / "backup.db"
    result = await run_cli("state", "backup", str(target), "-c", str(config))
    assert result.returncode == 0, result.stderr
    assert "backed up" in result.stdout
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT COUNT(*) FROM filler").fetchone()[0] == 300
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    store = await open_store(f"sqlite:///{target}")
    await store.close()
    again = await run_cli("state", "backup", str(target), "-c", str(config))
    assert again.returncode == 2 and "exists" in again.stderr


async def test_state_backup_of_postgres_gives_pg_dump_advice(write_config: WriteConfig) -> None:
    """PostgreSQL state: nothing is copied; the command says how, with pg_dump."""
    config = write_config(
        {"monitor": {"state": "postgresql://bilat:pw@127.0.0.1:5432/bilat"}, "sources": []}
    )
    result = await run_cli("state", "backup", "x.dump", "-c", str(config))
    assert result.returncode == 1
    assert "pg_dump" in result.stderr and "pw" not in result.stderr
