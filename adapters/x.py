"""Source type "x": an X (Twitter) account's posts, from the X API v2 or an RSS bridge.

API mode (``username`` + a bearer token in the environment): the user id is resolved once
(``GET /2/users/by/username/:username``) and kept in the cursor with the newest post id;
each poll asks ``GET /2/users/:id/tweets?since_id=…`` (bounded pagination when more arrived).
X states its budget in ``x-rate-limit-remaining`` / ``x-rate-limit-reset`` (a Unix time; no
Retry-After): a used-up budget sets ``min_delay_s`` until the reset, a 429 raises RateLimited
until the reset. A 200 may carry partial ``errors`` next to ``data``: the posts are kept and
the errors become notes. 401/403 become a message that says what is wrong (the free tier
cannot read timelines).

RSS mode (``rss_url``: an RSSHub ``/twitter/user/<name>`` or Nitter ``/<name>/rss`` feed) needs
no token; it reuses the feed adapter's parser and maps status links back to post ids so both
modes give the same item ids.

``adapters.tweets.parse_tweets`` is the pure part: an API response body in, Items out.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from typing import ClassVar, Literal
from urllib.parse import quote

import structlog
from pydantic import Field, field_validator, model_validator

from adapters.base import SourceOptions
from adapters.feed import parse_feed  # the feed adapter owns feed parsing
from adapters.posts import (
    dump_cursor,
    id_newer,
    load_cursor,
    secret_from_env,
    snippet,
)
from adapters.ratelimit import budget
from adapters.tweets import error_line, parse_tweets, status_id_from_link
from monitor.contracts import (
    ClientError,
    HttpClient,
    HttpResponse,
    PollResult,
    RateLimited,
    SourceCursor,
)
from monitor.model import Item, utcnow
from monitor.units import Seconds

log = structlog.get_logger(__name__)

TWEET_FIELDS = "created_at,lang,author_id,referenced_tweets,entities"
EXPANSIONS = "author_id,referenced_tweets.id"
USER_FIELDS = "username,name"
X_WINDOW_S = 15 * 60  # X rate-limit windows are 15 minutes
_USERNAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")


class XOptions(SourceOptions):
    """``[[sources]]`` keys for ``type = "x"``."""

    username: str | None = None  # without "@"; needed for API mode, used as author in RSS mode
    api_url: str = "https://api.x.com/2"
    bearer_token_env: str = "X_BEARER_TOKEN"
    exclude: tuple[Literal["retweets", "replies"], ...] = ("retweets", "replies")
    max_results: int = Field(default=20, ge=5, le=100)
    max_pages: int = Field(default=3, ge=1, le=20)  # pages per poll when many posts arrived
    rss_url: str | None = None  # an RSS bridge feed of the user: no token needed
    interval: Seconds = 900.0

    @field_validator("username")
    @classmethod
    def _strip_at(cls, value: str | None) -> str | None:
        if value is None:
            return None
        name = value.strip().removeprefix("@")
        if not _USERNAME.match(name):
            raise ValueError(f"not an X username: {value!r} (letters, digits, _; at most 15)")
        return name

    @model_validator(mode="after")
    def _mode(self) -> XOptions:
        if self.username is None and self.rss_url is None:
            raise ValueError("set username (X API) or rss_url (an RSS bridge feed of the user)")
        return self


class XSource:
    """Polls one X account (API v2 with a bearer token, or an RSS bridge feed)."""

    type_name: ClassVar[str] = "x"
    Options: ClassVar[type[SourceOptions]] = XOptions
    min_interval: ClassVar[float] = 60.0

    def __init__(self, options: XOptions, token: str | None) -> None:
        self.id = options.id
        self.options = options
        self._token = token  # never logged, never in repr

    def __repr__(self) -> str:
        mode = "rss" if self._token is None else "api"
        return f"XSource(id={self.id!r}, username={self.options.username!r}, mode={mode})"

    @classmethod
    def from_options(cls, options: SourceOptions) -> XSource:
        if not isinstance(options, XOptions):
            options = XOptions.model_validate(options.model_dump())
        if options.rss_url is not None:
            return cls(options, None)
        token = secret_from_env(
            options.bearer_token_env,
            source_id=options.id,
            what="an X API bearer token is needed to read timelines",
            hint="or set rss_url to an RSS bridge feed of the account (RSSHub/Nitter)",
        )
        return cls(options, token)

    async def poll(self, http: HttpClient, cursor: SourceCursor) -> PollResult:
        if self._token is None:
            return await self._poll_rss(http, cursor)
        return await self._poll_api(http, cursor)

    # -- API mode ----------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def _get(
        self, http: HttpClient, url: str, params: dict[str, str] | None = None
    ) -> HttpResponse:
        try:
            return await http.get(url, headers=self._headers(), params=params)
        except RateLimited as exc:
            # X sends no Retry-After; the client reads x-rate-limit-reset when it can.
            raise RateLimited(
                f"X API rate limit reached for @{self.options.username}",
                status=429,
                retry_after_s=exc.retry_after_s if exc.retry_after_s else X_WINDOW_S,
                url=exc.url,
            ) from exc
        except ClientError as exc:
            if exc.status == 401:
                message = (
                    f"X API rejected the bearer token in ${self.options.bearer_token_env} "
                    "(401 Unauthorized): check the token"
                )
            elif exc.status == 403:
                message = (
                    "X API refused to read the timeline (403 Forbidden): the token's access "
                    "level cannot read posts (the free tier cannot; Basic or higher can), "
                    "or use rss_url with an RSS bridge instead"
                )
            else:
                raise
            raise ClientError(message, status=exc.status, url=exc.url) from exc

    async def _resolve_user(self, http: HttpClient) -> tuple[str, str | None]:
        username = self.options.username or ""
        url = f"{self.options.api_url.rstrip('/')}/users/by/username/{quote(username)}"
        resp = await self._get(http, url, {"user.fields": USER_FIELDS})
        doc = json.loads(resp.body)
        data = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(data, dict) or not data.get("id"):
            errors = "; ".join(error_line(e) for e in (doc or {}).get("errors") or ())
            raise ClientError(
                f"X user @{username} could not be resolved: {errors or 'no data'}",
                status=resp.status,
                url=url,
            )
        return str(data["id"]), data.get("name")

    async def _poll_api(self, http: HttpClient, cursor: SourceCursor) -> PollResult:
        opts = self.options
        state = load_cursor(cursor.cursor)
        if state.get("username", "").lower() != (opts.username or "").lower():
            state = {}  # the configured account changed: resolve again, start over
        notes: list[str] = []
        if not state.get("user_id"):
            state["user_id"], state["name"] = await self._resolve_user(http)
            state["username"] = opts.username
        url = f"{opts.api_url.rstrip('/')}/users/{state['user_id']}/tweets"
        params = {
            "max_results": str(opts.max_results),
            "expansions": EXPANSIONS,
            "tweet.fields": TWEET_FIELDS,
            "user.fields": USER_FIELDS,
        }
        if opts.exclude:
            params["exclude"] = ",".join(sorted(opts.exclude))
        since_id = state.get("since_id")
        if since_id:
            params["since_id"] = str(since_id)
        items: list[Item] = []
        newest: str | None = None
        fetched = 0
        min_delay: float | None = None
        status: int | None = None
        for page in range(opts.max_pages):
            resp = await self._get(http, url, params)
            status = resp.status
            parsed = parse_tweets(
                resp.body,
                source_id=self.id,
                username=opts.username,
                official=opts.official,
                lang_override=opts.lang,
                include_retweets="retweets" not in opts.exclude,
            )
            if parsed.errors and not parsed.result_count and not parsed.items:
                raise ClientError(
                    f"X API returned only errors for @{opts.username}: " + "; ".join(parsed.errors),
                    status=resp.status,
                    url=url,
                )
            notes.extend(f"X API partial error: {e}" for e in parsed.errors)
            items.extend(parsed.items)
            fetched += parsed.result_count
            if parsed.newest_id and (newest is None or id_newer(parsed.newest_id, newest)):
                newest = parsed.newest_id
            limits = budget(resp.headers, prefix="x-rate-limit-", now=time.time())
            min_delay = limits.min_delay_s
            if not parsed.next_token or not since_id:
                break  # caught up (or a first poll: the newest page is enough)
            if limits.exhausted:
                notes.append("X rate limit used up during catch-up; older new posts skipped")
                break
            if page == opts.max_pages - 1:
                notes.append(
                    f"more than {opts.max_pages} pages of new posts; older new posts skipped"
                )
                break
            params["pagination_token"] = parsed.next_token
        if newest and id_newer(newest, since_id):
            state["since_id"] = newest
        return PollResult(
            items=items,
            cursor=SourceCursor(cursor=dump_cursor(state)),
            min_delay_s=min_delay,
            http_status=status,
            fetched=fetched,
            notes=tuple(notes),
        )

    # -- RSS bridge mode --------------------------------------------------------------------

    async def _poll_rss(self, http: HttpClient, cursor: SourceCursor) -> PollResult:
        opts = self.options
        assert opts.rss_url is not None
        resp = await http.get(opts.rss_url, etag=cursor.etag, last_modified=cursor.last_modified)
        validators = SourceCursor(
            etag=resp.headers.get("ETag") or cursor.etag,
            last_modified=resp.headers.get("Last-Modified") or cursor.last_modified,
            cursor=cursor.cursor,
        )
        if resp.not_modified:
            return PollResult(items=[], cursor=validators, not_modified=True, http_status=304)
        parsed = parse_feed(
            resp.body,
            url=resp.url,
            source_id=self.id,
            content_type=resp.content_type,
            http_lang=resp.headers.get("Content-Language"),
            fetched_at=utcnow(),
            official=opts.official,
            lang_override=opts.lang,
        )
        items = [
            self._from_bridge(item)
            for item in parsed.items
            # Bridges mark retweets with an "RT @user:" prefix, as X's own text does.
            if not ("retweets" in opts.exclude and (item.title or item.text).startswith("RT @"))
        ]
        return PollResult(
            items=items,
            cursor=validators,
            http_status=resp.status,
            fetched=parsed.entries,
            min_delay_s=parsed.ttl_s,
            notes=parsed.notes,
        )

    def _from_bridge(self, item: Item) -> Item:
        """Same ids as API mode (the post id from the status link) and the account as author."""
        post_id = status_id_from_link(item.url) or status_id_from_link(item.id) or item.id
        username = self.options.username
        handle = f"@{username}" if username else item.author_handle
        url = f"https://x.com/{username}/status/{post_id}" if username and post_id else item.url
        text = item.text or item.title
        return replace(
            item,
            id=post_id,
            url=url,
            text=text,
            title=item.title or snippet(text),
            author=item.author or handle,
            author_handle=handle,
        )
