"""Source type "bluesky": one account's posts from the public AppView's
``app.bsky.feed.getAuthorFeed`` (no auth, default ``https://public.api.bsky.app/xrpc``).

The feed is newest-first and its ``cursor`` pages backwards, so a poll reads the first page
and follows ``cursor`` (bounded) only while every post is still newer than what we have.
The source cursor is the newest feed time seen (a repost's time, else the post's indexing
time) plus the URIs at exactly that time. Reposts are skipped unless ``include_reposts``.
Items: id = the post's AT-URI, url = its bsky.app link, lang = the first of ``langs``.

The pure part, shared with the Jetstream source, is ``post_item`` (a post record in, an Item
out) and ``parse_author_feed`` (a getAuthorFeed response in, timed Items out).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from adapters.base import SourceOptions
from adapters.posts import dump_cursor, load_cursor, norm_lang, parse_time, snippet
from adapters.ratelimit import budget
from monitor.contracts import ClientError, HttpClient, PollResult, SourceCursor
from monitor.model import Item, utcnow
from monitor.units import Seconds

PUBLIC_APPVIEW = "https://public.api.bsky.app/xrpc"
_ACTOR_HINT = "a handle (name.bsky.social, a domain) or a DID (did:plc:…, did:web:…)"


def is_did(value: str) -> bool:
    return value.startswith(("did:plc:", "did:web:"))


def valid_actor(value: str) -> str:
    actor = value.strip().removeprefix("@")
    if is_did(actor) or ("." in actor and " " not in actor and "/" not in actor):
        return actor
    raise ValueError(f"not a Bluesky actor: {value!r} ({_ACTOR_HINT})")


def web_url(uri: str, handle: str | None) -> str | None:
    """``at://did/app.bsky.feed.post/rkey`` -> ``https://bsky.app/profile/<handle>/post/rkey``."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != "app.bsky.feed.post":
        return None
    return f"https://bsky.app/profile/{handle or parts[0]}/post/{parts[2]}"


def _embed_text(record: dict[str, Any]) -> str:
    """Title and description of a link card (news links often carry the whole story)."""
    embed = record.get("embed")
    if isinstance(embed, dict) and isinstance(embed.get("media"), dict):
        embed = embed["media"]  # recordWithMedia
    external = embed.get("external") if isinstance(embed, dict) else None
    if not isinstance(external, dict):
        return ""
    parts = [str(external.get(k) or "").strip() for k in ("title", "description")]
    return "\n".join(p for p in parts if p)


def post_item(
    uri: str,
    record: dict[str, Any],
    *,
    source_id: str,
    did: str,
    handle: str | None,
    display_name: str | None,
    official: bool = False,
    lang_override: str | None = None,
    quoted: str = "",
    fetched_at: datetime | None = None,
) -> Item:
    """An Item from an ``app.bsky.feed.post`` record and what we know about its author.
    The text is the post's, then its link card's title and description, then ``quoted``
    (the text of a quoted post, when the caller has it)."""
    own = str(record.get("text") or "").strip()
    text = "\n".join(t for t in (own, _embed_text(record), quoted.strip()) if t)
    langs = record.get("langs")
    lang = norm_lang(langs[0]) if isinstance(langs, list) and langs else None
    author_handle = f"@{handle}" if handle else did
    return Item(
        id=uri,
        source_id=source_id,
        title=snippet(own or text),
        text=text,
        url=web_url(uri, handle),
        published_at=parse_time(record.get("createdAt")),
        author=(display_name or "").strip() or author_handle,
        author_handle=author_handle,
        lang=lang or lang_override,
        fetched_at=fetched_at or utcnow(),
        official=official,
    )


def quoted_text(post_view: dict[str, Any]) -> str:
    """The text of the post a postView quotes (``app.bsky.embed.record#view`` or
    ``recordWithMedia#view``), from the AppView's hydrated embed."""
    embed = post_view.get("embed")
    if not isinstance(embed, dict):
        return ""
    view = embed.get("record")
    if "recordWithMedia" in str(embed.get("$type")) and isinstance(view, dict):
        view = view.get("record")
    if not isinstance(view, dict) or "viewRecord" not in str(view.get("$type")):
        return ""
    value = view.get("value")
    return str(value.get("text") or "") if isinstance(value, dict) else ""


def is_reply_to_others(record: dict[str, Any], did: str) -> bool:
    """A reply whose thread root belongs to someone else (self-threads are kept)."""
    reply = record.get("reply")
    if not isinstance(reply, dict):
        return False
    root = reply.get("root") if isinstance(reply.get("root"), dict) else {}
    assert isinstance(root, dict)
    return not str(root.get("uri") or "").startswith(f"at://{did}/")


@dataclass(frozen=True, slots=True)
class TimedItem:
    at: datetime  # the feed's sort time (repost time, else indexing time)
    item: Item


