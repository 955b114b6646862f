"""The ``feed`` source type: polls one RSS/Atom/JSON Feed URL politely.

``FeedSource.poll`` is the thin fetch: a conditional GET with the cursor's validators; a 304
returns at once without parsing; a 200 is parsed by the pure ``parse_feed`` (see
``adapters.feedreader`` for the pipeline and the fast/fallback decision table). The next poll's
earliest time is the larger of the feed's ``<ttl>`` and the server's headers (Retry-After,
Cache-Control max-age / Expires).
"""

from __future__ import annotations

import asyncio
import functools
import re
import sys
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import field_validator

from adapters.base import SourceOptions
from adapters.feedtypes import FeedError, ParsedFeed
from monitor.contracts import (
    DEFER_PARSE,
    OFFLOAD,
    HttpClient,
    PollResult,
    SourceCursor,
    offload,
)
from monitor.net.serverhints import server_delay_s

if TYPE_CHECKING:
    from adapters.feedreader import parse_feed

__all__ = ["FeedError", "FeedSource", "ParsedFeed", "parse_feed"]


def __getattr__(name: str) -> Any:
    # The parser (fastfeedparser, lxml) is imported by the first poll, not by reading the
    # configuration: ``bilat check`` validates FeedOptions without it.
    if name == "parse_feed":
        from adapters.feedreader import parse_feed

        globals()["parse_feed"] = parse_feed  # once
        return parse_feed
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# A lower-case http(s) scheme, a host of ASCII letters, digits, dots and dashes, an optional
# port, then printable ASCII: ``urlsplit`` accepts every such URL with that host.
_PLAIN_HTTP_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{0,5})?(?:[/?#][!-~]*)?")

# Without worker processes, bodies above this are parsed in a thread so one huge (or
# ill-formed, hence slow) feed does not stall every other poll on the event loop.
THREAD_PARSE_BYTES = 256 * 1024


class FeedOptions(SourceOptions):
    """``[[sources]]`` keys of a ``type = "feed"`` source."""

    type: Literal["feed"] = "feed"
    url: str

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if _PLAIN_HTTP_URL.fullmatch(value):
            return value  # what urlsplit below accepts, a tenth of its cost (5,000 sources)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"must be an http:// or https:// URL with a host, not {value!r}")
        return value


class FeedSource:
    """One feed. ``id`` is the source id from the config."""

    type_name: ClassVar[str] = "feed"
    Options: ClassVar[type[SourceOptions]] = FeedOptions
    min_interval: ClassVar[float] = 60.0  # feeds rarely change faster; <ttl> may ask for more

    def __init__(self, options: FeedOptions) -> None:
        self.options = options
        self.id = options.id
        self.url = options.url

    @classmethod
    def from_options(cls, options: SourceOptions) -> FeedSource:
        if not isinstance(options, FeedOptions):
            options = FeedOptions.model_validate(options.model_dump())
        return cls(options)

    def __repr__(self) -> str:
        return f"FeedSource(id={self.id!r}, url={self.url!r})"

    async def poll(self, http: HttpClient, cursor: SourceCursor) -> PollResult:
        """Fetch once (conditionally) and parse. Raises FetchError or FeedError."""
        response = await http.get(self.url, etag=cursor.etag, last_modified=cursor.last_modified)
        server_wish = server_delay_s(response.headers)
        if response.not_modified:
            return PollResult(
                items=[],
                cursor=cursor,
                not_modified=True,
                min_delay_s=server_wish,
                http_status=response.status,
            )
        body, options = response.body, self.options
        parse = functools.partial(
            sys.modules[__name__].parse_feed,  # imported by the first poll (``__getattr__``)
            body,
            url=response.url or self.url,
            source_id=self.id,
            content_type=response.content_type,
            http_lang=response.headers.get("Content-Language"),
            official=options.official,
            lang_override=options.lang,
        )
        new_cursor = SourceCursor(
            # A server that stops sending a validator keeps none: sending a stale one back
            # could get a 304 for content that changed.
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            cursor=cursor.cursor,
        )
        if DEFER_PARSE.get():
            # The poller parses it in a worker with the rules (one job, only new items back).
            return PollResult(
                items=[],
                cursor=new_cursor,
                min_delay_s=server_wish,
                http_status=response.status,
                received_at=response.received_at,
                parse=parse,
                parse_bytes=len(body),
            )
        parsed: ParsedFeed
        if OFFLOAD.get() is not None:
            parsed = await offload(parse)  # a worker process (monitor.workers)
        elif len(body) > THREAD_PARSE_BYTES:
            parsed = await asyncio.to_thread(parse)
        else:
            parsed = parse()
        wishes = [w for w in (server_wish, parsed.ttl_s) if w is not None]
        return PollResult(
            items=parsed.items,
            cursor=new_cursor,
            min_delay_s=max(wishes) if wishes else None,
            http_status=response.status,
            fetched=parsed.entries,
            notes=parsed.notes,
            received_at=response.received_at,
        )
