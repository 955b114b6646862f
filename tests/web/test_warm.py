"""The pages warm themselves when the server starts (``Site.warm``): the tables and
templates are built and the newest events' cards are kept before a desk asks, without the
server waiting for it; a page asked while the warming is under way shares its work. The
compiled templates are kept in the user's cache directory across restarts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jinja2
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.web import install
from monitor.web.templating import environment, load_assets, render
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
