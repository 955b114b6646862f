"""Contracts between the daemon and its plugins: the HTTP client sources use, what a poll
returns, and the errors that cross the boundary.

Plugins (adapters, rules, notifiers) depend on these Protocols and small value types, never
on the daemon's concrete classes, so each can be tested alone against real loopback servers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from monitor.model import Item
from monitor.units import Bytes, Seconds

if TYPE_CHECKING:
    import aiohttp

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------
# HTTP


class HttpSettings(BaseModel):
    """``[monitor.http]`` in the config; ``allow_private_networks`` lives on ``[monitor]`` and
    is copied here by the settings loader."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout: Seconds = 30.0  # total time for one request, body included
    connect_timeout: Seconds = 10.0
    read_timeout: Seconds = 20.0  # no byte for this long -> give up (capped by ``timeout``)
    max_body: Bytes = 10 * 1024 * 1024  # decompressed
    # Requests in flight per host:port. Six is what browsers open per host over HTTP/1.1 (RFC
    # 9112 sets no number since RFC 7230 dropped RFC 2616's two); with two, a desk whose feeds
    # share a host waited on round trips (BENCHMARKS.md, poll path).
    per_host_limit: int = Field(default=6, ge=1)
    total_limit: int = Field(default=100, ge=1)
    max_redirects: int = Field(default=5, ge=0)
    user_agent: str | None = None  # default: "bilat/<version> (+<project url>)"
    allow_private_networks: bool = False


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A fully read, size-capped, decompressed response."""

    status: int
    url: str  # final URL after redirects
    headers: Mapping[str, str]  # case-insensitive in practice (a CIMultiDictProxy)
    body: bytes
    elapsed_ms: float = 0.0
    # Link header relations -> absolute URL ({"next": ..., "prev": ...}), as aiohttp's
    # ``ClientResponse.links`` parsed them (RFC 8288; relative targets resolved).
    links: Mapping[str, str] = field(default_factory=dict)
    # ``time.perf_counter()`` when the body was read in full (the fetch-to-outbox clock).
    received_at: float | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")


class FetchError(Exception):
    """A request failed. ``transient`` errors are retried with backoff; others are not."""

    transient: bool = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s
        self.url = url


class RateLimited(FetchError):
    """429 (or an exhausted rate-limit budget): wait at least ``retry_after_s``."""


class ServerError(FetchError):
    """5xx: the server is unwell; back off."""


class NetworkError(FetchError):
    """Connection refused/reset, DNS failure, timeout."""


class ClientError(FetchError):
    """4xx other than 429: our request or the URL is wrong. Not retried within a poll."""

    transient = False


class BlockedAddress(FetchError):
    """The URL (or a redirect) points at a private, loopback or link-local address, or uses a
    scheme other than http/https, and ``allow_private_networks`` is false."""

    transient = False


class ResponseTooLarge(FetchError):
    """The decompressed body exceeded the size cap."""

    transient = False


class HttpClient(Protocol):
    """The one shared HTTP client (monitor/net/client.py). Sources never create sessions."""

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        max_bytes: int | None = None,
        timeout_s: float | None = None,
    ) -> HttpResponse:
        """GET with conditional headers; returns 2xx and 304 responses, raises FetchError
        subclasses for everything else (429 -> RateLimited with retry_after_s, 5xx ->
        ServerError, ...)."""
        ...

    async def post_json(
        self,
        url: str,
        payload: object,
        *,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> HttpResponse:
        """POST a JSON body. Returns any response with a status (callers classify it);
        raises NetworkError / BlockedAddress when no response arrived."""
        ...

    def websocket(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        heartbeat_s: float | None = 30.0,
    ) -> AbstractAsyncContextManager[aiohttp.ClientWebSocketResponse]:
        """Open a websocket (Jetstream, Mastodon streaming) under the same address policy."""
        ...

    def stream_lines(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        idle_timeout_s: float = 90.0,
    ) -> AsyncIterator[bytes]:
        """Yield the lines of a long-lived response (server-sent events) until it ends;
        raises NetworkError when no byte arrives within ``idle_timeout_s``."""
        ...


# ---------------------------------------------------------------------------------------------
# Sources


@dataclass(frozen=True, slots=True)
class SourceCursor:
    """Per-source state a source owns and the store persists (validators + its own cursor).

    ``cursor`` is adapter-specific text (a since_id, a Jetstream time_us, JSON ...). A new
    cursor is committed only after the items of that poll were processed.
    """

    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll produced.

    ``min_delay_s`` is the server's wish for the next poll (Retry-After, RSS <ttl>,
    Cache-Control max-age, a rate-limit reset): the scheduler waits
    max(interval, min_delay_s), capped.
    """

    items: list[Item]
    cursor: SourceCursor
    not_modified: bool = False
    min_delay_s: float | None = None
    http_status: int | None = None
    fetched: int = 0  # entries seen in the response (before de-duplication)
    notes: tuple[str, ...] = field(default=())  # non-fatal problems worth one log line
    # ``HttpResponse.received_at`` of the response the items came from, when one did: the
    # start of ``bilat_fetch_to_outbox_seconds``.
    received_at: float | None = None
    # Only when the poller asked for it (``DEFER_PARSE``): the items are not parsed yet;
    # this pure, picklable call parses them, and the poller runs it in a worker together
    # with the rules (``items`` is then empty; ``min_delay_s``, ``fetched`` and ``notes``
    # hold the response's part, the document's ``ParsedDocument`` part joins them).
    parse: Callable[[], ParsedDocument] | None = None
    parse_bytes: int = 0  # the size of the document ``parse`` reads (0: unknown)


