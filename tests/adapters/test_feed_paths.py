"""Which parser reads which document, and proof that the choice is right.

Every XML fixture is parsed twice: the normal way, and with the fast path switched off
(``force_feedparser=True``). The path taken must match the decision table in
``adapters/feedreader.py``, and where the fast path is taken its items must equal
feedparser's, field by field, except for the differences listed in ``KNOWN`` (each says
which parser is right there).
"""

from __future__ import annotations

import pytest

from adapters.feed import FeedError
from tests.adapters.feedfiles import FEED_URL, fixture_names, parse

SUITE = "feedparser-suite/"
_NO_CHANNEL = "fallback: fastfeedparser failed: ValueError: Invalid RSS feed: missing channel"

# Documents that do not take the plain fast path: name -> (path, start of the deciding note).
EXPECTED_PATH: dict[str, tuple[str, str]] = {
    # Not well-formed: feedparser's loose parser, which never invents text.
    SUITE + "illformed/rss_incomplete_cdata.xml": ("feedparser", "fallback: not well-formed XML"),
    SUITE + "illformed/rss_item_link_corrupted_ampersands.xml": (
        "feedparser",
        "fallback: not well-formed",
    ),
    # Entries with their own xml:base.
    SUITE + "wellformed/base/relative_xml_base.xml": (
        "feedparser",
        "fallback: entries carry their own",
    ),
    SUITE + "wellformed/base/unsafe_base.xml": ("feedparser", "fallback: entries carry their own"),
    # Ill-formed only by HTML entities: repaired, then the fast path.
    SUITE + "encoding/bozo_double-encoded-html.xml": ("fastfeedparser", "repaired HTML entities"),
    # <rss> without <channel> (empty feeds): fastfeedparser raises, feedparser says "empty".
    **{
        SUITE + f"encoding/{n}.xml": ("feedparser", _NO_CHANNEL)
        for n in (
            "big5",
            "bozo_bogus_encoding",
            "bozo_http_text_plain",
            "bozo_http_text_plain_charset",
            "http_text_xml_charset_overrides_encoding",
            "utf-16be-autodetect",
            "utf-16le-bom",
            "utf-32le-bom",
            "utf-8-bom",
        )
    },
    SUITE + "wellformed/rss/rss_version_092.xml": ("feedparser", _NO_CHANNEL),
}
NOT_FEEDS = {
    "quirks/marketwatch_html-instead-of-feed.xml": "not a feed: an HTML page",
    SUITE + "illformed/rss_empty_document.xml": "empty document",
    # Ill-formed, and not one entry readable: an error, not an empty feed.
    SUITE + "illformed/aaa_illformed.xml": "ill-formed XML without a readable entry",
    SUITE + "encoding/bozo_invalid-bytes-with-bom.xml": "ill-formed XML without a readable entry",
}
# (document, item field) -> which reading is right, where the two paths disagree.
KNOWN: dict[tuple[str, str], str] = {
    # feedparser lets <media:description> (a photo caption) replace <description>.
    ("news/skynews_home_2022.rss.xml", "text"): "fastfeedparser",
    # Two items without <description>: feedparser offers the photo caption; neither is the
    # article, the fast path leaves the text empty.
    ("news/nyt_homepage_2022.rss.xml", "text"): "either",
    # A non-permalink guid "http://guid.example.com/" without <link>: fastfeedparser copies it
    # into the link, feedparser (rightly) does not.
    (SUITE + "wellformed/rss/item_guid_not_permalink.xml", "url"): "feedparser",
    # "&#226;&#128;&#166;": feedparser guesses this is double-encoded UTF-8 and shows "…";
    # the fast path shows what the document says. Synthetic; the id follows the text.
    (SUITE + "encoding/double-encoded-html.xml", "text"): "feedparser",
    (SUITE + "encoding/double-encoded-html.xml", "id"): "feedparser",
    (SUITE + "encoding/bozo_double-encoded-html.xml", "text"): "feedparser",
    (SUITE + "encoding/bozo_double-encoded-html.xml", "id"): "feedparser",
}
FIELDS = ("id", "url", "title", "text", "published_at", "author", "lang")
XML_FIXTURES = [
    *fixture_names(
        "news", "gov", "encoding", "quirks", "large", "feedparser-suite", suffixes=(".xml",)
    ),
    "seed_hindi.rss.xml",
]


@pytest.mark.parametrize("name", XML_FIXTURES)
def test_path_and_parity(name: str) -> None:
    """The parser path follows the decision table, and a fast-path reading equals the
    feedparser reading of the same document except where KNOWN says why not."""
    if name in NOT_FEEDS:
        with pytest.raises(FeedError, match=NOT_FEEDS[name]):
            parse(name)
        with pytest.raises(FeedError):
            parse(name, force_feedparser=True)
        return
    fast = parse(name)
    path, note = EXPECTED_PATH.get(name, ("fastfeedparser", ""))
    assert fast.parser == path
    deciding = [n for n in fast.notes if n.startswith(("fallback:", "repaired", "ignored"))]
    assert deciding[0].startswith(note) if note else deciding == [], deciding
    if path != "fastfeedparser":
        return
    slow = parse(name, force_feedparser=True)
    assert slow.parser == "feedparser"
    assert len(fast.items) == len(slow.items) and fast.entries == slow.entries
    assert (fast.title, fast.lang, fast.ttl_s) == (slow.title, slow.lang, slow.ttl_s)
    differing = {
        field
        for a, b in zip(fast.items, slow.items, strict=True)
        for field in FIELDS
        if getattr(a, field) != getattr(b, field)
    }
    expected = {field for (doc, field) in KNOWN if doc == name}
    assert differing == expected


