"""The "mastodon" source against a Mastodon stand-in on 127.0.0.1 serving recorded statuses:
lookup cached, min_id catch-up over Link pages without gaps, rate limits, auth errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.mastodon import MastodonOptions, MastodonSource
from adapters.posts import load_cursor
from monitor.contracts import ClientError, RateLimited, SourceCursor
from tests.adapters.mastodon_fake import FakeMastodon
from tests.adapters.socialkit import http_client, serve


def _source(base: str, **extra: Any) -> MastodonSource:
    options = MastodonOptions(
        id="m-lennon", type="mastodon", instance=base, account="mastodonpy_test", **extra
    )
    return MastodonSource.from_options(options)


async def test_first_poll_looks_up_the_account_and_reads_the_newest_page() -> None:
    """Lookup once, then the newest statuses with the exclude filters; cursor = newest id."""
    fake = FakeMastodon()
    async with serve(fake.app()) as base, http_client() as http:
        source = _source(base)
        first = await source.poll(http, SourceCursor())
        second = await source.poll(http, first.cursor)
    paths = [p for p, _, _ in fake.requests]
    account_id = fake.account["id"]
    assert paths == [
        "/api/v1/accounts/lookup",
        f"/api/v1/accounts/{account_id}/statuses",
        f"/api/v1/accounts/{account_id}/statuses",
    ]
    assert fake.requests[0][1] == {"acct": "mastodonpy_test"}
    query = fake.requests[1][1]
    assert query == {"limit": "40", "exclude_reblogs": "true", "exclude_replies": "true"}
    assert [i.text for i in first.items] == [f"Toot number {n}!" for n in range(9, -1, -1)]
    assert {i.author_handle for i in first.items} == {"@mastodonpy_test@localhost"}
    state = load_cursor(first.cursor.cursor)
    assert state["account_id"] == account_id and state["since_id"] == fake.statuses[0]["id"]
    assert fake.requests[2][1]["min_id"] == fake.statuses[0]["id"]
    assert second.items == [] and second.min_delay_s is None


async def test_catch_up_pages_forward_without_gaps_across_polls() -> None:
    """From an old cursor, min_id pages (limit 2, 2 pages per poll) bring every newer status
    exactly once over successive polls, oldest pages first, then stop."""
    fake = FakeMastodon()
    since = fake.statuses[-3]["id"]  # 7 statuses are newer
    state = {
        "acct": "mastodonpy_test",
        "account_id": fake.account["id"],
        "since_id": since,
    }
    seen: list[str] = []
    async with serve(fake.app()) as base, http_client() as http:
        source = _source(base, limit=2, max_pages=2)
        cursor = SourceCursor(cursor=json.dumps({**state, "instance": source.options.instance}))
        polls = []
        for _ in range(3):
            result = await source.poll(http, cursor)
            polls.append(result)
            seen += [i.id for i in result.items]
            cursor = result.cursor
    newer = [s["id"] for s in fake.statuses if (len(s["id"]), s["id"]) > (len(since), since)]
    assert sorted(seen) == sorted(newer) and len(seen) == len(set(seen)) == 7
    assert [len(p.items) for p in polls] == [4, 3, 0]
    assert any("still catching up" in n for n in polls[0].notes)
    assert not polls[1].notes
    min_ids = [q.get("min_id") for _, q, _ in fake.requests]
    assert min_ids[0] == since and None not in min_ids
    assert load_cursor(polls[-1].cursor.cursor)["since_id"] == fake.statuses[0]["id"]


async def test_used_up_budget_stops_paging_and_waits_for_the_iso_reset() -> None:
    """X-RateLimit-Remaining: 0 -> no further page, min_delay_s until the ISO reset."""
    fake = FakeMastodon()
    fake.remaining = 0
    fake.reset_in_s = 240.0
    cursor = SourceCursor(
        cursor=json.dumps(
            {"acct": "mastodonpy_test", "account_id": fake.account["id"], "since_id": "1"}
        )
    )
    async with serve(fake.app()) as base, http_client() as http:
        source = _source(base, limit=2, max_pages=5)
        cursor = SourceCursor(
            cursor=json.dumps({**load_cursor(cursor.cursor), "instance": source.options.instance})
        )
        result = await source.poll(http, cursor)
    assert len(fake.requests) == 1 and len(result.items) == 2
    assert result.min_delay_s is not None and 230 <= result.min_delay_s <= 242
    assert any("rate limit" in n for n in result.notes)


async def test_429_is_rate_limited_until_the_reset() -> None:
    """A 429 carries the X-RateLimit-Reset wait."""
    fake = FakeMastodon()
    fake.too_many = True
    fake.reset_in_s = 180.0
    async with serve(fake.app()) as base, http_client() as http:
        with pytest.raises(RateLimited) as err:
            await _source(base).poll(http, SourceCursor())
    assert err.value.retry_after_s is not None and 170 <= err.value.retry_after_s <= 181


async def test_invalid_token_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded 401 ("The access token is invalid") becomes a message about the token;
    without a token the message says to configure one."""
    fake = FakeMastodon(token="right-token")
    monkeypatch.setenv("M_TOKEN", "wrong-token")
    async with serve(fake.app()) as base, http_client() as http:
        with pytest.raises(ClientError) as err:
            await _source(base, access_token_env="M_TOKEN").poll(http, SourceCursor())
        assert err.value.status == 401 and "access token is invalid" in str(err.value)
        assert "wrong-token" not in str(err.value)
        assert fake.requests[0][2] == "Bearer wrong-token"
        with pytest.raises(ClientError, match="access_token_env"):
            await _source(base).poll(http, SourceCursor())


async def test_unknown_account_is_a_clear_error() -> None:
    """A lookup 404 names the instance and account to check."""
    fake = FakeMastodon()
    async with serve(fake.app()) as base, http_client() as http:
        source = MastodonSource.from_options(
            MastodonOptions(id="m", type="mastodon", instance=base, account="nobody")
        )
        with pytest.raises(ClientError, match="check the instance and account"):
            await source.poll(http, SourceCursor())
