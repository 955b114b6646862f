"""Bluesky AppView feed and Jetstream event parsing (pure; real production Jetstream events,
real postViews, and getAuthorFeed responses derived from them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.bluesky import BlueskyOptions, parse_author_feed, web_url
from adapters.bluesky_jetstream import (
    JetstreamOptions,
    Profile,
    parse_jetstream_event,
    subscribe_url,
)
from tests.adapters.socialkit import fixture

MARSHAL = "social/bluesky/getAuthorFeed_marshal_derived.json"
THREAD = "social/bluesky/getAuthorFeed_thread_derived.json"
WINDOW = "social/bluesky/jetstream_v1_window_152events.jsonl"
GOLDEN = "social/bluesky/jetstream_v1_golden_10events.jsonl"
THREAD_DID = "did:plc:u4lmvw4wwzaql3z5kcf3r7h4"


def _lines(rel: str) -> list[bytes]:
    return fixture(rel).splitlines()


def test_author_feed_items_carry_uri_link_author_language_and_quoted_text() -> None:
    """A postView becomes an Item: AT-URI id, bsky.app link, display name and @handle,
    first of langs; an image post quoting another carries the quoted post's text."""
    timed, cursor = parse_author_feed(fixture(MARSHAL), source_id="bs", official=True)
    assert cursor == "2023-09-28T12:46:18.414Z"
    items = [t.item for t in timed]
    assert [i.id for i in items] == [
        "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22",
        "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kahesw26il2z",
    ]
    quoting = items[0]
    assert quoting.url == "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"
    assert (quoting.author, quoting.author_handle) == ("Python SDK", "@test.marshal.dev")
    assert quoting.text == "test" and quoting.lang == "en" and quoting.official
    assert quoting.published_at == datetime(2023, 9, 28, 12, 49, 36, 735000, tzinfo=UTC)
    assert timed[0].at == quoting.published_at


def test_reposts_are_skipped_unless_asked_and_sorted_by_repost_time() -> None:
    """The repost entry appears only with include_reposts, timed by the repost."""
    timed, _ = parse_author_feed(fixture(MARSHAL), source_id="bs", include_reposts=True)
    assert len(timed) == 3
    assert timed[0].at == datetime(2023, 9, 28, 12, 50, 2, tzinfo=UTC)
    assert timed[0].item.id.endswith("/3kahesw26il2z")


def test_self_thread_feed_keeps_language_and_order() -> None:
    """Posts keep the feed's newest-first order and their declared language."""
    timed, _ = parse_author_feed(fixture(THREAD), source_id="bs")
    assert [t.item.id.rsplit("/", 1)[1] for t in timed] == [
        "3mptbyoumc22i",
        "3mptbyou7ls2i",
        "3mptbyospqk2i",
    ]
    assert {t.item.lang for t in timed} == {"tr"}
    assert {t.item.author_handle for t in timed} == {"@handle.invalid"}
    assert timed[2].item.text.startswith("Going under a band's event post")


def test_feed_without_a_feed_array_is_a_value_error() -> None:
    """An error body is not silently an empty feed."""
    with pytest.raises(ValueError):
        parse_author_feed(b'{"error": "InvalidRequest"}', source_id="bs")


def _watched(*dids: str) -> dict[str, Profile]:
    return {d: Profile(d, f"{d.rsplit(':', 1)[1][:6]}.example", "Name") for d in dids}


def test_window_posts_of_watched_accounts_become_items() -> None:
    """Over 152 production events, exactly the watched accounts' new posts become items;
    replies to others only with include_replies; the rest only move the time."""
    events = [json.loads(line) for line in _lines(WINDOW)]
    posters = {
        e["did"]
        for e in events
        if e.get("commit", {}).get("collection") == "app.bsky.feed.post"
        and e["commit"]["operation"] == "create"
    }
    watched = _watched(*posters)

    def run(include_replies: bool) -> list[Any]:
        out = [
            parse_jetstream_event(
                line, source_id="js", watched=watched, include_replies=include_replies
            )
            for line in _lines(WINDOW)
        ]
        assert [o.time_us for o in out] == [e["time_us"] for e in events]
        return [o.item for o in out if o.item is not None]

    everything = run(include_replies=True)
    creates = [
        e
        for e in events
        if e.get("commit", {}).get("operation") == "create"
        and e["commit"]["collection"] == "app.bsky.feed.post"
    ]
    assert len(everything) == len(creates) == 17
    own = run(include_replies=False)
    replies_to_others = [
        e
        for e in creates
        if "reply" in e["commit"]["record"]
        and not e["commit"]["record"]["reply"]["root"]["uri"].startswith(f"at://{e['did']}/")
    ]
    assert len(own) == 17 - len(replies_to_others) == 12
    assert {i.lang for i in own} >= {"en", "ja", "tr", "ru", None}


