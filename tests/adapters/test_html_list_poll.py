"""The "html_list" source against a loopback server serving a real Drupal listing and a real
Europarl detail page: new entries only, bounded detail fetches one at a time, failed detail
pages deferred or kept, conditional GET."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web

from adapters.html_list import HtmlListOptions, HtmlListSource
from monitor.contracts import SourceCursor
from tests.adapters.socialkit import fixture, http_client, serve

LISTING = fixture("pages/us_house_walz_press_list_drupal_2015.html")
DETAIL = fixture("pages/europarl_press_release_detail_20190712IPR56948.html")
GONE = "walz-recognized-as-national-leader-in-clean-water-advocacy"  # entry 2 -> 404
FLAKY = "walz-announces-2015-congressional-art-competition"  # entry 3 -> 500 at first


class FakeSite:
    def __init__(self) -> None:
        self.flaky_fails = True
        self.details: list[str] = []
        self.listing_requests: list[str | None] = []
        self.in_flight = 0
        self.max_in_flight = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/media-center/press-releases", self.listing)
        app.router.add_get("/media-center/press-releases/{slug}", self.detail)
        return app

    async def listing(self, request: web.Request) -> web.Response:
        self.listing_requests.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"list-v1"':
            return web.Response(status=304, headers={"ETag": '"list-v1"'})
        return web.Response(
            body=LISTING, content_type="text/html", charset="utf-8", headers={"ETag": '"list-v1"'}
        )

    async def detail(self, request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        self.details.append(slug)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            if slug == GONE:
                return web.Response(status=404, text="Not Found")
            if slug == FLAKY and self.flaky_fails:
                return web.Response(status=500, text="Server Error")
            return web.Response(body=DETAIL, content_type="text/html", charset="utf-8")
        finally:
            self.in_flight -= 1


def _source(base: str) -> HtmlListSource:
    options = HtmlListOptions(
        id="walz",
        type="html_list",
        url=f"{base}/media-center/press-releases",
        item=".view-congress-press-releases .views-row",
        link=".views-field-title a",
        date=".views-field-created",
        summary=".views-field-body",
        detail=True,
        body="div.ep-a_text",
        max_details=4,
        official=True,
        author="Office of Rep. Tim Walz",
    )
    return HtmlListSource.from_options(options)


async def test_detail_pages_are_fetched_for_new_entries_within_the_bound() -> None:
    """Poll 1: 4 detail fetches (one 404 keeps the listing text, one 500 waits), 6 entries
    wait; poll 2 takes the waiting ones; poll 3 the rest; poll 4 is a 304. Every entry is
    emitted exactly once, with the detail page's text where it could be read."""
    site = FakeSite()
    async with serve(site.app()) as base, http_client() as http:
        source = _source(base)
        first = await source.poll(http, SourceCursor())
        site.flaky_fails = False
        second = await source.poll(http, first.cursor)
        third = await source.poll(http, second.cursor)
        fourth = await source.poll(http, third.cursor)
    slugs = [[i.id.rsplit("/", 1)[1] for i in r.items] for r in (first, second, third)]
    assert len(slugs[0]) == 3 and FLAKY not in slugs[0] and GONE in slugs[0]
    assert slugs[1][0] == FLAKY and len(slugs[1]) == 4 and len(slugs[2]) == 3
    everything = [s for poll in slugs for s in poll]
    assert len(everything) == len(set(everything)) == 10
    by_slug = {i.id.rsplit("/", 1)[1]: i for r in (first, second, third) for i in r.items}
    assert by_slug[GONE].text.startswith("Washington, DC [4/14/15]")  # listing text kept
    assert by_slug[FLAKY].text.startswith("For the third time this year")  # detail text
    assert all(i.official and i.published_at is not None for i in by_slug.values())
    assert {i.author for i in by_slug.values()} == {"Office of Rep. Tim Walz"}
    assert any("retried next poll" in n for n in first.notes)
    assert any("listing text kept" in n for n in first.notes)
    assert any("6 new entries wait" in n for n in first.notes)
    assert first.cursor.etag is None  # entries wait: the next poll must see the page
    assert third.cursor.etag == '"list-v1"'
    assert fourth.not_modified and fourth.items == []
    assert site.listing_requests == [None, None, None, '"list-v1"']
    assert site.max_in_flight == 1  # one detail page at a time
    assert len(json.loads(third.cursor.cursor or "[]")) == 10


async def test_without_detail_only_new_entries_are_emitted() -> None:
    """A changed page (no validators) still yields only entries not seen before."""
    site = FakeSite()
    async with serve(site.app()) as base, http_client() as http:
        source = HtmlListSource.from_options(
            HtmlListOptions(
                id="walz",
                type="html_list",
                url=f"{base}/media-center/press-releases",
                item=".view-congress-press-releases .views-row",
                link=".views-field-title a",
            )
        )
        first = await source.poll(http, SourceCursor())
        assert first.cursor.cursor is not None
        seen = json.loads(first.cursor.cursor)
        second = await source.poll(http, SourceCursor(cursor=json.dumps(seen[1:])))
    assert len(first.items) == 10 and site.details == []
    assert [i.id for i in second.items] == [seen[0]]
