"""Live updates: server-sent events telling open pages which events changed.

One watcher per server reads the events' versions (``Store.event_stamps``: key, update time,
report count, status) from the store every ``poll_s`` while at least one page listens, and
sends every listener the keys that changed since the last look, as one message. Reading the
store (not a hook in this process's pipeline) means a page served by any node of a
PostgreSQL cluster shows what every node filed. Throttled twice: the watcher looks at most
once per ``poll_s``, so a burst of 500 reports is one message; a listener whose queue is full
(a stalled tab) gets the next message merged into the waiting one rather than a backlog.

The page's script refetches what it shows when told; a page without script simply is not
live. At shutdown every stream ends, so the server can close without waiting for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from aiohttp import web

from monitor.model import utcnow
from monitor.store.base import Store
from monitor.store.webreads import EventStamp

log = structlog.get_logger(__name__)

POLL_S = 1.0
HEARTBEAT_S = 15.0
MAX_LISTENERS = 200
# Events updated this long before the watcher's last look are looked at again: a report
# committed a moment late (another node's clock, a long transaction) is still seen.
SLACK = timedelta(seconds=30)
MAX_CATCH_UP = timedelta(minutes=10)  # a page rendered longer ago than this reloads anyway


class Listener:
    """One open page: the changed keys not yet sent to it. ``since`` is when the page was
    rendered: on its first look the watcher sends what changed after that, so a report
    filed between the render and the stream's start is not missed."""

    def __init__(self, since: datetime | None = None) -> None:
        self.since = since
        self.keys: set[str] = set()
        self.wake = asyncio.Event()
        self.closed = False

    def push(self, keys: set[str]) -> None:
        self.keys |= keys
        self.wake.set()

    def close(self) -> None:
        self.closed = True
        self.wake.set()

    def take(self) -> set[str]:
        keys, self.keys = self.keys, set()
        self.wake.clear()
        return keys


class LiveHub:
    """The watcher and its listeners."""

    def __init__(self, store: Store, *, poll_s: float = POLL_S) -> None:
        self.store = store
        self.poll_s = poll_s
        self.listeners: set[Listener] = set()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._on_change: list[Callable[[], None]] = []

    @property
    def watching(self) -> bool:
        """Whether the watcher is looking (someone listens): while it is, every change it
        sees is told to ``on_change``'s callbacks before any page hears of it."""
        return self._task is not None and not self._task.done()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever a look finds a change (or fails, so nothing can be
        vouched for): the pages' memory of windows read (``monitor/web/cache.py``)."""
        self._on_change.append(callback)

    def _changed(self) -> None:
        for callback in self._on_change:
            callback()

    def subscribe(self, since: datetime | None = None) -> Listener | None:
        if self._closed or len(self.listeners) >= MAX_LISTENERS:
            return None
        now = utcnow()
        if since is not None:
            since = min(max(since, now - MAX_CATCH_UP), now)
        listener = Listener(since)
        self.listeners.add(listener)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._watch(), name="web-live")
        return listener

    def unsubscribe(self, listener: Listener) -> None:
        self.listeners.discard(listener)

    async def close(self) -> None:
        self._closed = True
        for listener in list(self.listeners):
            listener.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        """Look every ``poll_s`` while anyone listens; stop when nobody does."""
        known: dict[str, EventStamp] = {}
        since: datetime = utcnow() - SLACK
        first = True
        while self.listeners:
            fresh = [ln for ln in self.listeners if ln.since is not None]
            look_from = min([since, *(ln.since for ln in fresh if ln.since is not None)])
            try:
                stamps = await self.store.event_stamps(since=look_from)
            except Exception:  # a store hiccup must not end the stream; the next look retries
                log.warning("web.live_read_failed", exc_info=True)
                stamps = None
                self._changed()
            if stamps is not None:
                # On the first look ``changed`` is every event updated lately: a window read
                # before the watcher started may have missed one of them.
                changed = {s.key for s in stamps if known.get(s.key) != s}
                known = {s.key: s for s in stamps}
                if stamps:
                    since = max(since, max(s.updated_at for s in stamps) - SLACK)
                told: list[tuple[Listener, set[str]]] = []
                for listener in list(self.listeners):
                    if listener.since is not None:
                        after = listener.since
                        listener.since = None
                        newer = {s.key for s in stamps if s.updated_at >= after}
                        if newer:
                            told.append((listener, newer))
                    elif changed and not first:
                        told.append((listener, changed))
                if changed or told:
                    self._changed()  # before the pages hear of it: their refetch reads anew
                for listener, keys in told:
                    listener.push(keys)
                first = False
            await asyncio.sleep(self.poll_s)


def message(keys: set[str]) -> bytes:
    data = json.dumps({"keys": sorted(keys)[:200], "count": len(keys)})
    return f"event: changed\ndata: {data}\n\n".encode()


def parse_since(value: str | None) -> datetime | None:
    """The page's render time from ``/live?since=``; None when absent or not a UTC time."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


async def stream(request: web.Request, hub: LiveHub, headers: dict[str, str]) -> web.StreamResponse:
    """``GET /live``: a text/event-stream of ``changed`` messages and heartbeats."""
    listener = hub.subscribe(parse_since(request.query.get("since")))
    if listener is None:
        raise web.HTTPServiceUnavailable(text="too many live pages open", headers=headers)
    response = web.StreamResponse(
        headers={
            **headers,
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",
        }
    )
    try:
        await response.prepare(request)
        await response.write(b"retry: 3000\n\n")
        while not listener.closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(listener.wake.wait(), HEARTBEAT_S)
            if listener.closed:
                break
            keys = listener.take()
            await response.write(message(keys) if keys else b": ping\n\n")
    except (ConnectionResetError, ConnectionError):
        pass  # the page went away
    finally:
        hub.unsubscribe(listener)
    return response