def parse_author_feed(
    body: bytes | str | dict[str, Any],
    *,
    source_id: str,
    include_reposts: bool = False,
    official: bool = False,
    lang_override: str | None = None,
    fetched_at: datetime | None = None,
) -> tuple[list[TimedItem], str | None]:
    """(timed items newest first, the next page's cursor) from a getAuthorFeed response."""
    doc = json.loads(body) if isinstance(body, bytes | str) else body
    if not isinstance(doc, dict) or not isinstance(doc.get("feed"), list):
        raise ValueError("getAuthorFeed response has no 'feed' array")
    fetched_at = fetched_at or utcnow()
    out: list[TimedItem] = []
    for entry in doc["feed"]:
        post = entry.get("post") if isinstance(entry, dict) else None
        if not isinstance(post, dict) or not post.get("uri"):
            continue
        reason = entry.get("reason")
        is_repost = isinstance(reason, dict) and "reasonRepost" in str(reason.get("$type"))
        if isinstance(reason, dict) and "reasonPin" in str(reason.get("$type")):
            continue  # a pinned post is old news at the top of the feed
        if is_repost and not include_reposts:
            continue
        author = post.get("author") if isinstance(post.get("author"), dict) else {}
        record = post.get("record") if isinstance(post.get("record"), dict) else {}
        assert isinstance(author, dict) and isinstance(record, dict)
        at = parse_time(reason.get("indexedAt") if is_repost else None) or parse_time(
            post.get("indexedAt") or record.get("createdAt")
        )
        if at is None:
            continue
        item = post_item(
            str(post["uri"]),
            record,
            source_id=source_id,
            did=str(author.get("did") or ""),
            handle=author.get("handle"),
            display_name=author.get("displayName"),
            official=official,
            lang_override=lang_override,
            quoted=quoted_text(post),
            fetched_at=fetched_at,
        )
        out.append(TimedItem(at, item))
    cursor = doc.get("cursor")
    return out, str(cursor) if cursor else None


class BlueskyOptions(SourceOptions):
    """``[[sources]]`` keys for ``type = "bluesky"``."""

    actor: str  # handle or DID
    api_url: str = PUBLIC_APPVIEW
    include_reposts: bool = False
    filter: Literal[
        "posts_and_author_threads", "posts_no_replies", "posts_with_replies", "posts_with_media"
    ] = "posts_and_author_threads"
    limit: int = Field(default=30, ge=1, le=100)
    max_pages: int = Field(default=3, ge=1, le=20)
    interval: Seconds = 300.0

    @field_validator("actor")
    @classmethod
    def _actor(cls, value: str) -> str:
        return valid_actor(value)


class BlueskySource:
    """Polls one Bluesky account through the public AppView."""

    type_name: ClassVar[str] = "bluesky"
    Options: ClassVar[type[SourceOptions]] = BlueskyOptions
    min_interval: ClassVar[float] = 60.0

    def __init__(self, options: BlueskyOptions) -> None:
        self.id = options.id
        self.options = options

    def __repr__(self) -> str:
        return f"BlueskySource(id={self.id!r}, actor={self.options.actor!r})"

    @classmethod
    def from_options(cls, options: SourceOptions) -> BlueskySource:
        if not isinstance(options, BlueskyOptions):
            options = BlueskyOptions.model_validate(options.model_dump())
        return cls(options)

    async def poll(self, http: HttpClient, cursor: SourceCursor) -> PollResult:
        opts = self.options
        state = load_cursor(cursor.cursor)
        if state.get("actor") != opts.actor:
            state = {"actor": opts.actor}
        newest = parse_time(state.get("newest"))
        seen_at_newest = set(state.get("uris") or ())
        url = f"{opts.api_url.rstrip('/')}/app.bsky.feed.getAuthorFeed"
        params = {"actor": opts.actor, "limit": str(opts.limit), "filter": opts.filter}
        fresh: list[TimedItem] = []
        notes: list[str] = []
        fetched = 0
        min_delay: float | None = None
        status: int | None = None
        for page in range(opts.max_pages):
            try:
                resp = await http.get(url, params=params)
            except ClientError as exc:
                if exc.status == 400:  # the AppView's answer for an unknown actor
                    raise ClientError(
                        f"Bluesky: actor {opts.actor!r} not found (or the request was refused)",
                        status=400,
                        url=exc.url,
                    ) from exc
                raise
            status = resp.status
            timed, next_cursor = parse_author_feed(
                resp.body,
                source_id=self.id,
                include_reposts=opts.include_reposts,
                official=opts.official,
                lang_override=opts.lang,
            )
            fetched += len(timed)
            new = [
                t
                for t in timed
                if newest is None
                or t.at > newest
                or (t.at == newest and t.item.id not in seen_at_newest)
            ]
            for timed_item in new:  # a repost and its post are the same item: keep one
                if timed_item.item.id not in {t.item.id for t in fresh}:
                    fresh.append(timed_item)
            min_delay = budget(resp.headers, prefix="ratelimit-", now=time.time()).min_delay_s
            reached_known = len(new) < len(timed)
            if newest is None or reached_known or not next_cursor or min_delay is not None:
                break
            if page == opts.max_pages - 1:
                notes.append(f"more than {opts.max_pages} pages of new posts; older ones skipped")
                break
            params["cursor"] = next_cursor
        if fresh:
            top = max(t.at for t in fresh)
            if newest is None or top > newest:
                newest, seen_at_newest = top, set()
            seen_at_newest |= {t.item.id for t in fresh if t.at == newest}
        if newest is not None:
            state["newest"] = newest.isoformat()
            state["uris"] = sorted(seen_at_newest)
        return PollResult(
            items=[t.item for t in fresh],
            cursor=SourceCursor(cursor=dump_cursor(state)),
            min_delay_s=min_delay,
            http_status=status,
            fetched=fetched,
            notes=tuple(notes),
        )
