"""The pages warm themselves when the server starts (``Site.warm``): the tables and
templates are built and the newest events' cards are kept before a desk asks, without the
server waiting for it; a page asked while the warming is under way shares its work."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.web import install
from tests.web.conftest import Ctx, Page
from tests.web.test_pages import WINDOW, Cards

EVENTS = {"CN-IN@2025-07-03", "IN-RU@2025-07-02", "CN-IN@2025-07-02"}


async def test_a_page_asked_during_the_warming_reads_each_event_once(page: Page) -> None:
    """The fixture asks at once after the server started: the page lists every event and
    no record was read twice (the page waited for the warming instead of racing it)."""
    _, body, _ = await page.get(f"/?{WINDOW}")
    assert set(Cards(body).keys) == EVENTS
    assert page.site.warming is not None and page.site.warming.done()
    assert page.site.cards.misses == len(EVENTS)


async def test_after_the_warming_the_first_page_reads_no_record(page: Page) -> None:
    """Warmed: the templates are compiled and every event's card is kept, so the first page
    reads only the window's versions."""
    assert page.site.warming is not None
    await page.site.warming
    assert len(page.site.cards) == len(EVENTS) and page.site.cards.misses == len(EVENTS)
    assert {name for _, name in page.site.env.cache or {}} >= {"meetings.html", "base.html"}
    _, body, _ = await page.get(f"/?{WINDOW}")
    assert set(Cards(body).keys) == EVENTS
    assert page.site.cards.misses == len(EVENTS)


async def test_without_warming_the_first_page_builds_its_cards(page: Page) -> None:
    """``warm=False`` (tests, tools): nothing starts in the background; the first page
    reads and builds every card itself and lists the same events."""
    app = web.Application()
    site = install(app, Ctx(page.desk.store, page.site.ctx.settings), warm=False)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        assert site.warming is None and len(site.cards) == 0
        async with page.http.get(server.make_url(f"/?{WINDOW}")) as resp:
            body = await resp.text()
        assert set(Cards(body).keys) == EVENTS and site.cards.misses == len(EVENTS)
    finally:
        await server.close()
