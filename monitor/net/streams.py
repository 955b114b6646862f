"""Long-lived connections on the shared session: websockets and line streams (server-sent
events). Same address policy and redirect rules as ``Http.get``; no total timeout, an idle
timeout instead. ``monitor.net.client.Http`` exposes these as ``websocket()`` and
``stream_lines()``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Final

import aiohttp
from yarl import URL

from monitor.contracts import ClientError
from monitor.net.errors import (
    check_target,
    error_cause,
    redact_url,
    status_error,
    too_large,
    transport_error,
)
from monitor.net.redirects import (
    REDIRECT_STATUSES,
    loop_error,
    next_hop,
    same_origin,
    too_many_error,
    without_credentials,
)
from monitor.net.ssrf import HTTP_SCHEMES, AddressPolicy

STREAM_BUFSIZE: Final = 512 * 1024  # aiohttp allows lines up to twice this
_WS_CLOSE_TIMEOUT_S: Final = 10.0


@asynccontextmanager
async def open_websocket(
    session: aiohttp.ClientSession,
    target: URL,
    *,
    headers: Mapping[str, str] | None,
    heartbeat_s: float | None,
    max_msg_size: int,
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A websocket to ``target`` (already checked by the caller), closed on exit. A refused
    handshake maps like a GET's status (429 -> RateLimited, ...)."""
    try:
        ws = await session.ws_connect(
            target,
            headers=dict(headers) if headers else None,
            heartbeat=heartbeat_s,
            max_msg_size=max_msg_size,
            timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=_WS_CLOSE_TIMEOUT_S),
        )
    except aiohttp.WSServerHandshakeError as exc:
        safe = redact_url(target)
        error = status_error(exc.status, exc.headers or {}, target) or ClientError(
            f"{safe}: websocket handshake failed ({exc.status})", status=exc.status, url=safe
        )
        raise error from None
    except (aiohttp.ClientError, OSError) as exc:
        raise transport_error(exc, target) from error_cause(exc)
    try:
        yield ws
    finally:
        await ws.close()


async def iter_lines(
    session: aiohttp.ClientSession,
    target: URL,
    *,
    policy: AddressPolicy,
    headers: Mapping[str, str] | None,
    params: Mapping[str, str] | None,
    idle_timeout_s: float,
    connect_timeout_s: float,
    max_redirects: int,
) -> AsyncIterator[bytes]:
    """The lines of a long-lived GET, without their endings, until the server ends it."""
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=connect_timeout_s, sock_read=idle_timeout_s
    )
    request_headers = dict(headers) if headers else {}
    current, visited = target, {target}
    try:
        for hop in range(max_redirects + 1):
            check_target(policy, current, HTTP_SCHEMES)
            resp = await session.get(
                current,
                headers=request_headers,
                params=params if hop == 0 else None,
                allow_redirects=False,
                timeout=timeout,
                read_bufsize=STREAM_BUFSIZE,
            )
            location = resp.headers.get("Location")
            if resp.status not in REDIRECT_STATUSES or location is None:
                break
            resp.release()
            nxt = next_hop(resp.url, location, target)
            if nxt in visited:
                raise loop_error(target, nxt, resp.status)
            visited.add(nxt)
            if not same_origin(nxt, current):
                request_headers = without_credentials(request_headers)
            current = nxt
        else:
            raise too_many_error(target, max_redirects, resp.status)
        async with resp:
            error = status_error(resp.status, resp.headers, resp.url)
            if error is not None or resp.status == 304:
                raise error or ClientError(f"{redact_url(target)}: 304 on a stream", status=304)
            while True:
                try:
                    line = await resp.content.readline()
                except ValueError as exc:  # aiohttp: longer than its read buffer allows
                    raise too_large(resp.url, resp.status, 2 * STREAM_BUFSIZE, "line") from exc
                if not line:
                    return
                yield line.rstrip(b"\r\n")
    except (aiohttp.ClientError, OSError) as exc:
        raise transport_error(exc, current) from error_cause(exc)
