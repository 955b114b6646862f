"""What the push sources (Mastodon streaming, Bluesky Jetstream) share: a server-sent-events
decoder and the reconnect loop that keeps a stream alive, waiting by the one retry policy
(``monitor.retry``).

The loop never gives up (a stream that is down must come back by itself once the server
does) but backs off exponentially, logs one line when a stream goes bad and one when it
recovers, and re-raises cancellation so the daemon can stop it cleanly.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
import structlog

from monitor.contracts import ClientError, FetchError
from monitor.retry import BackoffCounter

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class SseEvent:
    event: str
    data: str
    id: str | None = None


@dataclass(slots=True)
class SseDecoder:
    """Incremental text/event-stream decoder (WHATWG "server-sent events" rules): feed it
    lines, get an event at each blank line. Comment lines (":)" heartbeats) are ignored."""

    _event: str = ""
    _data: list[str] = field(default_factory=list)
    _id: str | None = None

    def feed(self, raw: bytes | str) -> SseEvent | None:
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        line = line.rstrip("\r\n")
        if not line:
            if not self._data and not self._event:
                return None
            event = SseEvent(self._event or "message", "\n".join(self._data), self._id)
            self._event, self._data = "", []
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            self._id = value
        return None


class StreamEnded(Exception):
    """The server closed the stream (a normal end, or a cut connection)."""


# Errors after which a stream is simply reconnected. Anything else is a bug and propagates.
RECONNECTABLE: tuple[type[BaseException], ...] = (
    FetchError,
    aiohttp.ClientError,
    OSError,
    asyncio.TimeoutError,
    StreamEnded,
)


async def keep_streaming(
    source_id: str,
    connect_once: Callable[[], Awaitable[None]],
    progress: Callable[[], int],
    backoff: BackoffCounter,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Run ``connect_once`` (connect, stream until the connection ends) forever.

    ``progress()`` counts messages received so far; an attempt that received anything was a
    working connection, which resets the backoff. A ClientError (401/403/404) waits the
    longest delay: retrying soon cannot fix a bad token or a wrong URL. Only cancellation
    ends the loop.
    """
    failing = False
    while True:
        before = progress()
        error: BaseException | None = None
        try:
            await connect_once()
        except asyncio.CancelledError:
            raise
        except RECONNECTABLE as exc:
            error = exc
        reason = f"{type(error).__name__}: {error}" if error else "closed by server"
        if progress() > before:
            backoff.reset()
            if failing:
                log.info("source.stream_recovered", source_id=source_id)
                failing = False
        delay = backoff.longest() if isinstance(error, ClientError) else backoff.next_delay()
        if error is not None and not isinstance(error, StreamEnded) and not failing:
            failing = True
            log.warning(
                "source.stream_failed",
                source_id=source_id,
                error=reason,
                retry_in_s=round(delay, 2),
            )
        elif not failing:
            log.info(
                "source.stream_reconnecting",
                source_id=source_id,
                reason=reason,
                retry_in_s=round(delay, 2),
            )
        await sleep(delay)
