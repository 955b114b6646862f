"""Source type "bluesky_jetstream": new posts by watched Bluesky accounts, pushed by Jetstream
(``/subscribe?wantedCollections=app.bsky.feed.post&wantedDids=…`` over a websocket).

Handles in ``actors`` are resolved to DIDs through the public AppView, and every watched DID's
handle and display name are looked up (``app.bsky.actor.getProfiles``) so Items carry the
author; ``identity`` events keep handles current. The cursor is the Jetstream ``time_us`` of
the last processed event; a reconnect resumes from it rewound by ``rewind`` (default 5 s) so
nothing in flight is lost, and the replayed posts come back with the same AT-URI ids, which
the pipeline de-duplicates. Deletes and edits are ignored (an alert already sent stays sent).
The cursor is persisted with every batch that carries a post and at most every
``checkpoint`` otherwise.

Events are filtered again on our side (cheaply, before JSON decoding) so an endpoint that
ignores ``wantedDids`` cannot flood the pipeline.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

import aiohttp
import structlog
from pydantic import Field, field_validator

from adapters.base import SourceOptions
from adapters.bluesky import PUBLIC_APPVIEW, is_did, is_reply_to_others, post_item, valid_actor
from adapters.streaming import StreamEnded, keep_streaming
from monitor.contracts import EmitItems, FetchError, HttpClient, NetworkError, SourceCursor
from monitor.model import Item
from monitor.retry import BackoffCounter
from monitor.units import Seconds

log = structlog.get_logger(__name__)

POST = "app.bsky.feed.post"
DEFAULT_JETSTREAM = "wss://jetstream2.us-east.bsky.network/subscribe"
# Jetstream writes "did" then "time_us" first; reading them with a regex lets us drop
# events for unwatched accounts without decoding the JSON.
_HEAD = re.compile(rb'^\{\s*"did"\s*:\s*"([^"]+)"\s*,\s*"time_us"\s*:\s*(\d+)')


@dataclass(slots=True)
class Profile:
    did: str
    handle: str | None = None
    display_name: str | None = None


class JetstreamOptions(SourceOptions):
    """``[[sources]]`` keys for ``type = "bluesky_jetstream"``."""

    actors: list[str] = Field(min_length=1, max_length=10_000)  # handles or DIDs
    url: str = DEFAULT_JETSTREAM
    api_url: str = PUBLIC_APPVIEW  # resolves handles and display names
    include_replies: bool = False  # replies to others (self-threads are always kept)
    rewind: Seconds = 5.0
    checkpoint: Seconds = 5.0
    reconnect_min: Seconds = 1.0
    reconnect_max: Seconds = 300.0
    heartbeat: Seconds = 30.0

    @field_validator("actors")
    @classmethod
    def _actors(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(valid_actor(a) for a in value))


@dataclass(slots=True)
class JetstreamEvent:
    """What one Jetstream message means for us."""

    time_us: int | None
    item: Item | None = None
    identity: Profile | None = None


def parse_jetstream_event(
    raw: bytes | str,
    *,
    source_id: str,
    watched: dict[str, Profile],
    include_replies: bool = False,
    official: bool = False,
    lang_override: str | None = None,
) -> JetstreamEvent:
    """Read one Jetstream message: an Item for a new post by a watched DID, a Profile update
    for an identity event, else just the time (which still advances the cursor). Raises
    ValueError for a message that is not JSON."""
    data = raw.encode() if isinstance(raw, str) else raw
    head = _HEAD.match(data)
    if head is not None and head.group(1).decode() not in watched:
        return JetstreamEvent(int(head.group(2)))
    doc = json.loads(data)
    if not isinstance(doc, dict):
        raise ValueError("Jetstream message is not a JSON object")
    time_us = doc.get("time_us") if isinstance(doc.get("time_us"), int) else None
    did = str(doc.get("did") or "")
    profile = watched.get(did)
    if profile is None:
        return JetstreamEvent(time_us)
    kind = doc.get("kind")
    if kind == "identity" and isinstance(doc.get("identity"), dict):
        handle = doc["identity"].get("handle")  # absent when only the DID document changed
        if isinstance(handle, str) and handle and handle != profile.handle:
            return JetstreamEvent(time_us, identity=Profile(did, handle, profile.display_name))
        return JetstreamEvent(time_us)
    commit = doc.get("commit")
    if kind != "commit" or not isinstance(commit, dict):
        return JetstreamEvent(time_us)
    if commit.get("operation") != "create" or commit.get("collection") != POST:
        return JetstreamEvent(time_us)  # likes, reposts, deletes, edits, other lexicons
    record = commit.get("record")
    if not isinstance(record, dict) or not commit.get("rkey"):
        return JetstreamEvent(time_us)
    if not include_replies and is_reply_to_others(record, did):
        return JetstreamEvent(time_us)
    item = post_item(
        f"at://{did}/{POST}/{commit['rkey']}",
        record,
        source_id=source_id,
        did=did,
        handle=profile.handle,
        display_name=profile.display_name,
        official=official,
        lang_override=lang_override,
    )
    return JetstreamEvent(time_us, item=item)


def subscribe_url(base: str, dids: list[str], cursor_us: int | None) -> str:
    query: list[tuple[str, str]] = [("wantedCollections", POST)]
    query += [("wantedDids", did) for did in dids]
    if cursor_us is not None:
        query.append(("cursor", str(cursor_us)))
    return f"{base}{'&' if '?' in base else '?'}{urlencode(query)}"


class JetstreamSource:
    """Streams watched accounts' posts from Jetstream."""

    type_name: ClassVar[str] = "bluesky_jetstream"
    Options: ClassVar[type[SourceOptions]] = JetstreamOptions
    min_interval: ClassVar[float] = 0.0  # a stream, not polled

    def __init__(self, options: JetstreamOptions) -> None:
        self.id = options.id
        self.options = options
        self.backoff = BackoffCounter(options.reconnect_min, options.reconnect_max)
        self.watched: dict[str, Profile] = {}
        self.unresolved: list[str] = list(options.actors)
        self.received = 0
        self.time_us: int | None = None  # newest event time processed
        self._saved_us: int | None = None
        self._saved_at = float("-inf")

    def __repr__(self) -> str:
        return f"JetstreamSource(id={self.id!r}, actors={len(self.options.actors)})"

    @classmethod
    def from_options(cls, options: SourceOptions) -> JetstreamSource:
        if not isinstance(options, JetstreamOptions):
            options = JetstreamOptions.model_validate(options.model_dump())
        return cls(options)

    async def run(self, http: HttpClient, cursor: SourceCursor, emit: EmitItems) -> None:
        if cursor.cursor and cursor.cursor.strip().isdigit():
            self.time_us = self._saved_us = int(cursor.cursor)

        async def connect_once() -> None:
            await self.resolve(http)
            await self._stream(http, emit)

        await keep_streaming(self.id, connect_once, lambda: self.received, self.backoff)

    # -- actors -----------------------------------------------------------------------------

    async def _xrpc(self, http: HttpClient, method: str, query: list[tuple[str, str]]) -> Any:
        url = f"{self.options.api_url.rstrip('/')}/{method}?{urlencode(query)}"
        resp = await http.get(url)
        return json.loads(resp.body)

    async def resolve(self, http: HttpClient) -> None:
        """Turn configured handles into DIDs and fetch handles/names for all watched DIDs.
        Actors that cannot be resolved now are retried at the next reconnect; with none
        resolved at all we must not connect (no wantedDids = the whole firehose)."""
        still: list[str] = []
        new_dids: list[str] = []
        for actor in self.unresolved:
            if is_did(actor):
                new_dids.append(actor)
                continue
            try:
                doc = await self._xrpc(
                    http, "com.atproto.identity.resolveHandle", [("handle", actor)]
                )
                new_dids.append(str(doc["did"]))
            except (FetchError, ValueError, KeyError, TypeError) as exc:
                log.warning("source.resolve_failed", source_id=self.id, actor=actor, error=str(exc))
                still.append(actor)
        for did in new_dids:
            self.watched.setdefault(did, Profile(did))
        missing = [p.did for p in self.watched.values() if p.handle is None]
        for start in range(0, len(missing), 25):  # getProfiles takes up to 25 actors
            chunk = missing[start : start + 25]
            try:
                doc = await self._xrpc(
                    http, "app.bsky.actor.getProfiles", [("actors", d) for d in chunk]
                )
            except (FetchError, ValueError) as exc:
                log.warning("source.profiles_failed", source_id=self.id, error=str(exc))
                break
            for p in doc.get("profiles") or () if isinstance(doc, dict) else ():
                if isinstance(p, dict) and p.get("did") in self.watched:
                    self.watched[p["did"]] = Profile(
                        p["did"], p.get("handle"), p.get("displayName")
                    )
        self.unresolved = still
        if not self.watched:
            raise NetworkError(f"none of the actors could be resolved: {', '.join(still)}")

    # -- stream -----------------------------------------------------------------------------

    def connect_url(self) -> str:
        start = None
        if self.time_us is not None:
            start = max(0, self.time_us - int(self.options.rewind * 1_000_000))
        return subscribe_url(self.options.url, sorted(self.watched), start)

    async def _stream(self, http: HttpClient, emit: EmitItems) -> None:
        async with http.websocket(self.connect_url(), heartbeat_s=self.options.heartbeat) as ws:
            log.info("source.stream_connected", source_id=self.id, dids=len(self.watched))
            async for msg in ws:
                if msg.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    await self.handle(msg.data, emit)
                elif msg.type == aiohttp.WSMsgType.ERROR:
                    raise StreamEnded(f"websocket error: {ws.exception()}")
        raise StreamEnded(f"Jetstream closed the connection (code {ws.close_code})")

    async def handle(self, raw: bytes | str, emit: EmitItems) -> None:
        """Process one message: emit a post at once; otherwise persist the cursor at most
        every ``checkpoint`` seconds."""
        self.received += 1
        try:
            event = parse_jetstream_event(
                raw,
                source_id=self.id,
                watched=self.watched,
                include_replies=self.options.include_replies,
                official=self.options.official,
                lang_override=self.options.lang,
            )
        except ValueError as exc:
            log.warning("source.bad_event", source_id=self.id, error=str(exc))
            return
        if event.time_us is not None and (self.time_us is None or event.time_us > self.time_us):
            self.time_us = event.time_us
        if event.identity is not None:
            self.watched[event.identity.did] = event.identity
        now = time.monotonic()
        if event.item is not None or (
            self.time_us != self._saved_us and now - self._saved_at >= self.options.checkpoint
        ):
            cursor = SourceCursor(cursor=str(self.time_us) if self.time_us is not None else None)
            await emit([event.item] if event.item else [], cursor)
            self._saved_us, self._saved_at = self.time_us, now
