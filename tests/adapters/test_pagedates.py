"""Press-page dates in many languages and scripts: CLDR month names (through Babel), the
page's language first, ``date_format`` with non-English names, nothing guessed."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from adapters.html_list import HtmlListOptions, HtmlListSource, ListingSelectors, parse_listing
from adapters.pagedates import parse_listing_date
from monitor.contracts import SourceCursor
from tests.adapters.page_dates import CASES
from tests.adapters.socialkit import http_client, serve


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def _cases(*scripts: str) -> list[tuple[str, str | None, datetime | None]]:
    return [(text, lang, want) for text, lang, script, want in CASES if script in scripts]


def _ids(cases: list[tuple[str, str | None, datetime | None]]) -> list[str]:
    return [f"{lang}:{text}" for text, lang, _ in cases]


LATIN = _cases("Latin")
DEVANAGARI = _cases("Devanagari")
CYRILLIC = _cases("Cyrillic")
CJK = _cases("CJK")
ARABIC = _cases("Arabic")
OTHER = _cases("Greek", "Hebrew", "Thai", "Bengali", "Tamil")
NON_LATIN = DEVANAGARI + CYRILLIC + CJK + ARABIC + OTHER


@pytest.mark.parametrize(("text", "lang", "want"), LATIN, ids=_ids(LATIN))
def test_latin_script_dates(text: str, lang: str | None, want: datetime | None) -> None:
    """French, Spanish, Portuguese, German, Italian, Dutch, Polish, Turkish, Indonesian,
    Romanian, Hungarian, Vietnamese and English layouts; numeric, year-less, relative and
    double dates give None."""
    assert parse_listing_date(text, lang=lang) == _utc(want)


@pytest.mark.parametrize(("text", "lang", "want"), DEVANAGARI, ids=_ids(DEVANAGARI))
def test_devanagari_dates(text: str, lang: str | None, want: datetime | None) -> None:
    """Hindi and Marathi month names, Devanagari digits, a weekday, an English time."""
    assert parse_listing_date(text, lang=lang) == _utc(want)


@pytest.mark.parametrize(("text", "lang", "want"), CYRILLIC, ids=_ids(CYRILLIC))
def test_cyrillic_dates(text: str, lang: str | None, want: datetime | None) -> None:
    """Russian and Ukrainian genitive months ("марта", "березня"), "г."/"года", a time."""
    assert parse_listing_date(text, lang=lang) == _utc(want)


@pytest.mark.parametrize(("text", "lang", "want"), CJK, ids=_ids(CJK))
def test_cjk_dates(text: str, lang: str | None, want: datetime | None) -> None:
    """年月日 and 년월일 forms, a 下午 (PM) time, the Reiwa era, year-first dotted dates."""
    assert parse_listing_date(text, lang=lang) == _utc(want)


@pytest.mark.parametrize(("text", "lang", "want"), ARABIC, ids=_ids(ARABIC))
def test_arabic_script_dates(text: str, lang: str | None, want: datetime | None) -> None:
    """Egyptian and Levantine Arabic month names, Arabic-Indic and Persian digits, "م" as
    PM after a time, Urdu and Persian; Hijri and Solar Hijri dates are not misread."""
    assert parse_listing_date(text, lang=lang) == _utc(want)


@pytest.mark.parametrize(("text", "lang", "want"), OTHER, ids=_ids(OTHER))
def test_greek_hebrew_thai_bengali_tamil_dates(
    text: str, lang: str | None, want: datetime | None
) -> None:
    """Greek genitive months, Hebrew "במרץ", Thai Buddhist-era years, Bengali digits, Tamil."""
    assert parse_listing_date(text, lang=lang) == _utc(want)


@pytest.mark.parametrize(("text", "lang", "want"), NON_LATIN, ids=_ids(NON_LATIN))
def test_undeclared_non_latin_dates_are_read_from_their_script(
    text: str, lang: str | None, want: datetime | None
) -> None:
    """Without the page's language, the script says which month names to try."""
    assert parse_listing_date(text) == _utc(want)


