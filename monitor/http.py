"""The daemon's one HTTP client (``Http``, implementing ``monitor.contracts.HttpClient``).

Owns the single aiohttp ``ClientSession`` for the daemon's lifetime and everything about being
a polite, safe client: timeouts, User-Agent, gzip/deflate, per-host concurrency, a cap on the
decompressed body, conditional GET, status -> ``FetchError`` mapping, redirects followed by
policy, quick retries at the edge (tenacity) and the SSRF guard (``monitor.netguard``), which
runs at connect time on every socket address.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Any, Final

import aiohttp
import structlog
from aiohttp.abc import AbstractResolver
from multidict import CIMultiDict
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
    wait_random_exponential,
)
from tenacity.stop import stop_base
from yarl import URL

from monitor import PROJECT_URL, __version__
from monitor.contracts import (
    BlockedAddress,
    ClientError,
    FetchError,
    HttpResponse,
    HttpSettings,
    NetworkError,
    RateLimited,
    ResponseTooLarge,
    ServerError,
)
from monitor.netguard import HTTP_SCHEMES, WS_SCHEMES, AddressPolicy, refused_connect
from monitor.serverhints import retry_after_s, server_delay_s

__all__ = ["DEFAULT_USER_AGENT", "Http", "redact_url", "server_delay_s"]

log = structlog.get_logger(__name__)

DEFAULT_USER_AGENT: Final = f"bilat/{__version__} (+{PROJECT_URL})"
# Brotli/zstd only when aiohttp can decode them; neither is a dependency of ours.
ACCEPT_ENCODING: Final = "gzip, deflate"
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
# A POST is only re-sent on the method-preserving redirects; a webhook answered with
# 301/302/303 was not delivered, and the caller must see that status.
_POST_FOLLOWS: Final = frozenset({307, 308})
# Headers that must not travel to another origin on a redirect.
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "proxy-authorization", "cookie"})
_STREAM_BUFSIZE: Final = 512 * 1024  # lines (SSE events) up to 1 MiB
_SECRET_PARAM = re.compile(
    r"token|key|secret|pass|pwd|sig|auth|session|credential|code", re.IGNORECASE
)
_TELEGRAM_BOT_TOKEN = re.compile(r"/bot\d+:[\w-]+")


def redact_url(url: URL | str) -> str:
    """The URL as it may appear in logs and error messages: no userinfo, secret-looking
    query values replaced by ``***``, Telegram bot tokens masked."""
    try:
        parsed = url if isinstance(url, URL) else URL(url)
    except (ValueError, TypeError):
        return "<unparseable URL>"
    if parsed.user is not None or parsed.password is not None:
        parsed = parsed.with_user(None)
    if parsed.query_string and any(_SECRET_PARAM.search(k) for k in parsed.query):
        parsed = parsed.with_query(
            [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parsed.query.items()]
        )
    return _TELEGRAM_BOT_TOKEN.sub("/bot***", str(parsed.with_fragment(None)))


def _describe(exc: BaseException) -> str:
    """A short, secret-free description of a transport error (aiohttp's own ``str`` of some
    errors embeds the full URL)."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{type(exc).__name__}: {exc.status} {exc.message}"
    if isinstance(exc, aiohttp.InvalidURL):
        return "invalid URL"
    return f"{type(exc).__name__}: {exc}"


def _status_error(status: int, headers: Mapping[str, str], url: URL) -> FetchError | None:
    """The FetchError for a final response status, or None for 2xx/304."""
    if 200 <= status < 300 or status == 304:
        return None
    safe_url = redact_url(url)
    wait = retry_after_s(headers)
    if status == 429:
        return RateLimited(
            f"{safe_url}: 429 Too Many Requests", status=429, retry_after_s=wait, url=safe_url
        )
    if status >= 500:
        return ServerError(
            f"{safe_url}: server error {status}", status=status, retry_after_s=wait, url=safe_url
        )
    return ClientError(f"{safe_url}: HTTP {status}", status=status, url=safe_url)


