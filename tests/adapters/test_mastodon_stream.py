"""The "mastodon_stream" push source against an SSE server on 127.0.0.1 replaying the
recorded stream: events to items, a cut connection, reconnect with backoff, the gap filled
from the REST timeline with min_id = the cursor, auth failures logged once, clean stop."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from structlog.testing import capture_logs

from adapters.mastodon_stream import MastodonStreamOptions, MastodonStreamSource
from monitor.contracts import SourceCursor
from tests.adapters.mastodon_fake import SSE, FakeMastodon, status_like, update_event
from tests.adapters.socialkit import Emitted, fixture, fixture_json, http_client, serve

CAPTURED_ID = "117024236332527350"  # the public status in the capture (and its edit)


def _source(base: str, **extra: object) -> MastodonStreamSource:
    options = MastodonStreamOptions.model_validate(
        {
            "id": "ms-home",
            "type": "mastodon_stream",
            "instance": base,
            "access_token_env": "MS_TOKEN",
            "reconnect_min": 0.05,
            "reconnect_max": 0.2,
            **extra,
        }
    )
    return MastodonStreamSource.from_options(options)


async def test_cut_stream_reconnects_fills_the_gap_and_resumes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Connection 1 replays the capture and is cut; the source reconnects, asks the home
    timeline for min_id = the last status id (the gap), then streams again."""
    monkeypatch.setenv("MS_TOKEN", "stream-token")
    fake = FakeMastodon(token="stream-token")
    template = fixture_json("social/mastodon/account_statuses_page1.json")[0]
    missed = status_like(template, "117024236400000000", "Posted while we were away.")
    live = status_like(template, "117024236500000000", "Posted after the reconnect.")
    fake.timeline = [missed]
    fake.stream_scripts = [(fixture(SSE), True), (update_event(live), False)]
    emitted = Emitted()
    async with serve(fake.app()) as base, http_client() as http:
        source = _source(base)
        task = asyncio.create_task(source.run(http, SourceCursor(), emitted))
        try:
            await emitted.wait_for(lambda e: any(i.id == live["id"] for i in e.items))
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert task.cancelled()
    assert [i.id for i in emitted.items] == [CAPTURED_ID, CAPTURED_ID, missed["id"], live["id"]]
    assert [i.text for i in emitted.items][2:] == [
        "Posted while we were away.",
        "Posted after the reconnect.",
    ]
    assert emitted.cursor == SourceCursor(cursor=live["id"])
    assert fake.stream_connections == 2
    gap = [q for path, q, _ in fake.requests if path == "/api/v1/timelines/home"]
    assert gap == [{"min_id": CAPTURED_ID, "limit": "40"}]
    assert {auth for _, _, auth in fake.requests} == {"Bearer stream-token"}


async def test_stream_resumes_from_a_stored_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored cursor is used for the gap fill before the very first connection."""
    monkeypatch.setenv("MS_TOKEN", "t")
    fake = FakeMastodon(token="t")
    template = fixture_json("social/mastodon/account_statuses_page1.json")[0]
    fake.timeline = [status_like(template, "200", "after"), status_like(template, "100", "before")]
    fake.stream_scripts = [(b":)\n", False)]
    emitted = Emitted()
    async with serve(fake.app()) as base, http_client() as http:
        task = asyncio.create_task(_source(base).run(http, SourceCursor(cursor="150"), emitted))
        try:
            await emitted.wait_for(lambda e: bool(e.items))
            await asyncio.sleep(0.1)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert [i.id for i in emitted.items] == ["200"]
    assert emitted.cursor == SourceCursor(cursor="200")


async def test_hashtag_stream_uses_the_tag_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """stream = "hashtag" connects to /streaming/hashtag?tag= and fills gaps from the tag
    timeline; no token is sent when none is configured."""
    fake = FakeMastodon()
    fake.stream_scripts = [(fixture(SSE), True), (b":)\n", False)]
    emitted = Emitted()
    async with serve(fake.app()) as base, http_client() as http:
        source = _source(base, stream="hashtag", tag="#diplomacy", access_token_env=None)
        task = asyncio.create_task(source.run(http, SourceCursor(), emitted))
        try:
            await emitted.wait_for(
                lambda _: fake.stream_connections >= 2 and len(fake.requests) >= 3
            )
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    paths = [(p, q) for p, q, _ in fake.requests]
    assert paths[0] == ("/api/v1/streaming/hashtag", {"tag": "diplomacy"})
    assert ("/api/v1/timelines/tag/diplomacy", {"min_id": CAPTURED_ID, "limit": "40"}) in paths
    assert {auth for _, _, auth in fake.requests} == {None}


async def test_rejected_token_is_logged_once_and_retried_slowly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 401 on the stream: one warning saying so (not one per attempt), the longest
    backoff between attempts, and the source keeps trying until stopped."""
    monkeypatch.setenv("MS_TOKEN", "wrong")
    fake = FakeMastodon(token="right")
    emitted = Emitted()
    with capture_logs() as logs:
        async with serve(fake.app()) as base, http_client() as http:
            source = _source(base, reconnect_min=0.01, reconnect_max=0.15)
            task = asyncio.create_task(source.run(http, SourceCursor(), emitted))
            await asyncio.sleep(0.5)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    failures = [e for e in logs if e["event"] == "source.stream_failed"]
    assert len(failures) == 1
    assert "401" in failures[0]["error"] and "access token" in failures[0]["error"]
    assert "wrong" not in str(failures[0])
    assert 2 <= len(fake.requests) <= 5  # every 0.15 s, not every 0.01 s
    assert emitted.batches == []