def test_undeclared_latin_dates_are_read_only_when_the_languages_agree() -> None:
    """ "listopada" is November in Polish and Czech, October in Croatian: undeclared it
    gives None; the page's language decides; "14 mars 2024" needs no declaration."""
    assert parse_listing_date("15. listopada 2024.") is None
    assert parse_listing_date("15. listopada 2024.", lang="pl") == datetime(
        2024, 11, 15, tzinfo=UTC
    )
    assert parse_listing_date("15. listopada 2024.", lang="hr") == datetime(
        2024, 10, 15, tzinfo=UTC
    )
    assert parse_listing_date("14 mars 2024") == datetime(2024, 3, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "date_format", "lang", "want"),
    [
        ("14 mars 2024", "%d %B %Y", "fr", datetime(2024, 3, 14)),
        ("14 févr. 2024", "%d %b. %Y", "fr", datetime(2024, 2, 14)),
        ("jeudi 14/03/2024", "%A %d/%m/%Y", "fr", datetime(2024, 3, 14)),
        ("14 МАРТА 2024 Г.", "%d %B %Y Г.", "ru", datetime(2024, 3, 14)),
        ("14 मार्च 2024, 17:22", "%d %B %Y, %H:%M", "hi", datetime(2024, 3, 14, 17, 22)),
        ("١٤/٠٣/٢٠٢٤", "%d/%m/%Y", "ar", datetime(2024, 3, 14)),
        ("14 آذار 2024", "%d %B %Y", "ar", datetime(2024, 3, 14)),
        ("２０２４年３月１４日", "%Y年%m月%d日", "ja", datetime(2024, 3, 14)),
        ("05.06.2024", "%d.%m.%Y", "de", datetime(2024, 6, 5)),
        ("14 mars 2024", "%d/%m/%Y", "fr", None),  # the layout does not fit: None
    ],
)
def test_date_format_reads_month_and_weekday_names_of_any_language(
    text: str, date_format: str, lang: str, want: datetime | None
) -> None:
    """A strptime layout works on non-English pages: their names are put into English,
    their digits into ASCII, the layout's own literals are matched case-insensitively."""
    assert parse_listing_date(text, date_format=date_format, lang=lang) == _utc(want)


def test_times_are_taken_in_the_sources_timezone() -> None:
    """A naive "5:22PM" on a Hindi page in Asia/Kolkata is 11:52 UTC."""
    kolkata = ZoneInfo("Asia/Kolkata")
    assert parse_listing_date("14 मार्च 2024 5:22PM", tz=kolkata) == datetime(
        2024, 3, 14, 11, 52, tzinfo=UTC
    )


LISTING = """<!DOCTYPE html><html lang="{lang}"><body><ul>
<li class="communique"><h3><a href="/c/1">Entretien avec M. Wang Yi</a></h3>
<span class="date">14 listopada 2024</span></li>
<li class="communique"><h3><a href="/c/2">Visite officielle</a></h3></li>
</ul></body></html>"""
DETAIL = """<!DOCTYPE html><html><body><p class="date">15. listopada 2024.</p>
<div class="text">Le ministre a reçu son homologue.</div></body></html>"""


def test_listing_dates_use_the_source_language_before_the_pages() -> None:
    """The source's ``lang`` wins over the page's declared language; without it the page's
    language decides."""
    selectors = ListingSelectors(item="li.communique", link="h3 a", date="span.date")
    page = LISTING.format(lang="pl")
    polish, _ = parse_listing(page, url="https://e.org/", source_id="s", selectors=selectors)
    croatian, _ = parse_listing(
        page, url="https://e.org/", source_id="s", selectors=selectors, lang_override="hr"
    )
    assert polish[0].published_at == datetime(2024, 11, 14, tzinfo=UTC)
    assert croatian[0].published_at == datetime(2024, 10, 14, tzinfo=UTC)


async def test_detail_page_dates_are_read_in_the_sources_language() -> None:
    """A detail page that declares no language is read in the source's ``lang``: its
    Croatian "15. listopada" becomes 15 October for the entry the listing left undated."""

    async def listing(request: web.Request) -> web.Response:
        return web.Response(text=LISTING.format(lang="fr"), content_type="text/html")

    async def detail(request: web.Request) -> web.Response:
        return web.Response(text=DETAIL, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", listing)
    app.router.add_get("/c/{n}", detail)
    async with serve(app) as base, http_client() as http:
        options = HtmlListOptions(
            id="mvep",
            type="html_list",
            url=f"{base}/",
            item="li.communique",
            link="h3 a",
            date="span.date",
            detail=True,
            body="div.text",
            detail_date="p.date",
            lang="hr",
        )
        result = await HtmlListSource.from_options(options).poll(http, SourceCursor())
    dates = {item.url.rsplit("/", 1)[1]: item.published_at for item in result.items}
    assert dates == {
        "1": datetime(2024, 10, 14, tzinfo=UTC),
        "2": datetime(2024, 10, 15, tzinfo=UTC),
    }
