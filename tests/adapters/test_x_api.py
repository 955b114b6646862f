"""The "x" source against an X API v2 stand-in on 127.0.0.1 serving recorded payloads:
user lookup cached, since_id cursor, pagination, rate limits, auth errors, partial errors."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from aiohttp import web

from adapters.posts import load_cursor
from adapters.x import XOptions, XSource
from monitor.contracts import ClientError, RateLimited, SourceCursor
from tests.adapters.socialkit import fixture, fixture_json, http_client, recorded_headers, serve

TOKEN = "test-bearer-token"
TWARC = "social/x/twarc_users_2351222345_tweets_100_with_errors.json"
ERRORS = "social/x/error_responses_documented.json"


class FakeX:
    """Serves the recorded timeline page; records every request's path and query."""

    def __init__(self) -> None:
        self.page: dict[str, Any] = fixture_json(TWARC)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.remaining = 1498
        self.reset = int(time.time()) + 600
        self.status = 200
        self.pages: list[dict[str, Any]] | None = None  # served in turn when set

    def limits(self) -> dict[str, str]:
        headers = recorded_headers("social/x/users_783214_tweets_no_expansions.response.json")
        headers.pop("content-type")  # json_response sets its own
        headers["x-rate-limit-remaining"] = str(self.remaining)
        headers["x-rate-limit-reset"] = str(self.reset)
        return headers

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/2/users/by/username/{username}", self.user)
        app.router.add_get("/2/users/{id}/tweets", self.tweets)
        return app

    def _auth(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            body = fixture_json(ERRORS)["v2_401_unauthorized"]["body"]
            return web.json_response(body, status=401, headers=self.limits())
        return None

    async def user(self, request: web.Request) -> web.Response:
        self.requests.append((request.path, dict(request.query)))
        if (denied := self._auth(request)) is not None:
            return denied
        user = next(
            u
            for u in self.page["includes"]["users"]
            if u["username"] == request.match_info["username"]
        )
        return web.json_response({"data": {k: user[k] for k in ("id", "name", "username")}})

    async def tweets(self, request: web.Request) -> web.Response:
        self.requests.append((request.path, dict(request.query)))
        if (denied := self._auth(request)) is not None:
            return denied
        if self.status == 429:
            body = fixture_json(ERRORS)["v2_429_too_many_requests"]["body"]
            return web.json_response(
                body, status=429, headers={**self.limits(), "x-rate-limit-remaining": "0"}
            )
        if self.status == 403:
            return web.json_response({"title": "Forbidden", "status": 403}, status=403)
        if self.pages is not None:
            return web.json_response(self.pages.pop(0), headers=self.limits())
        since = request.query.get("since_id")
        if since and since >= self.page["meta"]["newest_id"]:
            return web.json_response({"meta": {"result_count": 0}}, headers=self.limits())
        return web.json_response(self.page, headers=self.limits())


def _source(monkeypatch: pytest.MonkeyPatch, base: str, **extra: Any) -> XSource:
    monkeypatch.setenv("X_BEARER_TOKEN", TOKEN)
    options = XOptions(
        id="x-nefl", type="x", username="PhillyNEFL", api_url=f"{base}/2", official=True, **extra
    )
    return XSource.from_options(options)


async def test_polls_resolve_the_user_once_and_follow_since_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """First poll: lookup + timeline with the documented fields; second poll: no lookup,
    since_id = the newest id, nothing new."""
    fake = FakeX()
    async with serve(fake.app()) as base, http_client() as http:
        source = _source(monkeypatch, base)
        first = await source.poll(http, SourceCursor())
        second = await source.poll(http, first.cursor)
    paths = [p for p, _ in fake.requests]
    assert paths == [
        "/2/users/by/username/PhillyNEFL",
        "/2/users/2351222345/tweets",
        "/2/users/2351222345/tweets",
    ]
    query = fake.requests[1][1]
    assert query["expansions"] == "author_id,referenced_tweets.id"
    assert query["tweet.fields"] == "created_at,lang,author_id,referenced_tweets,entities"
    assert query["user.fields"] == "username,name"
    assert query["exclude"] == "replies,retweets"
    assert "since_id" not in query
    assert len(first.items) == 66 and first.fetched == 100
    assert all(i.author == "Philly NEFL" and i.official for i in first.items)
    assert first.notes and "Not Found Error" in first.notes[0]
    assert first.min_delay_s is None
    state = load_cursor(first.cursor.cursor)
    assert (state["user_id"], state["since_id"]) == ("2351222345", "1257786232978968578")
    assert fake.requests[2][1]["since_id"] == "1257786232978968578"
    assert second.items == [] and load_cursor(second.cursor.cursor) == state


async def test_used_up_budget_delays_the_next_poll_until_the_reset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """x-rate-limit-remaining: 0 on a 200 -> min_delay_s reaches the Unix-time reset."""
    fake = FakeX()
    fake.remaining = 0
    fake.reset = int(time.time()) + 700
    async with serve(fake.app()) as base, http_client() as http:
        result = await _source(monkeypatch, base).poll(http, SourceCursor())
    assert len(result.items) == 66
    assert result.min_delay_s is not None and 690 <= result.min_delay_s <= 702


async def test_429_raises_rate_limited_until_the_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 429 (no Retry-After, as X sends it) becomes RateLimited waiting for the reset."""
    fake = FakeX()
    fake.status = 429
    fake.reset = int(time.time()) + 420
    async with serve(fake.app()) as base, http_client() as http:
        with pytest.raises(RateLimited) as err:
            await _source(monkeypatch, base).poll(http, SourceCursor())
    assert err.value.retry_after_s is not None and 410 <= err.value.retry_after_s <= 421
    assert "PhillyNEFL" in str(err.value)


async def test_rejected_token_says_which_variable_to_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    """401 -> a ClientError naming the environment variable, not the token."""
    fake = FakeX()
    async with serve(fake.app()) as base, http_client() as http:
        source = _source(monkeypatch, base)
        monkeypatch.setenv("X_BEARER_TOKEN", "wrong")
        source = XSource.from_options(source.options)
        with pytest.raises(ClientError) as err:
            await source.poll(http, SourceCursor())
    assert err.value.status == 401
    assert "X_BEARER_TOKEN" in str(err.value) and "wrong" not in str(err.value)


async def test_forbidden_explains_the_access_tier(monkeypatch: pytest.MonkeyPatch) -> None:
    """403 -> a ClientError explaining the free tier cannot read, and the RSS way out."""
    fake = FakeX()
    fake.status = 403
    async with serve(fake.app()) as base, http_client() as http:
        with pytest.raises(ClientError) as err:
            await _source(monkeypatch, base).poll(http, SourceCursor())
    assert err.value.status == 403
    assert "free tier" in str(err.value) and "rss_url" in str(err.value)


def _split(page: dict[str, Any], at: int) -> list[dict[str, Any]]:
    data = page["data"]
    first = {**page, "data": data[:at], "meta": {**page["meta"], "result_count": at}}
    first["meta"]["next_token"] = "page-two"
    rest = {k: v for k, v in page.items() if k != "errors"}
    second = {**rest, "data": data[at:], "meta": {"result_count": len(data) - at}}
    second["meta"]["newest_id"] = data[at]["id"]
    return [first, second]


async def test_catch_up_follows_next_token_within_the_page_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a since_id cursor and a next_token, the next page is fetched with
    pagination_token; all posts of both pages arrive and the cursor is the newest id."""
    fake = FakeX()
    fake.pages = _split(fake.page, 50)
    cursor = SourceCursor(
        cursor=json.dumps(
            {"user_id": "2351222345", "username": "PhillyNEFL", "since_id": "1250000000000000000"}
        )
    )
    async with serve(fake.app()) as base, http_client() as http:
        result = await _source(monkeypatch, base).poll(http, cursor)
    assert [q.get("pagination_token") for _, q in fake.requests] == [None, "page-two"]
    assert all(q["since_id"] == "1250000000000000000" for _, q in fake.requests)
    assert len(result.items) == 66 and result.fetched == 100
    assert load_cursor(result.cursor.cursor)["since_id"] == "1257786232978968578"


async def test_catch_up_stops_at_max_pages_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    """max_pages = 1: one request, the skipped remainder is reported, no endless paging."""
    fake = FakeX()
    fake.pages = _split(fake.page, 50)
    cursor = SourceCursor(
        cursor=json.dumps({"user_id": "2351222345", "username": "PhillyNEFL", "since_id": "1"})
    )
    async with serve(fake.app()) as base, http_client() as http:
        result = await _source(monkeypatch, base, max_pages=1).poll(http, cursor)
    assert len(fake.requests) == 1
    assert any("older new posts skipped" in n for n in result.notes)


async def test_errors_only_response_is_an_error_not_an_empty_poll(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 200 with only errors (e.g. a suspended account) fails the poll with the detail."""
    fake = FakeX()
    fake.pages = [{"errors": fake.page["errors"]}]
    async with serve(fake.app()) as base, http_client() as http:
        with pytest.raises(ClientError, match="Could not find tweet"):
            await _source(monkeypatch, base).poll(http, SourceCursor())


async def test_rss_bridge_mode_reads_the_feed_with_api_ids_and_conditional_get(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """rss_url (an RSSHub-style feed, hand-built): no token, item ids = post ids from the
    status links, the account as author, and a 304 on the next poll parses nothing."""
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    body = fixture("social/x/handmade_rsshub_twitter_user.rss.xml")
    seen: list[str | None] = []

    async def feed(request: web.Request) -> web.Response:
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return web.Response(
            body=body, content_type="application/rss+xml", charset="utf-8", headers={"ETag": '"v1"'}
        )

    app = web.Application()
    app.router.add_get("/twitter/user/examplemfa", feed)
    async with serve(app) as base, http_client() as http:
        source = XSource.from_options(
            XOptions(
                id="x-mfa",
                type="x",
                username="examplemfa",
                rss_url=f"{base}/twitter/user/examplemfa",
                official=True,
            )
        )
        first = await source.poll(http, SourceCursor())
        second = await source.poll(http, first.cursor)
    assert [i.id for i in first.items] == ["1797000000000000002", "1797000000000000001"]
    meeting = first.items[0]
    assert meeting.url == "https://x.com/examplemfa/status/1797000000000000002"
    assert meeting.author_handle == "@examplemfa"
    assert meeting.author == "Example MFA Spokesperson" and meeting.official
    assert "Penny Wong of Australia" in meeting.text and "<" not in meeting.text
    assert meeting.lang == "en"
    assert first.cursor.etag == '"v1"' and first.min_delay_s == 300.0
    assert second.not_modified and second.items == []
    assert seen == [None, '"v1"']
