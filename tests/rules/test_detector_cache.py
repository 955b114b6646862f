"""The on-disk gazetteer cache: same answers, faster start, never a stale or broken read."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from monitor import warmup as detector_cache
from rules.bilateral.detector import detect
from rules.bilateral.fingerprint import data_fingerprint
from rules.bilateral.gazetteer import gazetteer
from rules.bilateral.roster import load_roster
from rules.text import normalize

ROOT = Path(__file__).resolve().parents[2]
TEXT = "External Affairs Minister S. Jaishankar met Chinese Foreign Minister Wang Yi in Astana."


def test_a_pickled_gazetteer_reads_like_the_built_one() -> None:
    clone = pickle.loads(pickle.dumps(gazetteer()))
    assert len(clone) == len(gazetteer())
    norm = normalize(TEXT)
    assert clone.scan(norm) == gazetteer().scan(norm)
    assert clone.meeting_words(norm.folded, "en") == gazetteer().meeting_words(norm.folded, "en")


def _scan_child(cache: Path, text: str = TEXT) -> str:
    """``bilat scan -`` of ``text`` in a fresh process whose cache directory is ``cache``."""
    env = {**os.environ, "BILAT_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "scan", "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    return done.stdout


def test_the_first_command_writes_the_cache_and_the_next_reads_it(tmp_path: Path) -> None:
    first = _scan_child(tmp_path)
    files = list(tmp_path.glob("gazetteer-*.pickle"))
    assert [f.name for f in files] == [f"gazetteer-{data_fingerprint()}.pickle"]
    stamp = files[0].stat().st_mtime_ns
    assert _scan_child(tmp_path) == first
    assert files[0].stat().st_mtime_ns == stamp  # read, not rewritten
    assert "CN–IN" in first and "held" in first


def test_a_torn_cache_file_is_rebuilt_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / f"gazetteer-{data_fingerprint()}.pickle"
    path.write_bytes(b"\x80\x05not a pickle")
    out = _scan_child(tmp_path)
    assert "CN–IN" in out
    assert pickle.loads(path.read_bytes()).__class__.__name__ == "Gazetteer"


def test_an_old_version_is_removed_and_an_unwritable_directory_only_costs_time(
    tmp_path: Path,
) -> None:
    stale = tmp_path / "gazetteer-0000.pickle"
    stale.write_bytes(b"old")
    _scan_child(tmp_path)
    assert not stale.exists()
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    assert "CN–IN" in _scan_child(blocked)  # the cache cannot be written: still answers


def test_the_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BILAT_CACHE_DIR", "")
    assert detector_cache.cache_dir() is None
    monkeypatch.setenv("BILAT_CACHE_DIR", str(tmp_path))
    assert detector_cache.cache_dir() == tmp_path
    monkeypatch.delenv("BILAT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert detector_cache.cache_dir() == tmp_path / "bilat"
    assert detect(TEXT)[0].parties == ("CN", "IN")


def test_the_roster_is_kept_beside_the_gazetteer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The first read writes ``roster-<digest>.pickle``; the next reads it (the same roster
    as parsing the TOML); a torn file is rebuilt and replaced."""
    monkeypatch.setenv("BILAT_CACHE_DIR", str(tmp_path))
    parsed = load_roster()
    assert detector_cache.cached_roster() == parsed
    path = tmp_path / f"roster-{data_fingerprint()}.pickle"
    stamp = path.stat().st_mtime_ns
    assert detector_cache.cached_roster() == parsed
    assert path.stat().st_mtime_ns == stamp  # read, not rewritten
    path.write_bytes(b"\x80\x05not a pickle")
    assert detector_cache.cached_roster() == parsed
    assert pickle.loads(path.read_bytes()) == parsed
