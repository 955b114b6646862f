"""The parsed configuration kept between runs (``monitor.warmup.cached_toml``): the same tables as
``tomllib``, read back from the cache, never from a stale or broken entry."""

from __future__ import annotations

import marshal
import tomllib
from pathlib import Path

import pytest

from monitor import warmup


def big_config(n: int = 600, extra: str = "") -> str:
    sources = "".join(
        f'[[sources]]\nid = "s{i:04d}"\ntype = "feed"\nurl = "https://example.org/{i}.xml"\n\n'
        for i in range(n)
    )
    return f'[monitor]\nstate = "sqlite:///x.db"\n{extra}\n{sources}'


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BILAT_CACHE_DIR", str(tmp_path))
    return tmp_path


def entries(where: Path) -> list[Path]:
    return sorted(where.glob("toml-*.marshal"))


def test_a_big_document_is_parsed_once_and_read_back_the_same(cache: Path) -> None:
    text = big_config()
    assert len(text) >= warmup.TOML_MIN_CHARS
    first = warmup.cached_toml(text)
    assert first == tomllib.loads(text)
    [entry] = entries(cache)
    assert marshal.loads(entry.read_bytes()) == first
    assert warmup.cached_toml(text) == first
    # Another text is another entry: an edited file never reads the old one.
    edited = text.replace('id = "s0001"', 'id = "t0001"')
    assert warmup.cached_toml(edited)["sources"][1]["id"] == "t0001"
    assert len(entries(cache)) == 2


def test_a_broken_entry_is_parsed_again_and_replaced(cache: Path) -> None:
    text = big_config()
    warmup.cached_toml(text)
    [entry] = entries(cache)
    entry.write_bytes(b"\x00not marshal")
    assert warmup.cached_toml(text) == tomllib.loads(text)
    assert marshal.loads(entry.read_bytes()) == tomllib.loads(text)


def test_dates_small_documents_and_a_disabled_cache_are_always_parsed(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dated = big_config(extra="since = 2026-01-02T03:04:05Z")
    assert warmup.cached_toml(dated) == tomllib.loads(dated)  # a datetime: not a marshal type
    assert warmup.cached_toml('[monitor]\nstate = "x"\n') == {"monitor": {"state": "x"}}
    monkeypatch.setenv("BILAT_CACHE_DIR", "")
    assert warmup.cached_toml(big_config()) == tomllib.loads(big_config())
    assert entries(cache) == []


def test_a_syntax_error_is_tomllibs_own(cache: Path) -> None:
    with pytest.raises(tomllib.TOMLDecodeError):
        warmup.cached_toml(big_config() + "\n[[sources]\n")
    assert entries(cache) == []


def test_only_the_latest_documents_are_kept(cache: Path) -> None:
    for i in range(warmup.TOML_KEEP + 3):
        warmup.cached_toml(big_config(extra=f"grace_s = {i}"))
    assert len(entries(cache)) == warmup.TOML_KEEP