def test_post_item_fields_from_a_jetstream_event() -> None:
    """A create event: AT-URI from did + rkey, text, langs, createdAt, the watched profile."""
    line = next(ln for ln in _lines(WINDOW) if b"did:plc:amnbije7mr5g3pgxuun7q44o" in ln)
    watched = {"did:plc:amnbije7mr5g3pgxuun7q44o": Profile("x", "ja.example", "JA Name")}
    event = parse_jetstream_event(line, source_id="js", watched=watched, official=True)
    item = event.item
    assert item is not None
    assert item.id == "at://did:plc:amnbije7mr5g3pgxuun7q44o/app.bsky.feed.post/3mptbyqhi7s2f"
    assert item.url == "https://bsky.app/profile/ja.example/post/3mptbyqhi7s2f"
    assert (item.author, item.author_handle, item.lang) == ("JA Name", "@ja.example", "ja")
    assert item.text.startswith("待って天幕のジャードゥーガル")
    assert item.published_at == datetime(2026, 7, 4, 14, 38, 8, 420000, tzinfo=UTC)
    assert event.time_us == 1783175888094841 and item.official


def test_link_card_text_is_part_of_the_post() -> None:
    """An external embed's title/description is appended (news links carry the story)."""
    line = next(ln for ln in _lines(WINDOW) if b"did:plc:dclwtltrt2ggsryagfzk7dp4" in ln)
    event = parse_jetstream_event(
        line, source_id="js", watched=_watched("did:plc:dclwtltrt2ggsryagfzk7dp4")
    )
    assert event.item is not None
    assert "What does America's 250th anniversary mean" in event.item.text
    assert "YouTube video by Reuters" in event.item.text


def test_czech_post_without_langs_uses_the_source_language() -> None:
    """No langs in the record: lang_override (the source's lang option) applies."""
    line = next(ln for ln in _lines(WINDOW) if b"did:plc:fe7cz462lvsuhadx6z35orni" in ln)
    watched = _watched("did:plc:fe7cz462lvsuhadx6z35orni")
    event = parse_jetstream_event(line, source_id="js", watched=watched, lang_override="cs")
    assert event.item is not None and event.item.lang == "cs"


def test_golden_events_other_than_posts_do_not_become_items() -> None:
    """Likes, reposts, follows, blocks, profile updates, deletes, other lexicons, identity
    and account events yield no item; a reply to someone else is dropped by default."""
    lines = _lines(GOLDEN)
    dids = [json.loads(line)["did"] for line in lines]
    out = [parse_jetstream_event(line, source_id="js", watched=_watched(*dids)) for line in lines]
    assert all(o.item is None for o in out)
    with_replies = [
        parse_jetstream_event(line, source_id="js", watched=_watched(*dids), include_replies=True)
        for line in lines
    ]
    assert [o.item is not None for o in with_replies] == [i == 1 for i in range(10)]


def test_identity_events_update_a_known_handle_only_when_they_carry_one() -> None:
    """The golden identity event has no handle: the known handle stays; one with a handle
    replaces it."""
    line = next(ln for ln in _lines(GOLDEN) if b'"kind":"identity"' in ln)
    did = json.loads(line)["did"]
    watched = {did: Profile(did, "old.example", "Name")}
    assert parse_jetstream_event(line, source_id="js", watched=watched).identity is None
    doc = json.loads(line)
    doc["identity"]["handle"] = "new.example"
    event = parse_jetstream_event(json.dumps(doc), source_id="js", watched=watched)
    assert event.identity == Profile(did, "new.example", "Name")


def test_unwatched_events_are_skipped_without_decoding() -> None:
    """An unwatched account's event is dropped from its head alone (even if the rest of
    the message would not parse); a watched broken message is a ValueError."""
    broken = b'{"did":"did:plc:someoneelse","time_us":1783175888000000,"kind":"commit",BROKEN'
    event = parse_jetstream_event(broken, source_id="js", watched=_watched("did:plc:watched"))
    assert event.time_us == 1783175888000000 and event.item is None
    with pytest.raises(ValueError):
        parse_jetstream_event(
            broken.replace(b"someoneelse", b"watched"),
            source_id="js",
            watched=_watched("did:plc:watched"),
        )


def test_subscribe_url_lists_every_did_and_the_cursor() -> None:
    """wantedCollections, one wantedDids per DID, and the microsecond cursor."""
    url = subscribe_url("ws://h/subscribe", ["did:plc:a", "did:plc:b"], 1783175883000000)
    assert url == (
        "ws://h/subscribe?wantedCollections=app.bsky.feed.post&wantedDids=did%3Aplc%3Aa"
        "&wantedDids=did%3Aplc%3Ab&cursor=1783175883000000"
    )


def test_web_url_only_for_posts() -> None:
    """Only app.bsky.feed.post URIs have a bsky.app link."""
    assert web_url("at://did:plc:a/app.bsky.feed.like/x", "a.example") is None


def test_actor_options_accept_handles_and_dids_only() -> None:
    """@handles are trimmed; free text is rejected; duplicates are merged."""
    assert BlueskyOptions(id="b", type="bluesky", actor="@mea.gov.example").actor == (
        "mea.gov.example"
    )
    with pytest.raises(ValidationError):
        BlueskyOptions(id="b", type="bluesky", actor="not a handle")
    js = JetstreamOptions(id="j", type="bluesky_jetstream", actors=["a.example", "@a.example"])
    assert js.actors == ["a.example"]
    with pytest.raises(ValidationError):
        JetstreamOptions(id="j", type="bluesky_jetstream", actors=[])
