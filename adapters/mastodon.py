"""Source type "mastodon": one account's public posts through the Mastodon REST API.

The account is looked up once (``/api/v1/accounts/lookup?acct=``) and its id kept in the
cursor with the newest status id seen. A poll asks for the statuses right after that id
(``min_id``) and follows the ``Link: rel="prev"`` header forward, a bounded number of pages,
so a source that was down catches up over a few polls without a gap. Mastodon states its
budget (300 requests per 5 minutes) in ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` (an
ISO time): a used-up budget sets ``min_delay_s`` until the reset.

``parse_status`` / ``parse_statuses`` are the pure part (also used by the streaming source in
``adapters/mastodon_stream.py``): a Status JSON in, an Item out.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, field_validator

from adapters.base import SourceOptions
from adapters.htmltext import html_to_text
from adapters.posts import (
    dump_cursor,
    id_newer,
    load_cursor,
    max_id,
    norm_lang,
    parse_time,
    secret_from_env,
    snippet,
)
from adapters.ratelimit import budget
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

MASTODON_WINDOW_S = 5 * 60  # Mastodon's rate-limit window
PUBLIC_VISIBILITIES = frozenset({"public", "unlisted"})


def account_handle(account: dict[str, Any]) -> str | None:
    """``@user@instance`` for any account: remote accounts carry their domain in ``acct``;
    local ones get the host of their profile URL."""
    acct = str(account.get("acct") or account.get("username") or "")
    if not acct:
        return None
    if "@" not in acct:
        host = urlsplit(str(account.get("url") or "")).hostname
        if host:
            acct = f"{acct}@{host}"
    return f"@{acct}"


def parse_status(
    status: dict[str, Any],
    *,
    source_id: str,
    official: bool = False,
    lang_override: str | None = None,
    include_reblogs: bool = False,
    include_replies: bool = True,
    fetched_at: datetime | None = None,
) -> Item | None:
    """An Item from a Mastodon Status, or None when it is not something to read: a boost
    (unless ``include_reblogs``), a reply to someone else (unless ``include_replies``), a
    private or direct post (never alerted on), or a post without an id.

    A boost is read as its original post (author, text, language, link) under the boost's
    id. The content warning (``spoiler_text``) is kept as the first paragraph.
    """
    if not isinstance(status, dict) or not status.get("id"):
        return None
    post = status
    reblog = status.get("reblog")
    if isinstance(reblog, dict):
        if not include_reblogs:
            return None
        post = reblog
    if str(post.get("visibility") or "public") not in PUBLIC_VISIBILITIES:
        return None
    account = post.get("account") if isinstance(post.get("account"), dict) else {}
    assert isinstance(account, dict)
    replying_to = post.get("in_reply_to_account_id")
    if replying_to and not include_replies and str(replying_to) != str(account.get("id")):
        return None
    body = html_to_text(str(post.get("content") or ""))
    warning = str(post.get("spoiler_text") or "").strip()
    text = f"{warning}\n{body}" if warning and body else (warning or body)
    handle = account_handle(account)
    return Item(
        id=str(status["id"]),
        source_id=source_id,
        title=snippet(text),
        text=text,
        url=post.get("url") or post.get("uri"),
        published_at=parse_time(post.get("created_at")),
        author=(account.get("display_name") or "").strip() or handle,
        author_handle=handle,
        lang=norm_lang(post.get("language")) or lang_override,
        fetched_at=fetched_at or utcnow(),
        official=official,
    )


def parse_statuses(
    body: bytes | str | list[Any],
    *,
    source_id: str,
    official: bool = False,
    lang_override: str | None = None,
    include_reblogs: bool = False,
    include_replies: bool = True,
    fetched_at: datetime | None = None,
) -> tuple[list[Item], list[str]]:
    """(items, all status ids in the page) from a JSON array of Statuses. Ids include
    statuses that were skipped, so the cursor moves past them too."""
    doc = json.loads(body) if isinstance(body, bytes | str) else body
    if not isinstance(doc, list):
        raise ValueError("Mastodon response is not a JSON array of statuses")
    fetched_at = fetched_at or utcnow()
    items: list[Item] = []
    ids: list[str] = []
    for status in doc:
        if not isinstance(status, dict) or not status.get("id"):
            continue
        ids.append(str(status["id"]))
        item = parse_status(
            status,
            source_id=source_id,
            official=official,
            lang_override=lang_override,
            include_reblogs=include_reblogs,
            include_replies=include_replies,
            fetched_at=fetched_at,
        )
        if item is not None:
            items.append(item)
    return items, ids


def error_message(body: bytes) -> str:
    """Mastodon's ``{"error": "..."}`` text, for messages."""
    try:
        doc = json.loads(body)
    except ValueError:
        return ""
    return str(doc.get("error") or "") if isinstance(doc, dict) else ""