def _origin(url: URL) -> tuple[str, str | None, int | None]:
    return (url.scheme, url.host, url.port)


class _HostSlots:
    """At most ``limit`` requests in flight per host:port; entries vanish when idle."""

    __slots__ = ("_entries", "_limit")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._entries: dict[str, list[Any]] = {}  # key -> [Semaphore, users]

    async def acquire(self, key: str) -> None:
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = [asyncio.Semaphore(self._limit), 0]
        entry[1] += 1
        try:
            await entry[0].acquire()
        except BaseException:
            self._forget(key, entry)
            raise

    def release(self, key: str) -> None:
        entry = self._entries[key]
        entry[0].release()
        self._forget(key, entry)

    def _forget(self, key: str, entry: list[Any]) -> None:
        entry[1] -= 1
        if entry[1] == 0:
            del self._entries[key]

    def in_use(self) -> int:
        """Hosts with a request in flight or waiting (for tests and metrics)."""
        return len(self._entries)


class _OutOfTime(stop_base):
    """Stop once the call has used its whole timeout budget: an attempt that timed out is
    not repeated within the same call."""

    def __init__(self, started: float, budget_s: float | None) -> None:
        self.started = started
        self.budget_s = budget_s

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.budget_s is not None and time.monotonic() - self.started >= self.budget_s


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
        self._slots = _HostSlots(settings.per_host_limit)
        self._retry_attempts = max(1, retry_attempts)
        self._retry_max_wait_s = retry_max_wait_s
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
            sock_read=min(s.read_timeout, total),
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
        target = self._parse(url)
        timeout = self._timeout if timeout_s is None else self._client_timeout(timeout_s)
        cap = self.settings.max_body if max_bytes is None else max_bytes
        started = time.monotonic()

        async def attempt() -> HttpResponse:
            return await self._fetch("GET", target, request_headers, params, None, timeout, cap)

        try:
            # The first attempt runs outside tenacity: the common, successful path pays
            # nothing for the retry machinery.
            return await attempt()
        except (NetworkError, ServerError) as exc:
            if self._retry_attempts < 2 or not self._retryable(exc):
                raise
            first_failure: FetchError | None = exc
        return await self._retry(attempt, first_failure, started, timeout.total)

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
            "POST", self._parse(url), request_headers, None, body, timeout, self.settings.max_body
        )

    def websocket(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        heartbeat_s: float | None = 30.0,
    ) -> AbstractAsyncContextManager[aiohttp.ClientWebSocketResponse]:
        """Open a websocket (ws/wss) under the same address policy; closed on exit."""
        return self._websocket(url, headers, heartbeat_s)

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
        return self._stream_lines(url, headers, params, idle_timeout_s)

    # -- retries --------------------------------------------------------------------------

    def _retryable(self, exc: BaseException) -> bool:
        if self._closed or not isinstance(exc, NetworkError | ServerError):
            return False
        # A server that asks for a longer pause gets it from the scheduler, not from us.
        return exc.retry_after_s is None or exc.retry_after_s <= self._retry_max_wait_s

    async def _retry(
        self,
        attempt: Callable[[], Awaitable[HttpResponse]],
        first_failure: FetchError | None,
        started: float,
        budget_s: float | None,
    ) -> HttpResponse:
        """Attempts 2.. under tenacity; tenacity's attempt 1 replays the failure already seen
        so its wait policy applies before the first real retry."""
        backoff = wait_random_exponential(multiplier=0.25, max=self._retry_max_wait_s)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            server_wish = getattr(exc, "retry_after_s", None) or 0.0
            return max(float(backoff(state)), float(server_wish))

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.info(
                "http.retry",
                url=getattr(exc, "url", None),
                attempt=state.attempt_number,
                error=type(exc).__name__,
                wait_s=round(state.upcoming_sleep, 3),
            )

        async def replay_then_attempt() -> HttpResponse:
            nonlocal first_failure
            if first_failure is not None:
                failure, first_failure = first_failure, None
                raise failure
            return await attempt()

        retrying = AsyncRetrying(
            stop=stop_any(stop_after_attempt(self._retry_attempts), _OutOfTime(started, budget_s)),
            wait=wait,
            retry=retry_if_exception(self._retryable),
            before_sleep=before_sleep,
            reraise=True,
        )
        result: HttpResponse = await retrying(replay_then_attempt)
        return result

    # -- one exchange, redirects included -----------------------------------------------

    def _parse(self, url: str) -> URL:
        try:
            return URL(url)
        except (ValueError, TypeError) as exc:
            raise ClientError(f"not a URL: {redact_url(url)}") from exc

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
        follow = REDIRECT_STATUSES if method == "GET" else _POST_FOLLOWS
        current = url
        visited = {url}
        for hop in itertools.count():
            self._checked(current, HTTP_SCHEMES)
            key = f"{current.host}:{current.port}"
            await self._slots.acquire(key)
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
                        if location is not None and method == "GET":
                            raise ClientError(
                                f"{redact_url(url)}: more than "
                                f"{self.settings.max_redirects} redirects",
                                status=status,
                                url=redact_url(url),
                            )
                        if method == "GET" and (
                            error := _status_error(status, resp.headers, resp.url)
                        ):
                            raise error
                        data = await self._read_capped(resp, cap)
                        return HttpResponse(
                            status=status,
                            url=str(resp.url),
                            headers=resp.headers,
                            body=data,
                            elapsed_ms=(time.perf_counter() - started) * 1000.0,
                        )
                    source = resp.url
            except (aiohttp.ClientError, OSError) as exc:  # TimeoutError is an OSError
                raise self._transport_error(exc, current) from _cause(exc)
            finally:
                self._slots.release(key)
            nxt = self._next_hop(source, location, url)
            if nxt in visited:
                raise ClientError(
                    f"{redact_url(url)}: redirect loop at {redact_url(nxt)}",
                    status=status,
                    url=redact_url(url),
                )
            visited.add(nxt)
            if _origin(nxt) != _origin(current):
                headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
            current = nxt
        raise AssertionError("unreachable")  # pragma: no cover

    def _next_hop(self, source: URL, location: str, first: URL) -> URL:
        try:
            nxt = source.join(URL(location)).with_fragment(None)
        except (ValueError, TypeError) as exc:
            raise ClientError(
                f"{redact_url(first)}: unusable redirect Location", url=redact_url(first)
            ) from exc
        if nxt.scheme not in HTTP_SCHEMES:
            raise BlockedAddress(
                f"{redact_url(first)}: redirect to a {nxt.scheme or 'schemeless'} URL refused",
                url=redact_url(first),
            )
        return nxt

    def _checked(self, url: URL, schemes: frozenset[str]) -> None:
        try:
            self._policy.check_url(url, schemes=schemes)
        except BlockedAddress as exc:
            safe = redact_url(url)
            log.warning("http.blocked", url=safe, reason=str(exc))
            raise BlockedAddress(f"{safe}: {exc}", url=safe) from None

    async def _read_capped(self, resp: aiohttp.ClientResponse, cap: int) -> bytes:
        """The decompressed body, aborting as soon as it passes ``cap`` bytes (aiohttp
        decompresses incrementally, so a gzip bomb is never inflated in full)."""
        declared = resp.content_length
        if declared is not None and declared > cap and "Content-Encoding" not in resp.headers:
            raise self._too_large(resp, cap)
        stream = resp.content
        first = await stream.readany()
        if not first or (stream.at_eof() and len(first) <= cap):
            return first
        chunks = [first]
        size = len(first)
        while True:
            if size > cap:
                raise self._too_large(resp, cap)
            chunk = await stream.readany()
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            chunks.append(chunk)

    def _too_large(self, resp: aiohttp.ClientResponse, cap: int) -> ResponseTooLarge:
        safe = redact_url(resp.url)
        return ResponseTooLarge(
            f"{safe}: body larger than {cap} bytes", status=resp.status, url=safe
        )

    def _transport_error(self, exc: BaseException, url: URL) -> FetchError:
        safe = redact_url(url)
        refusal = refused_connect(exc)
        if refusal is not None:
            log.warning("http.blocked", url=safe, reason=refusal)
            return BlockedAddress(f"{safe}: {refusal}", url=safe)
        if isinstance(exc, aiohttp.InvalidURL):
            return ClientError(f"{safe}: invalid URL", url=safe)
        return NetworkError(f"{safe}: {_describe(exc)}", url=safe)

    # -- long-lived connections -----------------------------------------------------------

    @asynccontextmanager
    async def _websocket(
        self, url: str, headers: Mapping[str, str] | None, heartbeat_s: float | None
    ) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
        target = self._parse(url)
        self._checked(target, WS_SCHEMES)
        session = self._open_session()
        try:
            ws = await session.ws_connect(
                target,
                headers=dict(headers) if headers else None,
                heartbeat=heartbeat_s,
                max_msg_size=self.settings.max_body,
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=10.0),
            )
        except aiohttp.WSServerHandshakeError as exc:
            safe = redact_url(target)
            error = _status_error(exc.status, exc.headers or {}, target) or ClientError(
                f"{safe}: websocket handshake failed ({exc.status})", status=exc.status, url=safe
            )
            raise error from None
        except (aiohttp.ClientError, OSError) as exc:
            raise self._transport_error(exc, target) from _cause(exc)
        try:
            yield ws
        finally:
            await ws.close()

    async def _stream_lines(
        self,
        url: str,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
        idle_timeout_s: float,
    ) -> AsyncIterator[bytes]:
        target = self._parse(url)
        session = self._open_session()
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=self.settings.connect_timeout, sock_read=idle_timeout_s
        )
        request_headers: CIMultiDict[str] = CIMultiDict(headers or {})
        current, visited, safe = target, {target}, redact_url(target)
        try:
            for hop in itertools.count():
                self._checked(current, HTTP_SCHEMES)
                resp = await session.get(
                    current,
                    headers=request_headers,
                    params=params if hop == 0 else None,
                    allow_redirects=False,
                    timeout=timeout,
                    read_bufsize=_STREAM_BUFSIZE,
                )
                location = resp.headers.get("Location")
                if resp.status not in REDIRECT_STATUSES or location is None:
                    break
                resp.release()
                if hop >= self.settings.max_redirects:
                    raise ClientError(f"{safe}: too many redirects", url=safe)
                nxt = self._next_hop(resp.url, location, target)
                if nxt in visited:
                    raise ClientError(f"{safe}: redirect loop", url=safe)
                visited.add(nxt)
                if _origin(nxt) != _origin(current):
                    for name in _CREDENTIAL_HEADERS:
                        request_headers.popall(name, None)
                current = nxt
            async with resp:
                error = _status_error(resp.status, resp.headers, resp.url)
                if error is not None or resp.status == 304:
                    raise error or ClientError("304 on a stream", status=304)
                while True:
                    try:
                        line = await resp.content.readline()
                    except ValueError as exc:  # aiohttp: longer than the read buffer allows
                        raise ResponseTooLarge(
                            f"{redact_url(target)}: line longer than {2 * _STREAM_BUFSIZE} bytes"
                        ) from exc
                    if not line:
                        return
                    yield line.rstrip(b"\r\n")
        except (aiohttp.ClientError, OSError) as exc:
            raise self._transport_error(exc, current) from _cause(exc)


def _cause(exc: BaseException) -> BaseException | None:
    """The exception to chain: aiohttp's response/URL errors embed the full URL in ``str``,
    so they are not chained (secrets may sit in a query string)."""
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.InvalidURL):
        return None
    return exc
