"""The "bluesky" source against an AppView stand-in on 127.0.0.1 (getAuthorFeed built from
real postViews): new posts only, bounded backward paging, rate limits, unknown actors."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.bluesky import BlueskyOptions, BlueskySource
from adapters.posts import load_cursor
from monitor.contracts import ClientError, SourceCursor
from tests.adapters.bluesky_fake import FakeAppView
from tests.adapters.socialkit import http_client, serve

THREAD_DID = "did:plc:u4lmvw4wwzaql3z5kcf3r7h4"


def _source(base: str, actor: str = THREAD_DID, **extra: Any) -> BlueskySource:
    options = BlueskyOptions(
        id="bs-thread", type="bluesky", actor=actor, api_url=f"{base}/xrpc", **extra
    )
    return BlueskySource.from_options(options)


async def test_first_poll_reads_the_feed_then_only_new_posts_arrive() -> None:
    """Poll 1: the three posts and the documented query; poll 2: nothing; after a new post:
    just that one. The cursor remembers the newest feed time."""
    fake = FakeAppView()
    async with serve(fake.app()) as base, http_client() as http:
        source = _source(base)
        first = await source.poll(http, SourceCursor())
        second = await source.poll(http, first.cursor)
        fake.add_post(THREAD_DID, "3mptbzzzzzz2a", "A newer post.", "2026-07-04T15:00:00.000Z")
        third = await source.poll(http, second.cursor)
    assert fake.requests[0] == (
        "app.bsky.feed.getAuthorFeed",
        [("actor", THREAD_DID), ("limit", "30"), ("filter", "posts_and_author_threads")],
    )
    assert len(first.items) == 3 and first.fetched == 3
    assert load_cursor(first.cursor.cursor)["newest"] == "2026-07-04T14:38:06.692000+00:00"
    assert second.items == []
    assert [i.text for i in third.items] == ["A newer post."]
    assert third.items[0].id == f"at://{THREAD_DID}/app.bsky.feed.post/3mptbzzzzzz2a"
    assert len(fake.requests) == 3  # no paging: every poll reached known posts on page 1


async def test_catch_up_pages_back_until_it_reaches_known_posts() -> None:
    """limit = 1: after two new posts the poll follows the feed cursor until it meets the
    newest known post, and stops there."""
    fake = FakeAppView()
    async with serve(fake.app()) as base, http_client() as http:
        source = _source(base, limit=1, max_pages=5)
        first = await source.poll(http, SourceCursor())
        fake.add_post(THREAD_DID, "3mptbzzzzzz2a", "New one.", "2026-07-04T15:00:00.000Z")
        fake.add_post(THREAD_DID, "3mptbzzzzzz2b", "Newer one.", "2026-07-04T15:01:00.000Z")
        fake.requests.clear()
        second = await source.poll(http, first.cursor)
    assert len(first.items) == 1  # a first poll reads one page only
    assert [i.text for i in second.items] == ["Newer one.", "New one."]
    assert [dict(q).get("cursor") for _, q in fake.requests] == [None, "1", "2"]


async def test_used_up_budget_sets_min_delay_and_stops_paging() -> None:
    """ratelimit-remaining: 0 -> min_delay_s until ratelimit-reset (a Unix time)."""
    fake = FakeAppView()
    fake.remaining = 0
    async with serve(fake.app()) as base, http_client() as http:
        result = await _source(base, limit=1, max_pages=5).poll(http, SourceCursor())
    assert result.min_delay_s is not None and 290 <= result.min_delay_s <= 302
    assert len(fake.requests) == 1


async def test_reposts_only_when_asked() -> None:
    """A repost is an item only with include_reposts; a repost of a post that is also in
    the same feed gives that post once."""
    fake = FakeAppView()
    async with serve(fake.app()) as base, http_client() as http:
        plain = await _source(base, actor="test.marshal.dev").poll(http, SourceCursor())
        with_reposts = await _source(base, actor="test.marshal.dev", include_reposts=True).poll(
            http, SourceCursor()
        )
        del fake.feeds["test.marshal.dev"][2]  # the reposted post's own entry
        only_repost = await _source(base, actor="test.marshal.dev", include_reposts=True).poll(
            http, SourceCursor()
        )
    assert len(plain.items) == 2 and len(with_reposts.items) == 2
    assert len({i.id for i in with_reposts.items}) == 2
    assert [i.id.rsplit("/", 1)[1] for i in only_repost.items] == ["3kahesw26il2z", "3kaheyt6vpc22"]


async def test_unknown_actor_is_a_clear_error() -> None:
    """The AppView's 400 for an unknown actor names the actor."""
    fake = FakeAppView()
    async with serve(fake.app()) as base, http_client() as http:
        with pytest.raises(ClientError, match=r"nobody\.example"):
            await _source(base, actor="nobody.example").poll(http, SourceCursor())
