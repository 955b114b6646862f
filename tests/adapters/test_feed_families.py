"""parse_feed on real feeds of every family: RSS 2.0 news, Atom, RSS 1.0 / 0.90 / 0.92, JSON
Feed, government feeds, quirks, and the Hindi seed feed. Expected values were read off the
fixture files by hand."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from adapters.feed import FeedError
from tests.adapters.feedfiles import FEED_URL, fixture_names, parse

MARKUP = re.compile(r"<(?:p|br|div|span|img|a|strong|em|ul|li|script)[\s>/]", re.I)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    "name",
    [
        *(n for n in fixture_names("news", "gov", "encoding", "quirks") if "marketwatch" not in n),
        "seed_hindi.rss.xml",
    ],
)
def test_every_item_is_normalised(name: str) -> None:
    """Every item of a real feed has a unique id, an absolute http(s) link or none, a UTC
    date or none, a lower-case language, and title/text without HTML markup."""
    feed = parse(name)
    assert feed.items, "every real feed fixture has items"
    ids = [i.id for i in feed.items]
    assert all(ids) and len(set(ids)) == len(ids)
    for item in feed.items:
        assert item.source_id == "src"
        assert item.url is None or re.match(r"https?://[^/\s]+", item.url), item.url
        assert item.url is None or not re.search(r"\s", item.url)
        assert item.published_at is None or item.published_at.utcoffset() == UTC.utcoffset(None)
        assert item.lang is None or item.lang == item.lang.lower()
        assert not MARKUP.search(item.title), item.title
        assert not MARKUP.search(item.text), item.text[:200]
        assert item.title == item.title.strip() and "\n" not in item.title


def test_bbc_world_rss20() -> None:
    """BBC World: 67 items, CDATA <language> read, <ttl> 15 min, RFC 822 dates in UTC."""
    feed = parse("news/bbc_news_world_2022.rss.xml")
    assert (feed.parser, len(feed.items), feed.entries) == ("fastfeedparser", 67, 67)
    assert (feed.title, feed.lang, feed.ttl_s) == ("BBC News - World", "en-gb", 900.0)
    first = feed.items[0]
    assert first.id == "https://www.bbc.co.uk/news/world-60993659"
    assert first.url == (
        "https://www.bbc.co.uk/news/world-60993659?at_medium=RSS&at_campaign=KARANGA"
    )
    assert first.title == "Rare Sumatran rhino gives birth after eight miscarriages"
    assert first.published_at == utc(2022, 4, 5, 10, 4, 42)
    assert first.text.startswith("The critically endangered Sumatran rhino gave birth")
    assert first.lang == "en-gb"


def test_bbc_urdu_rss20() -> None:
    """BBC Urdu: Urdu script decoded intact, language 'ur' from the feed."""
    feed = parse("news/bbc_urdu_2018.rss.xml")
    assert len(feed.items) == 26 and feed.lang == "ur"
    first = feed.items[0]
    assert first.title.startswith("امریکی عسکری امداد کی بندش کی وجوہات")
    assert first.url == "http://www.bbc.com/urdu/pakistan-42575603"
    assert first.published_at == utc(2018, 1, 5, 16, 51)
    assert all(i.lang == "ur" for i in feed.items)


def test_the_hindu_rss20() -> None:
    """The Hindu: non-URL guids kept as ids (not resolved into URLs), IST dates in UTC."""
    feed = parse("news/thehindu_states_2024.rss.xml")
    assert len(feed.items) == 100 and feed.ttl_s == 3600.0
    first = feed.items[0]
    assert first.id == "article-68888818"
    assert first.url == (
        "https://www.thehindu.com/news/national/karnataka/"
        "vikram-gowda-encounter-death-in-karnataka/article68888818.ece"
    )
    assert first.title == "Maoist leader Vikram Gowda’s encounter death in Karnataka: A case file"
    assert first.published_at == utc(2024, 11, 20, 6, 49, 41)  # 12:19:41 +0530


def test_times_of_india_rss20() -> None:
    """Times of India: links and guids wrapped in newlines are trimmed; hand-typed dates
    feedparser cannot read ("Sun, 30Mar 2025", "31 Mar 202510:50:41") are read; dc:creator
    is the author."""
    feed = parse("news/timesofindia_topstories_2025.rss.xml")
    assert len(feed.items) == 48
    second = feed.items[1]
    assert (
        second.url
        == second.id
        == (
            "https://timesofindia.indiatimes.com/world/south-asia/7-states-of-india-are-landlocked-"
            "yunus-says-bangladesh-only-guardian-of-ocean-invites-china-to-make-extension/"
            "articleshow/119801894.cms"
        )
    )
    assert second.published_at == utc(2025, 3, 31, 10, 21, 17)
    assert second.author == "TOI NEWS DESK"
    by_title = {i.title[:20]: i.published_at for i in feed.items}
    assert by_title["Let my team sleep: O"] == utc(2025, 3, 30, 7, 11, 13)
    assert by_title["Angered by honking, "] == utc(2025, 3, 31, 5, 20, 41)  # "202510:50:41"
    assert all(i.published_at is not None for i in feed.items)


def test_atom_heise() -> None:
    """Atom 1.0: atom:id is the id, the alternate link the URL, +01:00 converted to UTC."""
    feed = parse("news/heise_developer_2016.atom.xml")
    assert (feed.parser, len(feed.items)) == ("fastfeedparser", 15)
    first = feed.items[0]
    assert first.id == "http://heise.de/-3088438"
    assert first.url is not None and first.url.startswith(
        "http://www.heise.de/developer/meldung/Java-Anwendungsserver-Red-Hat-gibt-WildFly-10-frei"
    )
    assert first.title == "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei"
    assert first.published_at == utc(2016, 2, 1, 16, 22)
    assert "Version 10 des Enterprise-Java-Servers" in first.text


def test_rss10_rdf_science() -> None:
    """RSS 1.0 (RDF): 69 items, dc:date with -07:00 in UTC, dc:creator as author."""
    feed = parse("news/science_twis_2017.rss10.rdf.xml")
    assert len(feed.items) == 69
    first = feed.items[0]
    assert first.title == "Food for fungi"
    assert first.published_at == utc(2017, 6, 15, 17, 29, 47)
    assert first.author == "Hines, P. J."
    assert first.id == "http://science.sciencemag.org/cgi/content/short/356/6343/1134-a?rss=1"


def test_rss090_heise_on_the_fast_path() -> None:
    """RSS 0.90 (RDF, Netscape namespace): fastfeedparser alone finds none of its items; with
    the namespace swapped for RSS 1.0's it reads all 60, as feedparser does."""
    feed = parse("news/heise_newsticker_2018.rss090.rdf.xml")
    assert feed.parser == "fastfeedparser"
    assert not [n for n in feed.notes if n.startswith("fallback:")]
    assert len(feed.items) == 60
    assert feed.items[1].title == "Mega-Deal: IBM übernimmt Red Hat"
    assert all(i.published_at is None for i in feed.items)  # the feed has no dates


