"""Source type "mastodon_stream": a Mastodon streaming timeline (user or hashtag) as a push
source, over server-sent events (``/api/v1/streaming/user``, ``/api/v1/streaming/hashtag``).

Only ``update`` (a new status) and ``status.update`` (an edit: same id, so the pipeline's
de-duplication keeps the first version) become Items; ``notification``, ``delete`` and the
``:)`` heartbeats are ignored. The stream reconnects with exponential backoff and jitter.
Mastodon streams cannot replay, so after a reconnect the gap is filled from the REST
timeline (``/api/v1/timelines/home`` or ``/api/v1/timelines/tag/:tag`` with ``min_id`` = the
newest status id seen, one bounded page); the cursor is that id.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import ClassVar, Literal
from urllib.parse import quote

import structlog
from pydantic import Field, field_validator, model_validator

from adapters.base import SourceOptions
from adapters.mastodon import (
    access_token,
    auth_headers,
    explain,
    mastodon_get,
    parse_status,
    parse_statuses,
)
from adapters.posts import id_newer, max_id
from adapters.streaming import SseDecoder, SseEvent, StreamEnded, keep_streaming
from monitor.contracts import ClientError, EmitItems, FetchError, HttpClient, SourceCursor
from monitor.model import Item
from monitor.retry import BackoffCounter
from monitor.units import Seconds

log = structlog.get_logger(__name__)

STATUS_EVENTS = frozenset({"update", "status.update"})


class MastodonStreamOptions(SourceOptions):
    """``[[sources]]`` keys for ``type = "mastodon_stream"``."""

    instance: str  # "https://mastodon.social"
    # Where the streaming server answers when not on the instance's own host (see
    # ``configuration.urls.streaming`` in /api/v2/instance), e.g. "wss://streaming.example".
    streaming_url: str | None = None
    stream: Literal["user", "hashtag"] = "user"
    tag: str | None = None  # for stream = "hashtag", without "#"
    access_token_env: str | None = None  # required for the user stream
    exclude_reblogs: bool = True
    exclude_replies: bool = False
    gap_fill_limit: int = Field(default=40, ge=0, le=40)  # statuses fetched after a reconnect
    idle_timeout: Seconds = 90.0  # no byte (not even a heartbeat) for this long = dead stream
    reconnect_min: Seconds = 1.0
    reconnect_max: Seconds = 300.0

    @field_validator("instance")
    @classmethod
    def _instance(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            value = "https://" + value
        return value.rstrip("/")

    @field_validator("streaming_url")
    @classmethod
    def _streaming(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # SSE is plain HTTP(S) on the same server that offers the websocket endpoint.
        value = value.replace("wss://", "https://", 1).replace("ws://", "http://", 1)
        if not value.startswith(("http://", "https://")):
            value = "https://" + value
        return value.rstrip("/")

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        return value.strip().lstrip("#") or None if value is not None else None

    @model_validator(mode="after")
    def _check(self) -> MastodonStreamOptions:
        if self.stream == "hashtag" and not self.tag:
            raise ValueError('stream = "hashtag" needs tag = "…"')
        if self.stream == "user" and not self.access_token_env:
            raise ValueError('stream = "user" needs access_token_env (the user stream is private)')
        return self


def parse_stream_event(
    event: SseEvent,
    *,
    source_id: str,
    official: bool = False,
    lang_override: str | None = None,
    include_reblogs: bool = False,
    include_replies: bool = True,
) -> Item | None:
    """An Item from one streaming event, or None for events that are not new statuses (and
    for statuses the filters drop). Raises ValueError when an update's data is not JSON."""
    if event.event not in STATUS_EVENTS:
        return None
    status = json.loads(event.data)
    if not isinstance(status, dict):
        raise ValueError(f"Mastodon {event.event} event data is not a JSON object")
    return parse_status(
        status,
        source_id=source_id,
        official=official,
        lang_override=lang_override,
        include_reblogs=include_reblogs,
        include_replies=include_replies,
    )


