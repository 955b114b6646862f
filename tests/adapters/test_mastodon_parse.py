"""Mastodon status parsing, the SSE decoder, Link/rate-limit headers and reconnect backoff
(real recorded payloads from a Mastodon 4.x server and mastodon.social; the Link header is
served on loopback, since the HTTP client reads it)."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from pydantic import ValidationError

from adapters.mastodon import MastodonOptions, account_handle, parse_status, parse_statuses
from adapters.mastodon_stream import (
    MastodonStreamOptions,
    MastodonStreamSource,
    parse_stream_event,
)
from adapters.ratelimit import budget
from adapters.streaming import SseDecoder, SseEvent
from monitor.retry import BackoffCounter
from tests.adapters.socialkit import fixture, fixture_json, http_client, recorded_headers, serve

PAGE1 = "social/mastodon/account_statuses_page1.json"
REMOTE = "social/mastodon/status_from_mastodon.social.json"


def _events() -> list[SseEvent]:
    decoder = SseDecoder()
    events = []
    for line in fixture("social/mastodon/streaming_user.sse.txt").splitlines(keepends=True):
        event = decoder.feed(line)
        if event is not None:
            events.append(event)
    return events


def test_account_statuses_become_items_with_author_language_and_text() -> None:
    """A real statuses page: HTML content to text, language, display name, @user@host."""
    items, ids = parse_statuses(fixture(PAGE1), source_id="m-test", official=True)
    assert ids == [
        "117020580518794573",
        "117020580511453871",
        "117020580503743669",
        "117020580496489811",
        "117020580489281910",
    ]
    assert [i.id for i in items] == ids
    first = items[0]
    assert (first.text, first.title, first.lang) == ("Toot number 9!", "Toot number 9!", "en")
    assert first.author == "John Lennon"
    assert first.author_handle == "@mastodonpy_test@localhost"
    assert first.url == "http://localhost:3000/@mastodonpy_test/117020580518794573"
    assert first.published_at == datetime(2026, 8, 1, 13, 52, 34, 108000, tzinfo=UTC)
    assert first.official is True and first.key == "m-test:117020580518794573"


def test_remote_status_keeps_the_content_warning_and_the_remote_handle() -> None:
    """A federated status: spoiler_text first, mentions and hashtags as plain text."""
    item = parse_status(fixture_json(REMOTE), source_id="m")
    assert item is not None
    assert item.text.splitlines()[0] == "test post for mastodon.py stuff"
    assert "you're a doo-doo head" in item.text and "#ThisIsAHashtag" in item.text
    assert "<" not in item.text
    assert item.author_handle == "@halcy@icosahedron.website"
    assert item.lang == "de"
    assert item.url == "https://icosahedron.website/@halcy/110446222386355655"


def test_boosts_are_skipped_unless_asked_and_then_read_as_the_original() -> None:
    """A reblog wrapper (built from two real statuses) yields nothing by default; with
    include_reblogs it is the original's author and text under the boost's id."""
    booster = fixture_json(PAGE1)[0]
    wrapper = {**copy.deepcopy(booster), "id": "117020580599999999", "reblog": fixture_json(REMOTE)}
    wrapper["content"] = ""
    assert parse_status(wrapper, source_id="m") is None
    item = parse_status(wrapper, source_id="m", include_reblogs=True)
    assert item is not None
    assert item.id == "117020580599999999"
    assert item.author_handle == "@halcy@icosahedron.website"
    assert "doo-doo head" in item.text


def test_replies_to_others_are_dropped_when_asked_but_self_replies_stay() -> None:
    """include_replies=False drops replies to someone else, keeps an author's own thread."""
    status: dict[str, Any] = copy.deepcopy(fixture_json(PAGE1)[0])
    status["in_reply_to_id"] = "1"
    status["in_reply_to_account_id"] = "999"
    assert parse_status(status, source_id="m", include_replies=False) is None
    assert parse_status(status, source_id="m", include_replies=True) is not None
    status["in_reply_to_account_id"] = status["account"]["id"]
    assert parse_status(status, source_id="m", include_replies=False) is not None


def test_sse_capture_decodes_into_the_recorded_events() -> None:
    """The raw text/event-stream capture: heartbeats ignored, one event per blank line."""
    events = _events()
    assert [e.event for e in events] == [
        "update",
        "notification",
        "update",
        "notification",
        "status.update",
        "delete",
    ]
    assert events[-1].data == "117024236332527350"


def test_only_public_status_events_become_items() -> None:
    """update and status.update give items; the direct message, notifications and the
    delete do not. The edit keeps the status id (the pipeline keeps the first version)."""
    items = [parse_stream_event(e, source_id="ms") for e in _events()]
    kept = [i for i in items if i is not None]
    assert [(i.id, i.text, i.lang) for i in kept] == [
        ("117024236332527350", "only real cars respond.", "ja"),
        ("117024236332527350", "only real animals respond.", "ja"),
    ]


def test_an_update_that_is_not_json_is_a_value_error() -> None:
    """A broken frame raises ValueError (the stream logs it and goes on)."""
    with pytest.raises(ValueError):
        parse_stream_event(SseEvent("update", "{not json"), source_id="ms")