def test_known_differences_still_differ() -> None:
    """Each KNOWN entry names a real difference (so the list cannot go stale silently)."""
    for (name, field), winner in KNOWN.items():
        fast = parse(name)
        slow = parse(name, force_feedparser=True)
        assert winner in ("fastfeedparser", "feedparser", "either")
        assert [getattr(i, field) for i in fast.items] != [getattr(i, field) for i in slow.items]


def test_fast_path_rate_on_real_feeds() -> None:
    """On the real-world feeds (news, gov, encoding, quirks, large) every readable document
    takes the fast path, RSS 0.90 included (its namespace is swapped for RSS 1.0's)."""
    names = fixture_names("news", "gov", "encoding", "quirks", "large", suffixes=(".xml",))
    paths = {}
    for name in names:
        if name not in NOT_FEEDS:
            paths[name] = parse(name).parser
    slow = sorted(n for n, p in paths.items() if p != "fastfeedparser")
    assert slow == []
    assert len(paths) == 32


def test_junk_after_the_root_stays_on_the_fast_path() -> None:
    """A PHP warning after </rss> is cut off; the items before it are read quickly."""
    from adapters.feed import parse_feed

    body = (
        b'<rss version="2.0"><channel><title>T</title><item><guid>1</guid><title>A</title>'
        b"</item></channel></rss>\n<b>Warning</b>: mysql_close() expects parameter 1"
    )
    feed = parse_feed(body, url=FEED_URL, source_id="s")
    assert feed.parser == "fastfeedparser" and [i.title for i in feed.items] == ["A"]
    assert any(n.startswith("ignored") and "after the root element" in n for n in feed.notes)


@pytest.mark.parametrize(
    "tail",
    [b"", b"\n", b"\n<!-- Served from cache in 0.012 s -->\n", b"<!-- a - b --><!---->  \r\n"],
)
def test_comments_after_the_root_keep_the_single_parse(
    tail: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whitespace and comments after </rss> are well-formed: the native reading is the
    verdict, and expat's second pass does not run."""
    from adapters import feedreader
    from adapters.feed import parse_feed

    def second_pass(doc: bytes) -> None:
        raise AssertionError("expat ran on a document the native reader accepted")

    monkeypatch.setattr(feedreader, "_xml_error", second_pass)
    body = (
        b'<rss version="2.0"><channel><title>T</title><item><guid>1</guid><title>A</title>'
        b"</item></channel></rss>" + tail
    )
    feed = parse_feed(body, url=FEED_URL, source_id="s")
    assert (feed.parser, [i.title for i in feed.items], feed.notes) == ("fastfeedparser", ["A"], ())


@pytest.mark.parametrize(
    "tail",
    [b"<!-- a -- b -->", b"<!-- a --->", b"<!-- open", b"<!-- c --><p>x</p>", b"</rss>"],
)
def test_other_content_after_the_root_is_checked(
    tail: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What is not whitespace or a well-formed comment after the root goes to expat's check
    (which cuts junk off, or sends an ill-formed comment to feedparser); the item is read."""
    from adapters import feedreader
    from adapters.feed import parse_feed

    checked: list[bytes] = []
    real = feedreader._xml_error
    monkeypatch.setattr(feedreader, "_xml_error", lambda doc: checked.append(doc) or real(doc))
    body = (
        b'<rss version="2.0"><channel><title>T</title><item><guid>1</guid><title>A</title>'
        b"</item></channel></rss>" + tail
    )
    feed = parse_feed(body, url=FEED_URL, source_id="s")
    assert checked and [i.title for i in feed.items] == ["A"]
    assert feed.notes, "expat's verdict is recorded"


def test_relative_link_that_is_also_the_id_goes_to_feedparser() -> None:
    """An item whose only identifier is a relative link, in a feed with guids elsewhere, is
    ambiguous for fastfeedparser (a copied link or a guid?) and is read by feedparser."""
    from adapters.feed import parse_feed

    body = (
        b'<rss version="2.0"><channel><title>T</title>'
        b'<item><guid isPermaLink="false">abc</guid><title>A</title></item>'
        b"<item><link>/news/2</link><title>B</title></item></channel></rss>"
    )
    feed = parse_feed(body, url=FEED_URL, source_id="s")
    assert feed.parser == "feedparser"
    assert [(i.id, i.url) for i in feed.items] == [
        ("abc", None),
        ("https://feeds.example.org/news/2", "https://feeds.example.org/news/2"),
    ]


def test_rss090_namespace_is_renamed_in_the_root_tag_only() -> None:
    """RSS 0.90 takes the fast path with the namespace renamed where it is declared; the same
    name quoted in an item's text stays as written, and the items equal feedparser's."""
    from adapters.feed import parse_feed

    ns = "http://my.netscape.com/rdf/simple/0.9/"
    doc = (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        f' xmlns="{ns}"><channel><title>Old</title><link>https://old.example/</link></channel>'
        "<item><title>First</title><link>https://old.example/1</link>"
        f"<description>The namespace is {ns} here.</description></item>"
        "<item><title>Second</title><link>https://old.example/2</link></item></rdf:RDF>"
    ).encode()
    fast = parse_feed(doc, url=FEED_URL, source_id="s")
    slow = parse_feed(doc, url=FEED_URL, source_id="s", force_feedparser=True)
    assert fast.parser == "fastfeedparser" and slow.parser == "feedparser"
    assert fast.items[0].text == f"The namespace is {ns} here."
    assert [(i.id, i.url, i.title, i.text) for i in fast.items] == [
        (i.id, i.url, i.title, i.text) for i in slow.items
    ]
    assert (fast.title, fast.link) == (slow.title, slow.link) == ("Old", "https://old.example/")
