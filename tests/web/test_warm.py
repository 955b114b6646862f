"""The pages warm themselves when the server starts (``Site.warm``): the tables and
templates are built and the newest events' cards are kept before a desk asks, without the
server waiting for it; a page asked while the warming is under way shares its work. The
compiled templates are kept in the user's cache directory across restarts."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import jinja2
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.web import install
from monitor.web.cache import CardCache
from monitor.web.templating import environment, load_assets, render
from tests.web.conftest import Ctx, Page
from tests.web.test_pages import WINDOW, Cards

EVENTS = {"CN-IN@2025-07-03", "IN-RU@2025-07-02", "CN-IN@2025-07-02"}


async def test_a_page_asked_during_the_warming_builds_each_card_once(page: Page) -> None:
    """The fixture asks at once after the server started: the page lists every event and
    no card was built twice (the page waited for the warming instead of racing it)."""
    _, body, _ = await page.get(f"/?{WINDOW}")
    assert set(Cards(body).keys) == EVENTS
    assert page.site.warming is not None and page.site.warming.done()
    assert page.site.cards.built == len(EVENTS)


async def test_after_the_warming_the_first_page_builds_no_card(page: Page) -> None:
    """Warmed: the templates are compiled and every event's card is kept, so the first page
    only reads the window's rows."""
    assert page.site.warming is not None
    await page.site.warming
    assert len(page.site.cards) == len(EVENTS) and page.site.cards.built == len(EVENTS)
    assert {name for _, name in page.site.env.cache or {}} >= {"meetings.html", "base.html"}
    _, body, _ = await page.get(f"/?{WINDOW}")
    assert set(Cards(body).keys) == EVENTS
    assert page.site.cards.built == len(EVENTS)


async def test_without_warming_the_first_page_builds_its_cards(page: Page) -> None:
    """``warm=False`` (tests, tools): nothing starts in the background; the first page
    builds every card itself and lists the same events."""
    app = web.Application()
    site = install(app, Ctx(page.desk.store, page.site.ctx.settings), warm=False)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        assert site.warming is None and len(site.cards) == 0
        async with page.http.get(server.make_url(f"/?{WINDOW}")) as resp:
            body = await resp.text()
        assert set(Cards(body).keys) == EVENTS and site.cards.built == len(EVENTS)
    finally:
        await server.close()


async def test_a_page_that_waited_for_the_warming_reuses_its_read(page: Page) -> None:
    """A complete read of an open window that began after a page was asked answers that
    page (cut to its dates); an older read, a text search, or a window reaching past the
    read's end go to the store."""
    cache = CardCache(limit=100)
    store, settings = page.desk.store, page.site.ctx.settings
    asked = asyncio.get_running_loop().time()
    whole = await cache.window(
        store, since=None, until=date(2025, 8, 1), limit=50, settings=settings,
        official_country=None, read_after=None,
    )  # fmt: skip
    assert [s.summary.key for s in whole] == [
        "CN-IN@2025-07-03",
        "IN-RU@2025-07-02",
        "CN-IN@2025-07-02",
    ]
    assert cache.reads == 1

    async def window(**changes: object) -> list[str]:
        query = {"since": date(2025, 7, 3), "until": date(2025, 7, 5), "read_after": asked}
        shown = await cache.window(
            store, limit=50, settings=settings, official_country=None, **{**query, **changes}
        )
        return [s.summary.key for s in shown]

    assert await window() == ["CN-IN@2025-07-03"] and cache.reads == 1  # reused
    later = asyncio.get_running_loop().time()
    assert await window(read_after=later) == ["CN-IN@2025-07-03"] and cache.reads == 2
    assert await window(text="qingdao", since=None) == ["CN-IN@2025-07-02"]
    assert cache.reads == 3
    assert await window(until=date(2025, 9, 1)) == ["CN-IN@2025-07-03"] and cache.reads == 4


def test_compiled_templates_are_kept_in_the_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Compiled templates go to the cache directory, a new environment renders the same
    from them, and a cache that cannot be written only costs time."""
    monkeypatch.setenv("BILAT_CACHE_DIR", str(tmp_path))
    assets = load_assets()
    now = datetime(2025, 7, 3, tzinfo=UTC)

    def sources_page(env: jinja2.Environment) -> str:
        return render(env, "sources.html", now, page="sources", rows=[], window_days=30)

    first = render(
        environment(assets), "sources.html", now, page="sources", rows=[], window_days=30
    )
    kept = list(tmp_path.glob("templates-jinja*/*.cache"))
    assert len(kept) >= 2  # sources.html and base.html
    again = render(
        environment(assets), "sources.html", now, page="sources", rows=[], window_days=30
    )
    assert again == first and "0 configured" in again
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    monkeypatch.setenv("BILAT_CACHE_DIR", str(blocked))
    still = render(
        environment(assets), "sources.html", now, page="sources", rows=[], window_days=30
    )
    assert still == first