def test_rss092_culberson_without_dates_or_guids() -> None:
    """RSS 0.92 without guids or dates: the link is the id, dates are None, entities decoded."""
    feed = parse("gov/us_house_culberson_2013.rss092.xml")
    assert len(feed.items) == 10
    first = feed.items[0]
    assert (
        first.id
        == first.url
        == ("http://culberson.house.gov/culberson-statement-on-the-real-space-act/")
    )
    assert first.published_at is None
    assert feed.items[1].title == "President Obama’s Budget: More of the Same Failed Policies"


def test_relative_links_resolve_against_the_feed_url() -> None:
    """US Senate (Burr): relative links become absolute against the feed URL, their spaces
    %20; the lower-case <pubdate> with 'EST' is read."""
    feed = parse("gov/us_senate_burr_2013.rss.xml")
    assert len(feed.items) == 25
    first = feed.items[0]
    assert first.url == (
        "https://feeds.example.org/section/index.cfm?FuseAction=PressOffice.PressReleases"
        "&Type=Press%20Release&ContentRecord_id=65dbea38-d64c-6208-ef8f-2b000e899b3a"
    )
    assert first.id == first.url
    assert first.published_at == utc(2013, 5, 2, 16, 27)


def test_odd_dates_and_escaped_entities_ruiz() -> None:
    """US House (Ruiz): 'Monday, April 15, 2013 - 2:23pm' is read (as UTC), and the
    double-escaped '&amp;nbsp;' in descriptions does not reach the text."""
    feed = parse("gov/us_house_ruiz_2013.rss.xml")
    first = feed.items[0]
    assert first.published_at == utc(2013, 4, 15, 14, 23)
    assert first.url == (
        "http://ruiz.house.gov/media-center/press-releases/"
        "dr-ruiz-highlights-first-100-days-in-congress"
    )
    assert first.text.startswith("Washington, DC – Last Friday marked the first 100 days")
    assert all("nbsp" not in i.text for i in feed.items)


def test_seed_hindi_feed() -> None:
    """The Hindi seed feed: one item with the seed headline, Devanagari text without tags,
    language 'hi', IST date in UTC, ttl 15 minutes."""
    feed = parse("seed_hindi.rss.xml")
    assert (len(feed.items), feed.lang, feed.ttl_s) == (1, "hi", 900.0)
    item = feed.items[0]
    assert item.id == "bilat-seed-hi-2025-04-02"
    assert item.title == ("कजाकिस्तान में चीन के विदेश मंत्री से मिले जयशंकर, X पर शेयर कीं मुलाकात की तस्वीरें")
    assert item.published_at == utc(2025, 4, 2, 3, 30)
    assert item.lang == "hi"
    assert "चीन के विदेश मंत्री वांग यी से मुलाकात की है" in item.text
    assert "<p>" not in item.text and "Related Articles" not in item.text