class MastodonOptions(SourceOptions):
    """``[[sources]]`` keys for ``type = "mastodon"``."""

    instance: str  # "https://mastodon.social"
    account: str  # "user" (on that instance) or "user@other.instance"
    exclude_reblogs: bool = True
    exclude_replies: bool = True
    access_token_env: str | None = None  # only for instances that require auth to read
    limit: int = Field(default=40, ge=1, le=40)
    max_pages: int = Field(default=3, ge=1, le=20)  # pages per poll while catching up
    interval: Seconds = 300.0

    @field_validator("account")
    @classmethod
    def _acct(cls, value: str) -> str:
        acct = value.strip().removeprefix("@")
        if not acct or " " in acct:
            raise ValueError(f"not a Mastodon account: {value!r} (use user or user@instance)")
        return acct

    @field_validator("instance")
    @classmethod
    def _instance(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            value = "https://" + value
        return value.rstrip("/")


def auth_headers(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


async def mastodon_get(
    http: HttpClient, url: str, *, token: str | None, params: dict[str, str] | None = None
) -> HttpResponse:
    """GET with the token, turning 401/403 into a message that says what to fix and a 429
    without a usable reset into a wait of one rate-limit window."""
    try:
        return await http.get(url, headers=auth_headers(token), params=params)
    except RateLimited as exc:
        raise RateLimited(
            f"Mastodon rate limit reached ({urlsplit(url).netloc})",
            status=429,
            retry_after_s=exc.retry_after_s if exc.retry_after_s else MASTODON_WINDOW_S,
            url=exc.url,
        ) from exc
    except ClientError as exc:
        raise explain(exc, url, token) from exc


def explain(exc: ClientError, url: str, token: str | None) -> ClientError:
    """A ClientError whose message says what to fix (a token, an account, a URL)."""
    if exc.status in (401, 403):
        hint = "the access token is invalid or lacks the read scope"
        if token is None:
            hint = "this instance requires an access token (set access_token_env)"
        return ClientError(
            f"Mastodon refused the request ({exc.status}): {hint}", status=exc.status, url=exc.url
        )
    if exc.status == 404:
        return ClientError(
            f"Mastodon: not found ({exc.url or url}); check the instance and account",
            status=404,
            url=exc.url,
        )
    return exc


def access_token(options: SourceOptions) -> str | None:
    """The account's access token from the environment, when the source names one."""
    name: str | None = getattr(options, "access_token_env", None)
    if not name:
        return None
    return secret_from_env(name, source_id=options.id, what="a Mastodon access token")


class MastodonSource:
    """Polls one Mastodon account's statuses."""

    type_name: ClassVar[str] = "mastodon"
    Options: ClassVar[type[SourceOptions]] = MastodonOptions
    min_interval: ClassVar[float] = 60.0

    def __init__(self, options: MastodonOptions, token: str | None) -> None:
        self.id = options.id
        self.options = options
        self._token = token

    def __repr__(self) -> str:
        return f"MastodonSource(id={self.id!r}, account={self.options.account!r})"

    @classmethod
    def from_options(cls, options: SourceOptions) -> MastodonSource:
        if not isinstance(options, MastodonOptions):
            options = MastodonOptions.model_validate(options.model_dump())
        return cls(options, access_token(options))

    async def _lookup(self, http: HttpClient) -> str:
        url = f"{self.options.instance}/api/v1/accounts/lookup"
        resp = await mastodon_get(
            http, url, token=self._token, params={"acct": self.options.account}
        )
        doc = json.loads(resp.body)
        if not isinstance(doc, dict) or not doc.get("id"):
            raise ClientError(
                f"Mastodon account {self.options.account!r} not found on {self.options.instance}",
                status=resp.status,
                url=url,
            )
        return str(doc["id"])

    async def poll(self, http: HttpClient, cursor: SourceCursor) -> PollResult:
        opts = self.options
        state = load_cursor(cursor.cursor)
        if state.get("acct") != opts.account or state.get("instance") != opts.instance:
            state = {"acct": opts.account, "instance": opts.instance}
        if not state.get("account_id"):
            state["account_id"] = await self._lookup(http)
        url = f"{opts.instance}/api/v1/accounts/{state['account_id']}/statuses"
        params: dict[str, str] = {
            "limit": str(opts.limit),
            "exclude_reblogs": str(opts.exclude_reblogs).lower(),
            "exclude_replies": str(opts.exclude_replies).lower(),
        }
        since: str | None = state.get("since_id")
        if since:
            params["min_id"] = since  # the page right after what we have: no gap
        items: list[Item] = []
        notes: list[str] = []
        fetched = 0
        min_delay: float | None = None
        status: int | None = None
        more, pages = True, 0
        while more and pages < opts.max_pages:
            resp = await mastodon_get(http, url, token=self._token, params=params)
            pages += 1
            status = resp.status
            page_items, ids = parse_statuses(
                resp.body,
                source_id=self.id,
                official=opts.official,
                lang_override=opts.lang,
                include_reblogs=not opts.exclude_reblogs,
                include_replies=not opts.exclude_replies,
            )
            items.extend(page_items)
            fetched += len(ids)
            newest = max_id(ids)
            if newest and id_newer(newest, state.get("since_id")):
                state["since_id"] = newest
            limits = budget(resp.headers, prefix="x-ratelimit-", now=time.time())
            min_delay = limits.min_delay_s
            # Newer statuses are behind rel="prev" (min_id = the newest of this page). We
            # take only its min_id and keep our own URL and filters (no foreign hosts).
            prev = resp.links.get("prev")
            prev_min_id = parse_qs(urlsplit(prev).query).get("min_id", [None])[0] if prev else None
            more = bool(since and prev_min_id and len(ids) >= opts.limit)
            if more and limits.exhausted:
                notes.append("Mastodon rate limit used up while catching up; continuing later")
                more = False
            if more:
                params["min_id"] = str(prev_min_id)
        if more:
            notes.append(f"still catching up after {opts.max_pages} pages; continuing next poll")
        return PollResult(
            items=items,
            cursor=SourceCursor(cursor=dump_cursor(state)),
            min_delay_s=min_delay,
            http_status=status,
            fetched=fetched,
            notes=tuple(notes),
        )
