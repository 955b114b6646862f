"""html_list parsing with CSS selectors, dates and encodings (pure; real press-release pages
from Congress and the European Parliament, plus one hand-built windows-1252 page)."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from adapters.html_list import HtmlListOptions, ListingSelectors, parse_detail, parse_listing
from adapters.htmldecode import decode_html, sniff_encoding
from adapters.pagedates import parse_listing_date
from tests.adapters.socialkit import fixture

WALZ = ListingSelectors(
    item=".view-congress-press-releases .views-row",
    link=".views-field-title a",
    date=".views-field-created",
    summary=".views-field-body",
)
FR = ListingSelectors(
    item="li.communique", link="h3 a", date="span.date", summary="p.chapo", date_format="%d/%m/%Y"
)


def test_drupal_listing_gives_absolute_links_titles_dates_and_summaries() -> None:
    """The Walz page: 10 releases, first as upstream expects, relative hrefs made absolute."""
    items, notes = parse_listing(
        fixture("pages/us_house_walz_press_list_drupal_2015.html"),
        url="http://walz.house.gov/media-center/press-releases?page=0",
        source_id="walz",
        selectors=WALZ,
        official=True,
    )
    assert len(items) == 10 and notes == []
    first = items[0]
    assert first.title == "Walz Calls for Passage of the Paycheck Fairness Act on Equal Pay Day"
    assert first.published_at == datetime(2015, 4, 14, tzinfo=UTC)
    assert (
        first.id
        == first.url
        == (
            "http://walz.house.gov/media-center/press-releases/"
            "walz-calls-for-passage-of-the-paycheck-fairness-act-on-equal-pay-day-0"
        )
    )
    assert first.text == "Women in Minnesota Earn Only 80 Cents for Every Dollar Earned by Men"
    assert first.lang == "en" and first.official
    assert all(i.published_at is not None for i in items)


def test_flat_listing_without_wrappers_is_split_at_each_item_match() -> None:
    """Rand Paul's page has no per-release element: with flat = true each date starts an
    entry; 20 releases, the first as upstream expects, dates read with date_format."""
    items, notes = parse_listing(
        fixture("pages/us_senate_rand_paul_press_list_2015.html"),
        url="http://www.paul.senate.gov/news/press?PageNum_rs=1",
        source_id="paul",
        selectors=ListingSelectors(
            item="#press span.date",
            link="h2.title a",
            date="span.date",
            summary="p.summary",
            date_format="%m.%d.%y",
            flat=True,
        ),
    )
    assert len(items) == 20 and notes == []
    assert items[0].title == (
        "Sens. Rand Paul & Mark Warner Introduce the Bonuses for Cost-Cutters Act of 2015"
    )
    assert items[0].published_at == datetime(2015, 5, 19, tzinfo=UTC)
    assert items[0].text.startswith("U.S. Senators Rand Paul (R-KY) and Mark Warner (D-VA)")
    assert len({i.id for i in items}) == 20


def test_declared_latin1_page_with_windows_1252_bytes_decodes_right() -> None:
    """A page that says iso-8859-1 but holds an en dash (0x96): read as windows-1252;
    dd/mm/yyyy dates in the configured zone become UTC."""
    items, _ = parse_listing(
        fixture("pages/handmade_fr_press_list_cp1252.html"),
        url="https://www.example.invalid/fr/communiques",
        source_id="fr",
        selectors=FR,
        tz=ZoneInfo("Europe/Paris"),
    )
    assert [i.title for i in items][:2] == [
        "Entretien du ministre des Affaires étrangères avec son homologue japonais",
        "Déclaration de la porte-parole – situation au Sahel",
    ]
    assert items[0].published_at == datetime(2024, 3, 11, 23, 0, tzinfo=UTC)
    assert items[0].url == "https://www.example.invalid/fr/communiques/entretien-homologue-japonais"
    assert items[0].lang == "fr" and "coopération économique" in items[0].text


def test_gop_digest_declared_latin1_lists_member_releases() -> None:
    """gop.gov's digest: title defaults to the link's text, external links kept."""
    items, notes = parse_listing(
        fixture("pages/us_house_gop_daily_digest_2013-03-29_latin1.html"),
        url="http://www.gop.gov/republicans/news?offset=03/29/13",
        source_id="gop",
        selectors=ListingSelectors(item="ul#membernews li", link="a"),
    )
    assert len(items) == 8 and notes == []
    assert items[0].title == (
        "Posey: Cocoa Post Office to be Named in Honor of Local Civil Rights Leaders"
    )
    assert items[0].url == "http://posey.house.gov/News/DocumentSingle.aspx?DocumentID=325834"


def test_a_selector_that_matches_nothing_is_reported() -> None:
    """A page redesign (no entries) is a note, not silence."""
    items, notes = parse_listing(
        fixture("pages/us_house_walz_press_list_drupal_2015.html"),
        url="http://walz.house.gov/",
        source_id="walz",
        selectors=ListingSelectors(item=".no-such-class", link="a"),
    )
    assert items == [] and notes == ["no entries matched item = '.no-such-class'"]


def test_detail_page_body_and_date() -> None:
    """The Europarl release: every body block joined, the <time datetime> date."""
    text, when = parse_detail(
        fixture("pages/europarl_press_release_detail_20190712IPR56948.html"),
        body_selector="div.ep-a_text",
        date_selector="time[datetime]",
        tz=ZoneInfo("Europe/Brussels"),
    )
    assert text.startswith("For the third time this year, the European Parliament adopted")
    assert "MEPs hold Nicolás Maduro directly responsible" in text
    assert "<" not in text and len(text) > 2000
    assert when == datetime(2019, 7, 18, 9, 37, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "date_format", "expected"),
    [
        ("Apr 14, 2015", None, datetime(2015, 4, 14, tzinfo=UTC)),
        ("March 5, 2024", None, datetime(2024, 3, 5, tzinfo=UTC)),
        ("05 Mar 2024 5:22PM", None, datetime(2024, 3, 5, 17, 22, tzinfo=UTC)),
        ("2024-03-05T10:00:00+05:30", None, datetime(2024, 3, 5, 4, 30, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 10:00:00 GMT", None, datetime(2024, 3, 5, 10, tzinfo=UTC)),
        ("Sept 9, 2024", None, datetime(2024, 9, 9, tzinfo=UTC)),
        ("05.19.15", "%m.%d.%y", datetime(2015, 5, 19, tzinfo=UTC)),
        ("05.19.15", None, None),  # ambiguous without a format
        ("yesterday", None, None),
        ("", None, None),
    ],
)
def test_listing_dates(text: str, date_format: str | None, expected: datetime | None) -> None:
    """Unambiguous layouts are read; ambiguous or unknown ones give None."""
    assert parse_listing_date(text, date_format=date_format) == expected


def test_encoding_evidence_order() -> None:
    """BOM, then valid UTF-8, then a header/meta label that decodes, then a detector's
    reading where windows-1252 makes no sense of the bytes, then windows-1252."""
    utf8 = "<p>Ministère</p>".encode()
    assert sniff_encoding(codecs.BOM_UTF8 + utf8) == "utf-8"
    assert sniff_encoding(utf8, "text/html; charset=iso-8859-1") == "utf-8"
    latin = "<p>Ministère – 5</p>".encode("cp1252")
    assert sniff_encoding(latin, "text/html; charset=utf-8") == "cp1252"  # label lies
    koi8 = '<meta charset="koi8-r"><p>Москва</p>'.encode("koi8-r")
    assert decode_html(koi8).endswith("Москва</p>")
    assert sniff_encoding(b'<meta charset="gb2312">' + "中国".encode("gb18030")) == "gb18030"
    assert sniff_encoding(b"plain ascii") == "utf-8"
    # No label fits: windows-1252 where it reads plausibly, the detector's reading where not.
    assert sniff_encoding(latin) == "cp1252"
    unlabelled = "<p>Министр иностранных дел встретился с коллегой в Москве</p>"
    assert sniff_encoding(unlabelled.encode("cp1251"), "text/html; charset=utf-8") == "cp1251"


@pytest.mark.parametrize(
    "bad",
    [
        {"item": "li[[["},
        {"detail": True},
        {"timezone": "Mars/Olympus"},
        {"url": "ftp://example.org/list"},
    ],
)
def test_options_that_cannot_work_are_rejected(bad: dict[str, object]) -> None:
    """Bad selectors, detail without body, unknown zones, non-http URLs fail at startup."""
    with pytest.raises(ValidationError):
        HtmlListOptions.model_validate(
            {"id": "h", "type": "html_list", "url": "https://e.org/", "item": "li", **bad}
        )