def test_jsonfeed_v1_example() -> None:
    """JSON Feed 1.0: ids, urls, content_html to text with the script dropped."""
    feed = parse("jsonfeed/feedparser_example_v1.json")
    assert feed.parser == "jsonfeed"
    assert feed.title == "My Example Feed"
    assert [i.id for i in feed.items] == ["2", "1"]
    assert feed.items[0].url == "https://example.org/second-item"
    assert feed.items[0].text == "This is a second item."
    assert feed.items[1].text == "Hello, world!"  # <script>alert();</script> dropped


def test_jsonfeed_v11_fields() -> None:
    """JSON Feed 1.1: date with fractional seconds, authors[] (1.1) before author (1.0)."""
    feed = parse("jsonfeed/gofeed_all_fields_v1.1.json")
    item = feed.items[0]
    assert (item.id, item.url, item.title) == ("id", "https://sample-json-feed.com/id", "title")
    assert item.published_at == datetime(2019, 10, 12, 7, 20, 50, 520000, tzinfo=UTC)
    assert item.author == "author_name"
    authors = parse("jsonfeed/rsparser_authors_v1.1.json").items
    assert [i.author for i in authors] == [
        None,
        "Legacy Item Author",
        "Item Author 1",
        *[a.author for a in authors[3:]],
    ]


def test_jsonfeed_real_language() -> None:
    """A real JSON Feed 1.1 (German blog) gives its items the feed's language."""
    feed = parse("jsonfeed/fboes_blog_real_v1.1.json")
    assert len(feed.items) == 20 and feed.lang == "de-de"
    assert feed.items[0].title == "Lecker, lecker"
    assert feed.items[0].published_at == utc(2020, 2, 21, 17, 8, 6)


def test_duplicate_guids_collapse() -> None:
    """Scripting News repeats two guids: 50 entries, 48 items, the first occurrence kept."""
    feed = parse("quirks/scriptingnews_duplicate-guids_no-titles.rss.xml")
    assert feed.entries == 50 and len(feed.items) == 48
    assert "2 entries repeated an id already seen and were dropped" in feed.notes
    assert sum(1 for i in feed.items if i.title == "") >= 37  # items without <title> survive


def test_same_link_different_guid_are_two_items() -> None:
    """Two items sharing a link but not a guid stay two items (the guid is the id)."""
    feed = parse("quirks/mozilla_same-link-different-guid.rss.xml")
    assert len(feed.items) == 4
    urls = [i.url for i in feed.items]
    assert len(set(urls)) < len(urls)


def test_ids_are_stable_across_polls() -> None:
    """Parsing the same bytes twice (another poll) gives the same ids, hashed ones included."""
    for name in (
        "news/bbc_news_world_2022.rss.xml",
        "feedparser-suite/wellformed/rss/item_description_escaped_markup.xml",
        "news/heise_newsticker_2018.rss090.rdf.xml",
    ):
        first = [i.id for i in parse(name).items]
        again = [i.id for i in parse(name, fetched_at=utc(2030, 1, 1)).items]
        assert first == again
    hashed = parse("feedparser-suite/wellformed/rss/item_description_escaped_markup.xml")
    assert hashed.items[0].id.startswith("h:")  # no guid, no link: a content hash


def test_source_fields_are_carried() -> None:
    """source_id, official and fetched_at from the caller land on every item."""
    when = utc(2025, 1, 2, 3, 4, 5)
    feed = parse("gov/nasa_breaking_news_2022.rss.xml", source_id="nasa", official=True,
                 fetched_at=when)  # fmt: skip
    assert {(i.source_id, i.official, i.fetched_at) for i in feed.items} == {("nasa", True, when)}
    assert feed.items[0].key == f"nasa:{feed.items[0].id}"


def test_json_documents_that_are_not_feeds() -> None:
    """Truncated JSON and BBC's non-JSON-Feed JSON are refused with a clear FeedError."""
    with pytest.raises(FeedError, match="invalid JSON"):
        parse("jsonfeed/allthis_truncated_MALFORMED.json")
    with pytest.raises(FeedError, match="not a JSON Feed"):
        parse("hindi/bbc_hindi_most_read_2023.json")


def test_feed_link_is_absolute() -> None:
    """The feed's own link is absolute (resolved against the document URL)."""
    assert parse("news/bbc_news_world_2022.rss.xml").link == "https://www.bbc.co.uk/news/"
    assert FEED_URL.startswith("https://")
