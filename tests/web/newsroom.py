# ruff: noqa: E501  (the synthetic feed reads best one element per line)
"""The desk's world for the browser tests: real fixture feeds in several languages replayed
into a store, the same feeds served on loopback for the daemon's polls, and a Mastodon
hashtag stream stand-in into which a test pushes a new report while the page is open."""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.adapters.mastodon_fake import PAGES, status_like, update_event
from tests.adapters.socialkit import fixture_json
from tests.conftest import FIXTURES

# source id -> fixture feed (real feeds; PROVENANCE.md in tests/fixtures/feeds)
FEEDS = {
    "bbc-urdu": "feeds/news/bbc_urdu_2018.rss.xml",  # ur
    "livemint": "feeds/news/livemint_news_2019.rss.xml",  # en
    "hindi-seed": "feeds/seed_hindi.rss.xml",  # hi
    "qq-news": "feeds/encoding/qq_news_gb2312.rss.xml",  # zh (GB2312)
    "bbc-world": "feeds/news/bbc_news_world_2022.rss.xml",  # en
    "jn-pt": "feeds/encoding/jn_pt_iso-8859-1.rss.xml",  # pt (Latin-1)
}
# A wire whose headline carries markup (double-escaped in the XML, so the item's title is
# the literal text "<script>...</script> ...", as a careless CMS would publish it).
SCRIPT_WIRE = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>desk wire</title><link>https://wire.example/</link>
<item><guid>w1</guid><link>https://wire.example/w1</link>
<title>&amp;lt;script&amp;gt;window.pwned=1&amp;lt;/script&amp;gt; Jaishankar meets Wang Yi in Beijing</title>
<description>External Affairs Minister S. Jaishankar met Chinese Foreign Minister Wang Yi in Beijing today.</description>
<pubDate>Mon, 01 Dec 2025 10:00:00 GMT</pubDate></item>
</channel></rss>
"""


# A Chinese wire (written for the tests, channel language zh-cn), so the page shows CJK
# headlines whatever the status model makes of the real Chinese fixture feed.
ZH_WIRE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>中文电讯</title><link>https://zh-wire.example/</link>
<language>zh-cn</language>
<item><guid>z1</guid><link>https://zh-wire.example/z1</link>
<title>王毅会见印度外长苏杰生</title>
<description>中国外长王毅12月2日在北京会见印度外长苏杰生。</description>
<pubDate>Tue, 02 Dec 2025 08:00:00 GMT</pubDate></item>
</channel></rss>
""".encode()

# A Portuguese wire (written for the tests, channel language pt-pt): the real Latin-1 feed
# above reports no meeting the detector is sure of (a proposal to negotiate is not one).
PT_WIRE = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Agência de teste</title><link>https://pt-wire.example/</link>
<language>pt-pt</language>
<item><guid>p1</guid><link>https://pt-wire.example/p1</link>
<title>Lula recebe Marcelo Rebelo de Sousa em Brasília</title>
<description>O presidente Lula reuniu-se com o presidente de Portugal, Marcelo Rebelo de Sousa, no Palácio do Planalto.</description>
<pubDate>Wed, 03 Dec 2025 09:00:00 GMT</pubDate></item>
</channel></rss>
""".encode()


def replay_dir(tmp: Path) -> Path:
    """The fixture feeds under their source ids, as ``bilat replay`` reads a directory."""
    out = tmp / "replay"
    out.mkdir()
    for source_id, fixture in FEEDS.items():
        shutil.copyfile(FIXTURES / fixture, out / f"{source_id}.rss.xml")
    (out / "desk-wire.rss.xml").write_bytes(SCRIPT_WIRE)
    (out / "zh-wire.rss.xml").write_bytes(ZH_WIRE)
    (out / "pt-wire.rss.xml").write_bytes(PT_WIRE)
    return out


class HashtagStream:
    """``/api/v1/streaming/hashtag`` held open, sending what ``push`` queues;
    ``/api/v1/timelines/tag/:tag`` (the gap fill after a reconnect) is empty."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.connected = asyncio.Event()
        self.template = fixture_json(PAGES[0])[0]
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> HashtagStream:
        app = web.Application()
        app.router.add_get("/api/v1/streaming/hashtag", self.stream)
        app.router.add_get("/api/v1/timelines/tag/{tag}", self.timeline)
        self.runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def push(self, status_id: str, text: str, lang: str = "en") -> None:
        status: dict[str, Any] = status_like(self.template, status_id, text)
        status["created_at"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        status["language"] = lang
        status["reblog"] = None
        status["in_reply_to_id"] = None
        self.queue.put_nowait(update_event(status))

    async def timeline(self, request: web.Request) -> web.Response:
        return web.json_response([])

    async def stream(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(b":)\n\n")
        self.connected.set()
        while True:
            try:
                chunk = await asyncio.wait_for(self.queue.get(), 5)
            except TimeoutError:
                chunk = b":thump\n\n"
            await resp.write(chunk)
