"""X API v2 timeline parsing and "x" source options (pure; real recorded payloads)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from adapters.posts import SourceConfigError
from adapters.ratelimit import budget
from adapters.tweets import parse_tweets, status_id_from_link
from adapters.x import XOptions, XSource
from tests.adapters.socialkit import fixture, fixture_json, recorded_headers

TWARC = "social/x/twarc_users_2351222345_tweets_100_with_errors.json"


def test_minimal_page_without_expansions_uses_the_configured_username() -> None:
    """A page without includes still gives ids, text, links and the account as author."""
    parsed = parse_tweets(
        fixture("social/x/users_783214_tweets_no_expansions.json"),
        source_id="x-twitter",
        username="Twitter",
        official=True,
    )
    assert [i.id for i in parsed.items] == ["1577730467436138524", "1565318587736285184"]
    first = parsed.items[0]
    assert first.text.startswith("whoa, it works\n\nnow everyone can mix GIFs")
    assert first.title == "whoa, it works"
    assert first.url == "https://x.com/Twitter/status/1577730467436138524"
    assert (first.author, first.author_handle, first.official) == ("@Twitter", "@Twitter", True)
    assert parsed.newest_id == "1577730467436138524"
    assert parsed.next_token == "7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex"
    assert parsed.errors == []


def test_full_page_drops_retweets_names_the_author_and_reports_partial_errors() -> None:
    """With expansions: 66 own posts of 100 (34 retweets dropped), author from includes,
    t.co links expanded, 'und' language left unset, the partial error kept as a note."""
    doc = fixture_json(TWARC)
    parsed = parse_tweets(doc, source_id="x-nefl", username="PhillyNEFL")
    retweets = sum(
        1
        for t in doc["data"]
        if any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
    )
    assert retweets == 34 and len(parsed.items) == 66
    assert {i.author for i in parsed.items} == {"Philly NEFL"}
    assert {i.author_handle for i in parsed.items} == {"@PhillyNEFL"}
    assert parsed.result_count == 100
    assert parsed.newest_id == "1257786232978968578"
    assert len(parsed.errors) == 1
    assert "Not Found Error" in parsed.errors[0] and "1252320537600299008" in parsed.errors[0]
    with_link = next(i for i in parsed.items if "epicstream.com/news/NicoParungo" in i.text)
    assert "https://t.co/Jf9DClg98j" not in with_link.text
    by_id = {i.id: i for i in parsed.items}
    undetermined = [t["id"] for t in doc["data"] if t["lang"] == "und" and t["id"] in by_id]
    assert undetermined and all(by_id[t].lang is None for t in undetermined)
    assert all(
        by_id[t["id"]].lang == "en" for t in doc["data"] if t["lang"] == "en" and t["id"] in by_id
    )


def test_undetermined_language_falls_back_to_the_source_language() -> None:
    """lang_override fills in only where X says 'und'."""
    doc = fixture_json(TWARC)
    langs = {t["id"]: t["lang"] for t in doc["data"]}
    parsed = parse_tweets(doc, source_id="s", lang_override="de", include_retweets=True)
    assert {i.lang for i in parsed.items if langs[i.id] == "und"} == {"de"}
    assert {i.lang for i in parsed.items if langs[i.id] == "en"} == {"en"}


def test_kept_retweets_carry_the_full_original_text() -> None:
    """A kept retweet reads as "RT @author: <full text of the original from includes>"."""
    doc = fixture_json(TWARC)
    parsed = parse_tweets(doc, source_id="s", include_retweets=True)
    assert len(parsed.items) == 100
    truncated = {
        t["id"]: t["text"]
        for t in doc["data"]
        if t["text"].endswith("…") and t["text"].startswith("RT @")
    }
    assert truncated, "the fixture has truncated retweets"
    originals = {t["id"] for t in doc["includes"]["tweets"]}
    expanded = 0
    for item in parsed.items:
        if item.id in truncated:
            ref = next(t for t in doc["data"] if t["id"] == item.id)["referenced_tweets"][0]["id"]
            if ref in originals:
                assert item.text.startswith("RT @") and not item.text.endswith("…")
                assert len(item.text) > len(truncated[item.id]) - 30
                expanded += 1
    assert expanded > 0


def test_partial_errors_next_to_data_keep_the_post() -> None:
    """A 200 with both data and errors yields the post (Russian) and one error line."""
    parsed = parse_tweets(
        fixture("social/x/twarc_tweets_lookup_partial_errors.json"), source_id="s"
    )
    assert [i.id for i in parsed.items] == ["506695756406095872"]
    assert parsed.items[0].lang == "ru"
    assert parsed.items[0].author_handle == "@put_in_vor"
    assert "Could not find tweet" in parsed.errors[0]


def test_a_body_that_is_not_an_object_is_a_value_error() -> None:
    """Garbage in raises ValueError (the poll fails loudly, nothing is half-parsed)."""
    with pytest.raises(ValueError):
        parse_tweets(b"[1, 2]", source_id="s")
    with pytest.raises(ValueError):
        parse_tweets(b"<html>", source_id="s")


def test_recorded_rate_limit_headers_are_read_as_a_unix_reset() -> None:
    """x-rate-limit-reset is a Unix time: 1498 of 1500 left means no wait; 0 left means
    wait until the reset."""
    headers = recorded_headers("social/x/users_783214_tweets_no_expansions.response.json")
    now = 1665183228 - 600.0
    limits = budget(headers, prefix="x-rate-limit-", now=now)
    assert (limits.limit, limits.remaining, limits.reset_in_s) == (1500, 1498, 600.0)
    assert limits.min_delay_s is None
    exhausted = budget({**headers, "x-rate-limit-remaining": "0"}, now=now)
    assert exhausted.min_delay_s == pytest.approx(601.0)


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://x.com/DrSJaishankar/status/1790000000000000000", "1790000000000000000"),
        ("https://nitter.net/DrSJaishankar/status/1790000000000000001#m", "1790000000000000001"),
        ("https://twitter.com/i/web/status/42", "42"),
        ("https://example.org/no-status-here", None),
    ],
)
def test_status_ids_come_out_of_bridge_links(link: str, expected: str | None) -> None:
    """RSS bridge items map back to the post id, so both modes give the same item ids."""
    assert status_id_from_link(link) == expected


def test_missing_token_is_a_clear_startup_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """No bearer token in the environment: a ValueError naming the source and variable."""
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    options = XOptions(id="x-eam", type="x", username="@DrSJaishankar")
    with pytest.raises(SourceConfigError) as err:
        XSource.from_options(options)
    assert isinstance(err.value, ValueError)
    assert "x-eam" in str(err.value) and "X_BEARER_TOKEN" in str(err.value)
    assert "rss_url" in str(err.value)


def test_token_is_read_from_the_named_variable_and_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The token comes from bearer_token_env and does not appear in repr."""
    monkeypatch.setenv("MY_X_TOKEN", "sekrit-token-value")
    options = XOptions(
        id="x-eam", type="x", username="DrSJaishankar", bearer_token_env="MY_X_TOKEN"
    )
    source = XSource.from_options(options)
    assert options.username == "DrSJaishankar"
    assert "sekrit" not in repr(source) and "sekrit" not in repr(options)


def test_rss_bridge_mode_needs_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """rss_url alone is a valid X source (the no-token way)."""
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    options = XOptions(id="x-rss", type="x", rss_url="https://rsshub.example/twitter/user/x")
    assert repr(XSource.from_options(options)).endswith("mode=rss)")


@pytest.mark.parametrize(
    "bad",
    [
        {"username": "not a name"},
        {},  # neither username nor rss_url
        {"username": "ok", "exclude": ["likes"]},
        {"username": "ok", "max_results": 500},
    ],
)
def test_bad_options_are_rejected(bad: dict[str, object]) -> None:
    """Options that cannot work fail validation at startup."""
    with pytest.raises(ValidationError):
        XOptions.model_validate({"id": "x1", "type": "x", **bad})
