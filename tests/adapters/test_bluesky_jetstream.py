"""The "bluesky_jetstream" push source against a websocket server on 127.0.0.1 replaying
152 recorded production Jetstream events: handles resolved, wantedDids sent, a cut
connection, a resume from the cursor rewound 5 s, idempotent AT-URI ids, clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from adapters.bluesky_jetstream import JetstreamOptions, JetstreamSource
from monitor.contracts import SourceCursor
from tests.adapters.bluesky_fake import FakeAppView, FakeJetstream
from tests.adapters.socialkit import Emitted, http_client, serve

WATCHED_DIDS = [
    "did:plc:u4lmvw4wwzaql3z5kcf3r7h4",  # a post and two self-replies
    "did:plc:amnbije7mr5g3pgxuun7q44o",  # Japanese post
    "did:plc:o2rolxey6s5k7d4lxcz3inl4",  # only a reply to someone else
    "did:plc:fe7cz462lvsuhadx6z35orni",  # Czech post without langs
    "did:plc:4smmjsqf6l5jkzczvw6vsrqc",  # only a delete
]
RU_HANDLE, RU_DID = "ru-poster.example", "did:plc:6aw7u7xjbaiznddugigmdhvc"


def _expected_uris(events: list[dict[str, Any]]) -> set[str]:
    watched = {*WATCHED_DIDS, RU_DID}
    return {
        f"at://{e['did']}/app.bsky.feed.post/{e['commit']['rkey']}"
        for e in events
        if e["did"] in watched
        and e.get("commit", {}).get("operation") == "create"
        and e["commit"]["collection"] == "app.bsky.feed.post"
        and (
            "reply" not in e["commit"]["record"]
            or e["commit"]["record"]["reply"]["root"]["uri"].startswith(f"at://{e['did']}/")
        )
    }


def _source(appview: str, jetstream: str, **extra: Any) -> JetstreamSource:
    options = JetstreamOptions.model_validate(
        {
            "id": "js-officials",
            "type": "bluesky_jetstream",
            "actors": [*WATCHED_DIDS, f"@{RU_HANDLE}"],
            "url": f"{jetstream.replace('http://', 'ws://')}/subscribe",
            "api_url": f"{appview}/xrpc",
            "official": True,
            "reconnect_min": 0.05,
            "reconnect_max": 0.2,
            **extra,
        }
    )
    return JetstreamSource.from_options(options)


async def _run_until(
    source: JetstreamSource, http: Any, cursor: SourceCursor, done: Any, emitted: Emitted
) -> None:
    task = asyncio.create_task(source.run(http, cursor, emitted))
    try:
        await emitted.wait_for(done)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert task.cancelled()


async def test_cut_connection_resumes_from_the_rewound_cursor_without_losing_posts() -> None:
    """Connection 1 is cut after 6 events; connection 2 carries cursor = the last
    processed time_us - 5 s; every watched post arrives, replays keep their AT-URI ids."""
    appview, jetstream = FakeAppView(), FakeJetstream(cut_after=6)
    appview.profiles[WATCHED_DIDS[1]] = ("ja-poster.example", "JA Poster")
    expected = _expected_uris(jetstream.events)
    emitted = Emitted()
    async with (
        serve(appview.app()) as av,
        serve(jetstream.app()) as js,
        http_client() as http,
    ):
        source = _source(av, js)
        await _run_until(
            source,
            http,
            SourceCursor(),
            lambda e: len(jetstream.connections) >= 2 and {i.id for i in e.items} == expected,
            emitted,
        )
    assert len(expected) == 6
    first, second = jetstream.connections[:2]
    assert first["wantedCollections"] == ["app.bsky.feed.post"]
    assert sorted(first["wantedDids"]) == sorted([*WATCHED_DIDS, RU_DID])
    assert "cursor" not in first
    last_processed = max(jetstream.sent_time_us[0])
    assert second["cursor"] == [str(last_processed - 5_000_000)]
    ids = [i.id for i in emitted.items]
    assert set(ids) == expected and len(ids) > len(expected)  # replayed, same ids
    post_times = [
        e["time_us"]
        for e in jetstream.events
        if f"at://{e['did']}/app.bsky.feed.post/{e.get('commit', {}).get('rkey')}" in expected
    ]
    assert emitted.cursor is not None and emitted.cursor.cursor is not None
    assert int(emitted.cursor.cursor) >= max(post_times)
    by_did = {i.id.split("/")[2]: i for i in emitted.items}
    assert by_did[WATCHED_DIDS[1]].author == "JA Poster"
    assert by_did[WATCHED_DIDS[1]].author_handle == "@ja-poster.example"
    assert by_did[WATCHED_DIDS[1]].url.startswith("https://bsky.app/profile/ja-poster.example/")
    assert by_did[RU_DID].lang == "ru" and by_did[RU_DID].official
    resolved = [
        q for method, q in appview.requests if method == "com.atproto.identity.resolveHandle"
    ]
    assert resolved == [[("handle", RU_HANDLE)]]  # once, not at every reconnect


async def test_stored_cursor_is_rewound_on_the_first_connection() -> None:
    """A persisted cursor: the first connection asks for it minus 5 s; only events from
    then on are replayed."""
    appview, jetstream = FakeAppView(), FakeJetstream()
    stored = jetstream.events[100]["time_us"]
    emitted = Emitted()
    async with serve(appview.app()) as av, serve(jetstream.app()) as js, http_client() as http:
        source = _source(av, js, rewind=0.0001)  # 100 µs: keeps the test's window small
        await _run_until(
            source, http, SourceCursor(cursor=str(stored)), lambda e: bool(e.batches), emitted
        )
    assert jetstream.connections[0]["cursor"] == [str(stored - 100)]
    assert min(jetstream.sent_time_us[0]) >= stored - 100


async def test_unfiltered_relay_is_filtered_on_our_side() -> None:
    """When the endpoint ignores wantedDids and sends all 152 events, only the watched
    accounts' posts become items."""
    appview, jetstream = FakeAppView(), FakeJetstream(filter_dids=False)
    expected = _expected_uris(jetstream.events)
    emitted = Emitted()
    async with serve(appview.app()) as av, serve(jetstream.app()) as js, http_client() as http:
        source = _source(av, js)
        await _run_until(
            source,
            http,
            SourceCursor(),
            lambda _: len(jetstream.sent_time_us[0]) == 152 if jetstream.sent_time_us else False,
            emitted,
        )
        await asyncio.sleep(0)
    assert {i.id for i in emitted.items} == expected
    assert len(emitted.items) == len(expected)


