"""Live updates: ``/live`` streams which events changed, read from the store, throttled."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from aiohttp import ClientResponse

from monitor.model import utcnow
from tests.events.factory import item
from tests.web.conftest import Page

A = "CN-IN@2025-07-03"


async def next_change(resp: ClientResponse) -> dict[str, object]:
    """The next ``changed`` message of a stream (heartbeats and retry lines skipped)."""
    event = None
    while True:
        line = (await resp.content.readline()).decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "changed":
            data = json.loads(line[6:])
            assert isinstance(data, dict)
            return data


async def test_a_new_report_reaches_an_open_page(page: Page) -> None:
    """A report filed after the page was rendered (even before its stream opened) is
    announced with its event's key; a burst of reports is announced in few messages."""
    rendered = utcnow().isoformat()
    reuters = item("a03", "wire-late", hours=60, text="Jaishankar met Wang Yi in Astana.")
    await page.desk.feed(reuters, utcnow())
    async with page.http.get(f"{page.url}/live", params={"since": rendered}) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        first = await asyncio.wait_for(next_change(resp), 10)
        assert first["keys"] == [A]
        for i in range(12):
            burst = item("a04", f"wire-{i}", hours=60, text="Jaishankar met Wang Yi.")
            await page.desk.feed(burst, utcnow())
        messages = [await asyncio.wait_for(next_change(resp), 10)]
        while True:  # the rest of the burst's messages, until the stream goes quiet
            try:
                messages.append(await asyncio.wait_for(next_change(resp), 1.5))
            except TimeoutError:
                break
    assert {k for m in messages for k in m["keys"]} == {A}  # type: ignore[attr-defined]
    # twelve reports, a watcher looking every 0.2 s: coalesced into fewer messages
    assert len(messages) < 12


async def test_a_page_without_a_render_time_gets_only_later_changes(page: Page) -> None:
    """Without ``since`` nothing already filed is announced; the next report is; closing
    the hub ends open streams."""
    async with page.http.get(f"{page.url}/live") as resp:
        await asyncio.sleep(0.5)  # the watcher's first look: the baseline
        late = item("a05", "wire-x", hours=60, text="Jaishankar met Wang Yi.")
        await page.desk.feed(late, utcnow() + timedelta(seconds=1))
        assert (await asyncio.wait_for(next_change(resp), 10))["keys"] == [A]
        await page.site.hub.close()
        rest = await asyncio.wait_for(resp.content.read(), 10)
        assert b"changed" not in rest
