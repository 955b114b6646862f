"""Small pieces of the feed adapter: dates, languages, links, authors, ids, and the errors for
bodies that are not feeds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.feed import FeedError, parse_feed
from adapters.feednorm import absolute_url, clean_author, norm_lang
from adapters.feedtime import parse_date
from tests.adapters.feedfiles import FEED_URL


def rss(items: str, *, channel: str = "", root_attrs: str = "") -> bytes:
    return (
        f'<rss version="2.0"{root_attrs}><channel><title>T</title>{channel}{items}</channel></rss>'
    ).encode()


def read(body: bytes, **kwargs: object) -> list:  # type: ignore[type-arg]
    return parse_feed(body, url=FEED_URL, source_id="s", **kwargs).items  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thu, 01 Jan 2004 19:48:21 GMT", datetime(2004, 1, 1, 19, 48, 21, tzinfo=UTC)),
        ("Thu, 02 May 2013 11:27:00 EST", datetime(2013, 5, 2, 16, 27, tzinfo=UTC)),
        ("Mon, 31 Mar 2025 14:53:56 IST", datetime(2025, 3, 31, 9, 23, 56, tzinfo=UTC)),
        ("Mon, 31 Mar 202510:50:41 +0530", datetime(2025, 3, 31, 5, 20, 41, tzinfo=UTC)),
        ("2003-12-31T10:14:55Z", datetime(2003, 12, 31, 10, 14, 55, tzinfo=UTC)),
        ("2017-06-15T10:29:47-07:00", datetime(2017, 6, 15, 17, 29, 47, tzinfo=UTC)),
        ("2020/1/10 14:33:00", datetime(2020, 1, 10, 14, 33, tzinfo=UTC)),
        ("Monday, April 15, 2013 - 2:23pm", datetime(2013, 4, 15, 14, 23, tzinfo=UTC)),
        ("garbage", None),
        ("14:33", None),  # no year: dateutil would invent today's date
        ("Πεμ, 29 Ιαν 2004 12:53:00 GMT", None),
        ("0000-00-00 00:00:00", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: datetime | None) -> None:
    """Feed dates become UTC datetimes; garbage becomes None, never an exception."""
    assert parse_date(text) == expected
    assert parse_date(text) == expected  # read again: from the cache where it was kept


def test_parse_date_keeps_only_readings_that_hold_on_any_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reading that took its day from today's date ("April 2013" -> the 7th on the 7th) is
    read afresh on every call; a complete date is read once and then served from the cache."""
    from adapters import feedtime

    monkeypatch.setattr(feedtime, "_CACHE", {})
    whole, partial = "Tuesday, March 5, 2019 - 4:10pm", "March 2019"
    assert parse_date(whole) == datetime(2019, 3, 5, 16, 10, tzinfo=UTC)
    first = parse_date(partial)
    assert first is not None and (first.year, first.month) == (2019, 3)
    assert whole in feedtime._CACHE and partial not in feedtime._CACHE
    calls: list[str] = []
    reader = feedtime._read_date
    monkeypatch.setattr(feedtime, "_read_date", lambda t: calls.append(t) or reader(t))
    parse_date(whole), parse_date(partial)
    assert calls == [partial]


def test_garbage_dates_in_a_feed_do_not_crash() -> None:
    """Items with unreadable or absurd dates keep published_at None and are still read; a
    numeric guid is never taken for a date (fastfeedparser turns "<guid>7</guid>" into the
    7th of the current month when the item has no readable date)."""
    items = read(
        rss(
            "<item><guid>7</guid><title>no date at all</title></item>"
            "<item><guid>1</guid><pubDate>not a date</pubDate></item>"
            "<item><guid>2</guid><pubDate>Thu, 99 Foo 99999 99:99:99 +9999</pubDate></item>"
            "<item><guid>3</guid><dc:date xmlns:dc='http://purl.org/dc/elements/1.1/'>"
            "2003-12-31T10:14:55Z</dc:date></item>"
        )
    )
    assert [i.published_at for i in items] == [
        None,
        None,
        None,
        datetime(2003, 12, 31, 10, 14, 55, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("en-US", "en-us"),
        ("hi_IN", "hi-in"),
        ("en, hi", "en"),
        (" UR ", "ur"),
        ("x", None),
        ("", None),
    ],
)
def test_norm_lang(value: str, expected: str | None) -> None:
    """Language tags are lower-cased BCP 47; junk is dropped."""
    assert norm_lang(value) == expected


def test_language_precedence() -> None:
    """item xml:lang > configured lang > feed <language> > HTTP Content-Language."""
    body = rss(
        '<item xml:lang="ur"><guid>1</guid><title>a</title></item>'
        "<item><guid>2</guid><title>b</title></item>",
        channel="<language>en-US</language>",
    )
    feed = parse_feed(body, url=FEED_URL, source_id="s", http_lang="de", lang_override="hi")
    assert [i.lang for i in feed.items] == ["ur", "hi"] and feed.lang == "hi"
    feed = parse_feed(body, url=FEED_URL, source_id="s", http_lang="de")
    assert [i.lang for i in feed.items] == ["ur", "en-us"]
    plain = rss("<item><guid>2</guid></item>")
    assert read(plain, http_lang="de-DE, en")[0].lang == "de-de"
    assert read(rss("<item><guid>2</guid></item>", root_attrs=' xml:lang="fr"'))[0].lang == "fr"


