"""Shared helpers for the feed adapter tests: where the fixtures live and a parse shortcut."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.feed import ParsedFeed, parse_feed

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
FEED_URL = "https://feeds.example.org/section/feed.xml"


def body(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def parse(name: str, **kwargs: Any) -> ParsedFeed:
    kwargs.setdefault("url", FEED_URL)
    kwargs.setdefault("source_id", "src")
    return parse_feed(body(name), **kwargs)


def fixture_names(*subdirs: str, suffixes: tuple[str, ...] = (".xml", ".json")) -> list[str]:
    """Relative names of the fixture files under ``subdirs``, sorted (for parametrize ids)."""
    names: list[str] = []
    for sub in subdirs:
        for path in sorted((FEEDS / sub).rglob("*")):
            if path.is_file() and path.name.endswith(suffixes):
                names.append(path.relative_to(FEEDS).as_posix())
    return names
