"""The pages remember the windows they read while the live feed watches the store
(``CardCache`` with ``LiveHub.on_change``): a click on the graph filters the remembered list
instead of reading the store again, and a change the feed sees is on the next page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestServer

from monitor.model import utcnow
from monitor.web import Site, install
from tests.events.factory import item
from tests.web.conftest import Ctx, Page
from tests.web.test_live import next_change
from tests.web.test_pages import WINDOW, Cards

EVENTS = {"CN-IN@2025-07-03", "IN-RU@2025-07-02", "CN-IN@2025-07-02"}


@asynccontextmanager
async def served(page: Page, *, window_ttl_s: float) -> AsyncIterator[tuple[Site, str]]:
    """The pages over the fixture's store with their own TTL (no warming: reads counted
    from the first page)."""
    app = web.Application()
    site = install(
        app,
        Ctx(page.desk.store, page.site.ctx.settings),
        live_poll_s=0.1,
        warm=False,
        window_ttl_s=window_ttl_s,
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield site, str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def listening(page: Page, base: str) -> AsyncIterator[ClientResponse]:
    async with page.http.get(f"{base}/live") as resp:
        await resp.content.readline()  # "retry:": the hub has the listener, the watcher runs
        yield resp


async def body(page: Page, url: str) -> str:
    async with page.http.get(url) as resp:
        assert resp.status == 200
        return await resp.text()


async def test_pages_within_the_ttl_read_the_store_once(page: Page) -> None:
    """Without a listener every page reads the window; once one listens, the latest read
    (the feed's first look saw no recent change) answers the page and a click's list (same
    window, a pair picked); past the TTL every page reads it."""
    async with served(page, window_ttl_s=3600) as (site, base):
        assert set(Cards(await body(page, f"{base}/?{WINDOW}")).keys) == EVENTS
        assert set(Cards(await body(page, f"{base}/?{WINDOW}")).keys) == EVENTS
        assert site.cards.reads == 2  # nobody listens: the feed vouches for nothing
        async for _ in listening(page, base):
            assert site.hub.watching
            first = Cards(await body(page, f"{base}/?{WINDOW}")).keys
            listed = Cards(await body(page, f"{base}/?{WINDOW}&pair=CN-IN&part=list")).keys
            assert set(first) == EVENTS and set(listed) == {k for k in EVENTS if "CN-IN" in k}
            assert site.cards.reads == 2
    async with served(page, window_ttl_s=0.0) as (site, base):
        async for _ in listening(page, base):
            await body(page, f"{base}/?{WINDOW}")
            await body(page, f"{base}/?{WINDOW}")
            assert site.cards.reads == 2  # expired at once


async def test_a_saved_event_is_on_the_next_page_after_the_feed_sees_it(page: Page) -> None:
    """A long TTL, so only the feed can make the page read again: a report saved to an
    event after the window was read is on the next page (its new count) once the feed
    announced the change; the read is then remembered again."""
    async with served(page, window_ttl_s=3600) as (site, base):
        async for resp in listening(page, base):
            before = await body(page, f"{base}/?{WINDOW}")
            assert set(Cards(before).keys) == EVENTS and site.cards.reads == 1
            assert "14 reports in" in before
            again = await body(page, f"{base}/?{WINDOW}")
            assert "14 reports in" in again and site.cards.reads == 1
            report = item("a03", "wire-late", hours=60, text="Jaishankar met Wang Yi in Astana.")
            await page.desk.feed(report, utcnow())
            change = await asyncio.wait_for(next_change(resp), 10)
            assert change["keys"] == ["CN-IN@2025-07-03"]
            after = await body(page, f"{base}/?{WINDOW}")
            assert "15 reports in" in after and "14 reports in" not in after
            assert set(Cards(after).keys) == EVENTS and site.cards.reads == 2
            await body(page, f"{base}/?{WINDOW}&part=list")
            assert site.cards.reads == 2  # remembered again until the next change


async def test_a_moved_window_reads_only_the_days_it_gains(page: Page) -> None:
    """The time slider's windows overlap: a window moved by a day is cut from the
    remembered one plus a read of the day it gains (the same cards, in the same order, as
    a read of the whole window), and a window that shares no day with any is read whole."""
    async with served(page, window_ttl_s=3600) as (site, base):
        async for _ in listening(page, base):
            first = Cards(await body(page, f"{base}/?days=2&to=2025-07-02")).keys
            assert set(first) == {"IN-RU@2025-07-02", "CN-IN@2025-07-02"}
            assert site.cards.reads == 1
            moved = Cards(await body(page, f"{base}/?days=2&to=2025-07-03&part=graph")).edges
            listed = Cards(await body(page, f"{base}/?days=2&to=2025-07-03&part=list")).keys
            assert site.cards.reads == 2  # the day gained, once: the list reused the read
            assert listed[0] == "CN-IN@2025-07-03" and set(listed) == EVENTS
            assert moved["CN-IN"][0] == 2
            back = Cards(await body(page, f"{base}/?days=1&to=2025-07-02&part=list")).keys
            assert site.cards.reads == 2 and set(back) == set(first)  # within a remembered one
            await body(page, f"{base}/?days=1&to=2025-06-20&part=list")
            assert site.cards.reads == 3
    async with served(page, window_ttl_s=3600) as (site, base):
        async for _ in listening(page, base):
            whole = Cards(await body(page, f"{base}/?days=2&to=2025-07-03")).keys
            assert whole == listed  # the order of a read of the whole window