def test_sse_decoder_joins_multiline_data_and_reads_ids() -> None:
    """Multi-line data is joined with newlines; CRLF endings and the space after ':' go."""
    decoder = SseDecoder()
    out = [decoder.feed(x) for x in (b"id: 7\r\n", b"data: a\r\n", b"data:b\r\n", b"\r\n")]
    assert out[:3] == [None, None, None]
    assert out[3] == SseEvent("message", "a\nb", "7")


async def test_recorded_link_header_gives_next_and_prev_pages() -> None:
    """rel="next" pages back (max_id), rel="prev" pages forward (min_id): the recorded
    Link header served on loopback and read by the HTTP client (aiohttp's parse)."""
    headers = recorded_headers("social/mastodon/account_statuses_page1.response.json")

    async def page(request: web.Request) -> web.Response:
        return web.Response(body=fixture(PAGE1), headers=headers)

    app = web.Application()
    app.router.add_get("/statuses", page)
    async with serve(app) as base, http_client() as http:
        links = (await http.get(f"{base}/statuses")).links
    assert links["next"].endswith("max_id=117020580489281910")
    assert links["prev"].endswith("min_id=117020580518794573")


async def test_link_relations_are_case_insensitive_multi_valued_and_absolute() -> None:
    """``rel="Prev First"`` counts for both (lower-cased), the first link of a relation
    wins, a relative target is resolved against the response URL, no rel is no relation."""
    link = (
        '</p?min_id=9>; rel="Prev First", <https://other.example/p?min_id=1>; rel=prev, '
        "</norel>; title=x"
    )

    async def page(request: web.Request) -> web.Response:
        return web.Response(body=b"[]", headers={"Link": link})

    app = web.Application()
    app.router.add_get("/statuses", page)
    async with serve(app) as base, http_client() as http:
        links = (await http.get(f"{base}/statuses")).links
    assert links == {"prev": f"{base}/p?min_id=9", "first": f"{base}/p?min_id=9"}


def test_recorded_rate_limit_reset_is_an_iso_time() -> None:
    """X-RateLimit-Reset is ISO 8601; with 0 remaining the wait lasts until then."""
    headers = recorded_headers("social/mastodon/account_statuses_page1.response.json")
    now = datetime(2026, 8, 1, 13, 53, 0, 212100, tzinfo=UTC).timestamp()
    limits = budget(headers, prefix="x-ratelimit-", now=now)
    assert (limits.limit, limits.remaining) == (300, 299)
    assert limits.reset_in_s == pytest.approx(120.0)
    assert limits.min_delay_s is None
    used_up = budget({**headers, "x-ratelimit-remaining": "0"}, prefix="x-ratelimit-", now=now)
    assert used_up.min_delay_s == pytest.approx(121.0)


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap_and_resets() -> None:
    """Attempt n waits between d/2 and d (d = base * 2^n, capped); reset starts over."""
    backoff = BackoffCounter(1.0, 30.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(8)]
    for n, delay in enumerate(delays):
        ceiling = min(30.0, 2.0**n)
        assert ceiling / 2 <= delay <= ceiling
    assert delays[-1] >= 15.0
    assert len(set(delays)) == len(delays)  # jittered, not lockstep
    backoff.reset()
    assert backoff.next_delay() <= 1.0
    assert backoff.longest() == 30.0


def test_account_handle_for_local_and_remote_accounts() -> None:
    """Local accounts get the instance host; remote ones keep their own domain."""
    assert account_handle({"acct": "EAM", "url": "https://mastodon.social/@EAM"}) == (
        "@EAM@mastodon.social"
    )
    assert account_handle({"acct": "x@gov.example", "url": "https://m.s/@x@gov.example"}) == (
        "@x@gov.example"
    )
    assert account_handle({}) is None


def test_options_validate_account_instance_and_stream_requirements() -> None:
    """A bare host becomes https://…; the user stream needs a token; hashtags need a tag;
    a separate streaming host is used for the stream (as https, for SSE)."""
    opts = MastodonOptions(id="m", type="mastodon", instance="mastodon.social/", account="@EAM")
    assert (opts.instance, opts.account) == ("https://mastodon.social", "EAM")
    with pytest.raises(ValidationError):
        MastodonOptions(id="m", type="mastodon", instance="x", account="two words")
    with pytest.raises(ValidationError, match="access_token_env"):
        MastodonStreamOptions(id="s", type="mastodon_stream", instance="m.s", stream="user")
    with pytest.raises(ValidationError, match="tag"):
        MastodonStreamOptions(id="s", type="mastodon_stream", instance="m.s", stream="hashtag")
    tag = MastodonStreamOptions(
        id="s", type="mastodon_stream", instance="m.s", stream="hashtag", tag="#diplomacy"
    )
    assert tag.tag == "diplomacy"
    moved = MastodonStreamOptions(
        id="s",
        type="mastodon_stream",
        instance="m.s",
        stream="hashtag",
        tag="g20",
        streaming_url="wss://streaming.m.s/",
    )
    assert MastodonStreamSource.from_options(moved).stream_url == (
        "https://streaming.m.s/api/v1/streaming/hashtag?tag=g20"
    )