class ParsedDocument(Protocol):
    """What a deferred ``PollResult.parse`` returns (``adapters.feedtypes.ParsedFeed``)."""

    @property
    def items(self) -> list[Item]: ...

    @property
    def ttl_s(self) -> float | None:
        """The document's own wish for the next poll (RSS ``<ttl>``), in seconds."""

    @property
    def entries(self) -> int: ...

    @property
    def notes(self) -> tuple[str, ...]: ...


class PolledSource(Protocol):
    """A source the scheduler polls (feeds, APIs, pages)."""

    id: str

    async def poll(self, http: HttpClient, cursor: SourceCursor) -> PollResult:
        """Fetch and parse once. Raise FetchError (or a subclass of ValueError for a body
        that cannot be parsed); never swallow errors silently."""
        ...


EmitItems = Callable[[list[Item], SourceCursor], Awaitable[None]]


class PushSource(Protocol):
    """A long-lived stream (Mastodon streaming, Bluesky Jetstream)."""

    id: str

    async def run(self, http: HttpClient, cursor: SourceCursor, emit: EmitItems) -> None:
        """Stream until cancelled, reconnecting with backoff. Call ``emit`` with each batch
        and the cursor to persist once that batch is processed."""
        ...


# ---------------------------------------------------------------------------------------------
# Pure work off the event loop

Offload = Callable[..., Awaitable[Any]]

# The daemon's runner for pure work (``monitor.workers.WorkPool.run``), set for the tasks it
# starts; None: run inline.
OFFLOAD: ContextVar[Offload | None] = ContextVar("bilat_offload", default=None)


# Set by the poller around ``PolledSource.poll`` when it can take a deferred parse
# (``PollResult.parse``): the parse and the rules then make one job in a worker, and only
# the items not seen before come back from it.
DEFER_PARSE: ContextVar[bool] = ContextVar("bilat_defer_parse", default=False)


async def offload(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, in a worker process when the daemon runs a pool (``fn`` must
    then be a module-level function with picklable arguments), else right here."""
    runner = OFFLOAD.get()
    if runner is None:
        return fn(*args, **kwargs)
    result: T = await runner(fn, *args, **kwargs)
    return result
