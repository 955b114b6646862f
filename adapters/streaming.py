"""What the push sources (Mastodon streaming, Bluesky Jetstream) share: reconnect backoff with
jitter, a server-sent-events decoder, and the reconnect loop that keeps a stream alive.

The loop never gives up (a stream that is down must come back by itself once the server
does) but backs off exponentially, logs one line when a stream goes bad and one when it
recovers, and re-raises cancellation so the daemon can stop it cleanly.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
import structlog

from monitor.contracts import ClientError, FetchError

log = structlog.get_logger(__name__)


class Backoff:
    """Exponential backoff with "equal jitter": attempt n waits between d/2 and d, where
    d = min(cap, base * 2**n). Jitter keeps many sources from reconnecting in lockstep."""

    def __init__(
        self, base_s: float = 1.0, cap_s: float = 300.0, *, rng: random.Random | None = None
    ) -> None:
        self.base_s = base_s
        self.cap_s = max(cap_s, base_s)
        self.attempt = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.cap_s, self.base_s * 2.0 ** min(self.attempt, 30))
        self.attempt += 1
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def longest(self) -> float:
        """The cap (used after errors that retrying soon cannot fix, e.g. a bad token)."""
        self.attempt += 1
        return self.cap_s

    def reset(self) -> None:
        self.attempt = 0


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
    backoff: Backoff,
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