class MastodonStreamSource:
    """Streams a Mastodon timeline; the cursor is the newest status id seen."""

    type_name: ClassVar[str] = "mastodon_stream"
    Options: ClassVar[type[SourceOptions]] = MastodonStreamOptions
    min_interval: ClassVar[float] = 0.0  # a stream, not polled

    def __init__(self, options: MastodonStreamOptions, token: str | None) -> None:
        self.id = options.id
        self.options = options
        self._token = token
        self.backoff = BackoffCounter(options.reconnect_min, options.reconnect_max)
        self.received = 0  # events received over the source's life (drives the backoff)
        self._last_id: str | None = None

    def __repr__(self) -> str:
        return f"MastodonStreamSource(id={self.id!r}, stream={self.options.stream!r})"

    @classmethod
    def from_options(cls, options: SourceOptions) -> MastodonStreamSource:
        if not isinstance(options, MastodonStreamOptions):
            options = MastodonStreamOptions.model_validate(options.model_dump())
        return cls(options, access_token(options))

    @property
    def stream_url(self) -> str:
        opts = self.options
        base = opts.streaming_url or opts.instance
        if opts.stream == "hashtag":
            return f"{base}/api/v1/streaming/hashtag?tag={quote(opts.tag or '')}"
        return f"{base}/api/v1/streaming/user"

    @property
    def timeline_url(self) -> str:
        opts = self.options
        if opts.stream == "hashtag":
            return f"{opts.instance}/api/v1/timelines/tag/{quote(opts.tag or '')}"
        return f"{opts.instance}/api/v1/timelines/home"

    def _parse_event(self, event: SseEvent) -> Item | None:
        opts = self.options
        return parse_stream_event(
            event,
            source_id=self.id,
            official=opts.official,
            lang_override=opts.lang,
            include_reblogs=not opts.exclude_reblogs,
            include_replies=not opts.exclude_replies,
        )

    def _parse_page(self, body: bytes) -> tuple[list[Item], list[str]]:
        opts = self.options
        return parse_statuses(
            body,
            source_id=self.id,
            official=opts.official,
            lang_override=opts.lang,
            include_reblogs=not opts.exclude_reblogs,
            include_replies=not opts.exclude_replies,
        )

    async def run(self, http: HttpClient, cursor: SourceCursor, emit: EmitItems) -> None:
        self._last_id = cursor.cursor or None

        async def connect_once() -> None:
            await self._fill_gap(http, emit)
            await self._stream(http, emit)

        await keep_streaming(self.id, connect_once, lambda: self.received, self.backoff)

    async def _fill_gap(self, http: HttpClient, emit: EmitItems) -> None:
        """Statuses posted while we were not connected (one page, oldest missing ones)."""
        if self._last_id is None or self.options.gap_fill_limit == 0:
            return
        params = {"min_id": self._last_id, "limit": str(self.options.gap_fill_limit)}
        try:
            resp = await mastodon_get(http, self.timeline_url, token=self._token, params=params)
        except FetchError as exc:
            # The stream matters more than the gap: log and stream anyway.
            log.warning("source.gap_fill_failed", source_id=self.id, error=str(exc))
            return
        items, ids = self._parse_page(resp.body)
        newest = max_id(ids)
        if newest and id_newer(newest, self._last_id):
            self._last_id = newest
            await emit(items, SourceCursor(cursor=self._last_id))
            log.info("source.gap_filled", source_id=self.id, items=len(items))

    async def _stream(self, http: HttpClient, emit: EmitItems) -> None:
        decoder = SseDecoder()
        lines = http.stream_lines(
            self.stream_url,
            headers={**auth_headers(self._token), "Accept": "text/event-stream"},
            idle_timeout_s=self.options.idle_timeout,
        )
        try:
            await self._consume(lines, decoder, emit)
        except ClientError as exc:
            raise explain(exc, self.stream_url, self._token) from exc
        raise StreamEnded("the server ended the stream")

    async def _consume(
        self, lines: AsyncIterator[bytes], decoder: SseDecoder, emit: EmitItems
    ) -> None:
        async for line in lines:
            self.received += 1
            event = decoder.feed(line)
            if event is None:
                continue
            try:
                item = self._parse_event(event)
            except ValueError as exc:
                log.warning(
                    "source.bad_event", source_id=self.id, event=event.event, error=str(exc)
                )
                continue
            if item is None:
                continue
            if id_newer(item.id, self._last_id):
                self._last_id = item.id
            await emit([item], SourceCursor(cursor=self._last_id))