async def test_cursor_is_checkpointed_without_posts() -> None:
    """Events that are not posts still move the stored cursor (at most once per
    checkpoint), so a restart does not replay hours of likes."""
    appview, jetstream = FakeAppView(), FakeJetstream(filter_dids=False)
    emitted = Emitted()
    async with serve(appview.app()) as av, serve(jetstream.app()) as js, http_client() as http:
        source = _source(av, js, actors=["did:plc:4smmjsqf6l5jkzczvw6vsrqc"], checkpoint=3600)
        await _run_until(source, http, SourceCursor(), lambda e: bool(e.batches), emitted)
    assert emitted.batches[0][0] == []
    assert emitted.batches[0][1].cursor == str(jetstream.events[0]["time_us"])
    assert len(emitted.batches) == 1  # not one write per event


async def test_unresolvable_actors_do_not_open_the_firehose() -> None:
    """If no actor resolves, the source does not connect (no wantedDids = everything)
    and keeps retrying resolution."""
    appview, jetstream = FakeAppView(), FakeJetstream()
    emitted = Emitted()
    async with serve(appview.app()) as av, serve(jetstream.app()) as js, http_client() as http:
        source = _source(av, js, actors=["nobody.example"])
        task = asyncio.create_task(source.run(http, SourceCursor(), emitted))
        await asyncio.sleep(0.5)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert jetstream.connections == []
    tries = [q for m, q in appview.requests if m == "com.atproto.identity.resolveHandle"]
    assert len(tries) >= 2
    assert json.dumps(tries[0]) == json.dumps([["handle", "nobody.example"]])
