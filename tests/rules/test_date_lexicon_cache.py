"""Date vocabularies kept in the on-disk cache beside the gazetteer: the same lexicon as one
built from CLDR, read back without rebuilding, and never a broken read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import babel
import pytest

from monitor.warmup import CachedDateLexicons
from rules.bilateral.fingerprint import data_fingerprint
from rules.dates import lexicon as dates
from tests.rules.test_detector_cache import _scan_child


def _file(where: Path) -> Path:
    return where / f"dates-{babel.__version__}-{data_fingerprint()}.pickle"


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("BILAT_CACHE_DIR", str(tmp_path))
    yield tmp_path
    dates.load_with(None)


def test_a_language_is_built_once_then_read_back(cache: Path) -> None:
    built = CachedDateLexicons()("en")
    assert built == dates.build_language("en")
    stamp = _file(cache).stat().st_mtime_ns
    again = CachedDateLexicons()  # a later process: reads the file, writes nothing
    assert again("en") == built
    assert _file(cache).stat().st_mtime_ns == stamp
    assert again("xx") is None  # CLDR has no such language: kept as such
    assert CachedDateLexicons()("xx") is None


def test_a_torn_file_is_rebuilt_and_replaced(cache: Path) -> None:
    _file(cache).write_bytes(b"\x80\x05not a pickle")
    assert CachedDateLexicons()("fr") == dates.build_language("fr")
    assert CachedDateLexicons()("fr") is not None


def test_the_routed_lexicons_read_like_the_built_ones(cache: Path) -> None:
    plain = dates.lexicon(("hi", "en"))
    dates.load_with(CachedDateLexicons())
    assert dates.known_language("hi") and not dates.known_language("zz")
    assert dates.lexicon(("hi", "en")) == plain
    assert dates.lexicon(("zz",)) == dates.lexicon(("en",))  # unknown: English, as before


def test_a_scan_writes_them_beside_the_gazetteer(tmp_path: Path) -> None:
    text = "Prime Minister Narendra Modi will meet President Emmanuel Macron next Friday."
    for _ in range(2):  # the second process reads what the first wrote
        assert "scheduled" in _scan_child(tmp_path, text)
    assert _file(tmp_path).exists()
