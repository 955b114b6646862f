"""What parsing a feed gives back (``ParsedFeed``), how it fails (``FeedError``), and the caps
that keep one hostile or broken feed from costing unbounded memory or CPU."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from monitor.model import Item, positional_pickle

ParserPath = Literal["fastfeedparser", "feedparser", "jsonfeed"]

MAX_BODY_BYTES = 20 * 1024 * 1024  # the HTTP client caps at 10 MiB; a pure-function backstop
MAX_ITEMS = 1000  # per feed, in document order (feeds list newest first)
MAX_TITLE_CHARS = 1_000
MAX_TEXT_CHARS = 50_000
MAX_HTML_CHARS = 400_000  # HTML is cut before it is converted, so conversion stays bounded
MAX_AUTHOR_CHARS = 200
MAX_URL_CHARS = 2_048
MAX_ID_CHARS = 512  # longer ids are replaced by a stable hash of themselves


class FeedError(ValueError):
    """The body is not a feed we can read (an HTML page, an empty or truncated document, a
    refused entity declaration ...). The message says which, for one log line."""


@positional_pickle
@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """One parsed feed document.

    ``entries`` counts the entries in the document before duplicates (same id) were collapsed
    and before the ``MAX_ITEMS`` cap; ``parser`` says which path produced the items;
    ``notes`` lists non-fatal problems (encoding guessed, fallback taken, items capped ...).
    """

    title: str
    lang: str | None
    ttl_s: float | None
    items: list[Item]
    entries: int
    notes: tuple[str, ...] = ()
    parser: ParserPath = "fastfeedparser"
    link: str | None = None  # the site the feed belongs to, absolute