def test_atom_entry_xml_base_and_lang() -> None:
    """Atom entries with their own xml:base and xml:lang: links resolve against the entry's
    base, and the entry's language wins over the feed's."""
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="http://a.example/root/">
      <title>F</title>
      <entry xml:base="http://b.example/news/" xml:lang="hi"><id>tag:x,1</id><title>one</title>
        <link href="story-1.html"/></entry>
      <entry><id>tag:x,2</id><title>two</title><link href="story-2.html"/></entry>
    </feed>"""
    feed = parse_feed(body, url=FEED_URL, source_id="s")
    assert feed.parser == "feedparser"
    assert [(i.url, i.lang) for i in feed.items] == [
        ("http://b.example/news/story-1.html", "hi"),
        ("http://a.example/root/story-2.html", "en"),
    ]


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("\n    https://x.example/a\n  ", "https://x.example/a"),
        ("/b?x=1&y=2", "https://feeds.example.org/b?x=1&y=2"),
        ("c d.html", "https://feeds.example.org/section/c%20d.html"),
        ("javascript:alert(1)", None),
        ("mailto:desk@x.example", None),
        ("", None),
    ],
)
def test_absolute_url(link: str, expected: str | None) -> None:
    """Links are trimmed, resolved against the base, and only http(s) results are kept."""
    assert absolute_url(link, FEED_URL) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("joe@example.com (Joe Bloggs)", "Joe Bloggs"),
        ("Joe Bloggs <joe@example.com>", "Joe Bloggs"),
        ("  TOI NEWS DESK ", "TOI NEWS DESK"),
        ("", None),
    ],
)
def test_clean_author(raw: str, expected: str | None) -> None:
    """RSS author forms reduce to the person's name."""
    assert clean_author(raw) == expected


def test_ids_guid_then_link_then_hash() -> None:
    """guid, else the absolute link, else a content hash; very long ids are hashed."""
    long_guid = "x" * 600
    items = read(
        rss(
            "<item><guid isPermaLink='false'>g-1</guid><link>https://x.example/1</link></item>"
            "<item><link>https://x.example/2</link><title>t2</title></item>"
            "<item><title>only a title</title><description>and text</description></item>"
            f"<item><guid isPermaLink='false'>{long_guid}</guid></item>"
        )
    )
    assert items[0].id == "g-1" and items[1].id == "https://x.example/2"
    assert items[2].id.startswith("h:") and items[3].id.startswith("h:")
    assert items[2].id != items[3].id
    again = read(rss("<item><title>only a title</title><description>and text</description></item>"))
    assert again[0].id == items[2].id


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty document"),
        (b"  \n\t ", "empty document"),
        (b"<!-- nothing -->", "empty document"),
        (
            b"<!DOCTYPE html><html><head><title>Oops</title></head><body>x</body></html>",
            "an HTML page",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "XML but not RSS, Atom or RDF"),
        (b"[1, 2, 3]", "JSON without an 'items' list"),
        (b'{"items": [], "version": "2.0"}', "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "invalid JSON"),
        (b"<rss><channel><title>unterminated", "neither RSS, Atom nor RDF|not a feed"),
        (b"Service Unavailable", "not a feed"),
    ],
)
def test_bodies_that_are_not_feeds(body: bytes, message: str) -> None:
    """Bodies that are not feeds raise FeedError (a ValueError) with a clear message."""
    with pytest.raises(FeedError, match=message) as caught:
        read(body)
    assert isinstance(caught.value, ValueError)


def test_truncated_rss_keeps_what_was_read() -> None:
    """A feed cut off mid-document yields the complete items before the cut (feedparser)."""
    body = rss("<item><guid>1</guid><title>first</title></item><item><guid>2</guid><title>sec")
    feed = parse_feed(body[: body.index(b"sec") + 3], url=FEED_URL, source_id="s")
    assert feed.parser == "feedparser"
    assert feed.items[0].title == "first"


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("plain ascii", "plain ascii"),
        (
            "caf\u00e9 \u2014 \u0928\u092e\u0938\u094d\u0924\u0947",
            "caf\u00e9 \u2014 \u0928\u092e\u0938\u094d\u0924\u0947",
        ),
        ("don\x92t \x93quote\x94", "don\u2019t \u201cquote\u201d"),
        ("\u00a0\u00bf\x85end", "\u00a0\u00bf\u2026end"),
        ("lone \ud800 surrogate \x96 dash", "lone \ud800 surrogate \u2013 dash"),
    ],
)
def test_c1_controls_read_as_windows_1252(raw: str, fixed: str) -> None:
    """C1 controls (windows-1252 bytes decoded as Latin-1) are found in any text, next to
    other non-ASCII characters and lone surrogates, and only they are changed."""
    from adapters.feednorm import _demoronize

    assert _demoronize(raw) == fixed
