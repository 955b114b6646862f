"""The daemon's one HTTP client (``Http``, implementing ``monitor.contracts.HttpClient``).

Owns the single aiohttp ``ClientSession`` for the daemon's lifetime and everything about being
a polite, safe client: timeouts, User-Agent, gzip/deflate, per-host concurrency, a cap on the
decompressed body, conditional GET, status -> ``FetchError`` mapping, redirects followed by
policy, quick retries at the edge (tenacity) and the SSRF guard (``monitor.net.ssrf``), which
runs at connect time on every socket address.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Final

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from monitor import PROJECT_URL, __version__
from monitor.contracts import (
    HttpClient,
    HttpResponse,
    HttpSettings,
    NetworkError,
    ServerError,
)
from monitor.net.edgeretry import EdgeRetry
from monitor.net.errors import (
    check_target,
    error_cause,
    parse_url,
    redact_url,
    status_error,
    too_large,
    transport_error,
)
from monitor.net.hostslots import HostSlots
from monitor.net.redirects import (
    POST_FOLLOWS,
    REDIRECT_STATUSES,
    loop_error,
    next_hop,
    same_origin,
    too_many_error,
    without_credentials,
)
from monitor.net.serverhints import server_delay_s
from monitor.net.ssrf import HTTP_SCHEMES, WS_SCHEMES, AddressPolicy
from monitor.net.streams import iter_lines, open_websocket

__all__ = ["DEFAULT_USER_AGENT", "Http", "redact_url", "server_delay_s"]


DEFAULT_USER_AGENT: Final = f"bilat/{__version__} (+{PROJECT_URL})"
# Brotli/zstd only when aiohttp can decode them; neither is a dependency of ours.
ACCEPT_ENCODING: Final = "gzip, deflate"


class Http:
    """The shared HTTP client. ``async with Http(settings) as http:`` or ``await
    http.aclose()``; the aiohttp session is created lazily inside the running loop.

    ``resolver`` replaces DNS (tests map names to loopback with it); ``allow_networks``
    exempts networks from the address guard; ``retry_attempts`` counts the first attempt.
    """

    def __init__(
        self,
        settings: HttpSettings,
        *,
        resolver: AbstractResolver | None = None,
        allow_networks: Iterable[str] = (),
        retry_attempts: int = 3,
        retry_max_wait_s: float = 2.0,
    ) -> None:
        self.settings = settings
        self._policy = AddressPolicy(
            allow_private=settings.allow_private_networks, allow_networks=allow_networks
        )
        self._resolver = resolver
        self._slots = HostSlots(settings.per_host_limit)
        self._retry = EdgeRetry(retry_attempts, retry_max_wait_s, lambda: self._closed)
        self._user_agent = settings.user_agent or DEFAULT_USER_AGENT
        self._timeout = self._client_timeout(settings.timeout)
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    # -- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> Http:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the session and its connections; later requests raise NetworkError."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _client_timeout(self, total: float) -> aiohttp.ClientTimeout:
        s = self.settings
        return aiohttp.ClientTimeout(
            total=total,
            sock_connect=min(s.connect_timeout, total),
            sock_read=min(s.read_timeout, total) if s.read_timeout < total else None,
        )

    def _open_session(self) -> aiohttp.ClientSession:
        session = self._session
        if session is not None:
            return session
        if self._closed:
            raise NetworkError("the HTTP client is closed")
        policy = self._policy
        guarded = not policy.allow_private
        connector = aiohttp.TCPConnector(
            limit=self.settings.total_limit,
            limit_per_host=0,  # our own per-host slots; streams must not hold them
            ttl_dns_cache=300,
            resolver=self._resolver,
            keepalive_timeout=30,
            socket_factory=policy.socket_factory if guarded else None,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            headers={"User-Agent": self._user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            cookie_jar=aiohttp.DummyCookieJar(),  # sources must not share cookies
            auto_decompress=True,
            trust_env=False,  # no proxy from the environment: the guard sees real targets
        )
        self._session = session
        return session

    # -- public API -----------------------------------------------------------------------

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
        """GET with conditional headers. Returns 2xx and 304; raises RateLimited (429),
        ServerError (5xx), ClientError (other 4xx, too many redirects), NetworkError,
        BlockedAddress or ResponseTooLarge. Network and server errors are retried quickly
        (``retry_attempts`` in all) unless the server asked for a longer wait."""
        request_headers: dict[str, str] = dict(headers) if headers else {}
        if etag:
            request_headers["If-None-Match"] = etag
        if last_modified:
            request_headers["If-Modified-Since"] = last_modified
        target = parse_url(url)
        timeout = self._timeout if timeout_s is None else self._client_timeout(timeout_s)
        cap = self.settings.max_body if max_bytes is None else max_bytes
        started = time.monotonic()
        try:
            # The first attempt runs outside tenacity: the common, successful path pays
            # nothing for the retry machinery.
            return await self._fetch("GET", target, request_headers, params, None, timeout, cap)
        except (NetworkError, ServerError) as exc:
            if not self._retry.retryable(exc):
                raise
            first_failure = exc
        # No closure above this point: captured variables would turn every local of this
        # frame into a cell, and GC time grows with thousands of polls in flight.
        attempt = functools.partial(
            self._fetch, "GET", target, request_headers, params, None, timeout, cap
        )
        return await self._retry.after_failure(
            attempt, first_failure, started=started, budget_s=timeout.total
        )

    async def post_json(
        self,
        url: str,
        payload: object,
        *,
        headers: Mapping[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> HttpResponse:
        """POST ``payload`` as JSON and return whatever status came back (callers classify
        it). Follows only 307/308. Raises NetworkError / BlockedAddress when no response
        arrived and ResponseTooLarge for an oversized reply. Never retried here."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        request_headers = dict(headers) if headers else {}
        request_headers.setdefault("Content-Type", "application/json")
        timeout = self._timeout if timeout_s is None else self._client_timeout(timeout_s)
        return await self._fetch(
            "POST", parse_url(url), request_headers, None, body, timeout, self.settings.max_body
        )

    def websocket(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        heartbeat_s: float | None = 30.0,
    ) -> AbstractAsyncContextManager[aiohttp.ClientWebSocketResponse]:
        """Open a websocket (ws/wss) under the same address policy; closed on exit."""
        target = parse_url(url)
        check_target(self._policy, target, WS_SCHEMES)
        return open_websocket(
            self._open_session(),
            target,
            headers=headers,
            heartbeat_s=heartbeat_s,
            max_msg_size=self.settings.max_body,
        )

    def stream_lines(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        idle_timeout_s: float = 90.0,
    ) -> AsyncIterator[bytes]:
        """Yield the lines (without line endings) of a long-lived response until it ends.
        No total timeout; NetworkError when no byte arrives within ``idle_timeout_s``."""
        return iter_lines(
            self._open_session(),
            parse_url(url),
            policy=self._policy,
            headers=headers,
            params=params,
            idle_timeout_s=idle_timeout_s,
            connect_timeout_s=self.settings.connect_timeout,
            max_redirects=self.settings.max_redirects,
        )

    # -- one exchange, redirects included -----------------------------------------------

    async def _fetch(
        self,
        method: str,
        url: URL,
        headers: dict[str, str],
        params: Mapping[str, str] | None,
        body: bytes | None,
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109 - aiohttp's per-request timeouts
        cap: int,
    ) -> HttpResponse:
        """One attempt: follow redirects by policy, read the final body under the cap, map
        the final status (GET) to FetchError."""
        started = time.perf_counter()
        session = self._open_session()
        follow = REDIRECT_STATUSES if method == "GET" else POST_FOLLOWS
        current = url
        visited: set[URL] | None = None  # only built when a redirect comes
        hop = 0
        while True:
            check_target(self._policy, current, HTTP_SCHEMES)
            key = f"{current.host}:{current.port}"
            slot = self._slots.enter(key)
            try:
                await slot.acquire()
                try:
                    async with session.request(
                        method,
                        current,
                        headers=headers,
                        params=params if hop == 0 else None,
                        data=body,
                        allow_redirects=False,
                        timeout=timeout,
                    ) as resp:
                        status = resp.status
                        location = resp.headers.get("Location") if status in follow else None
                        if location is None or hop >= self.settings.max_redirects:
                            return await self._final(method, url, resp, location, cap, started)
                        source = resp.url
                finally:
                    slot.release()
            except (aiohttp.ClientError, OSError) as exc:  # TimeoutError is an OSError
                raise transport_error(exc, current) from error_cause(exc)
            finally:
                self._slots.leave(key)
            nxt = next_hop(source, location, url)
            visited = visited or set()
            visited.add(current)
            if nxt in visited:
                raise loop_error(url, nxt, status)
            if not same_origin(nxt, current):
                headers = without_credentials(headers)
            current = nxt
            hop += 1

    async def _final(
        self,
        method: str,
        url: URL,
        resp: aiohttp.ClientResponse,
        location: str | None,
        cap: int,
        started: float,
    ) -> HttpResponse:
        """The last response of an exchange: map a GET's status, read the body under the cap."""
        if method == "GET":
            if location is not None:
                raise too_many_error(url, self.settings.max_redirects, resp.status)
            if error := status_error(resp.status, resp.headers, resp.url):
                raise error
        body = await self._read_capped(resp, cap)
        received = time.perf_counter()
        return HttpResponse(
            status=resp.status,
            url=str(resp.url),
            headers=resp.headers,
            body=body,
            elapsed_ms=(received - started) * 1000.0,
            links=link_relations(resp),
            received_at=received,
        )

    async def _read_capped(self, resp: aiohttp.ClientResponse, cap: int) -> bytes:
        """The decompressed body, aborting as soon as it passes ``cap`` bytes (aiohttp
        decompresses incrementally, so a gzip bomb is never inflated in full)."""
        declared = resp.content_length
        if declared is not None and declared > cap and "Content-Encoding" not in resp.headers:
            raise too_large(resp.url, resp.status, cap)
        stream = resp.content
        first = await stream.readany()
        if not first or (stream.at_eof() and len(first) <= cap):
            return first
        chunks = [first]
        size = len(first)
        while True:
            if size > cap:
                raise too_large(resp.url, resp.status, cap)
            chunk = await stream.readany()
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            chunks.append(chunk)


if TYPE_CHECKING:  # mypy proves Http satisfies the contract plugins code against

    def _conforms(http: Http) -> HttpClient:
        return http


def link_relations(resp: aiohttp.ClientResponse) -> dict[str, str]:
    """``Link: <url>; rel="next", <url>; rel="prev"`` -> {"next": url, "prev": url}, from
    aiohttp's parse. A link naming several relations (``rel="prev first"``) counts for each;
    relation names are case-insensitive; the first link of a relation wins."""
    relations: dict[str, str] = {}
    if "Link" not in resp.headers:  # most responses (every plain 304): nothing to parse
        return relations
    for link in resp.links.values():
        rel = link.get("rel")
        if isinstance(rel, str):
            for name in rel.split():
                relations.setdefault(name.lower(), str(link["url"]))
    return relations
