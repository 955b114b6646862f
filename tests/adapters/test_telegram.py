"""The "telegram" source: t.me/s/<channel> preview parsing and polling with ?before= paging.

The pages are HAND-BUILT from Telegram's channel-preview widget markup (no shareable real
capture exists; see tests/fixtures/social/telegram/PROVENANCE.md): real class names and
nesting, invented channel and texts.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiohttp import web
from pydantic import ValidationError

from adapters.telegram import TelegramOptions, TelegramSource, parse_channel_page
from monitor.contracts import SourceCursor
from tests.adapters.socialkit import fixture, http_client, serve

PAGES = {
    None: "social/telegram/channel_page.html",
    "118": "social/telegram/channel_before_118.html",
    "111": "social/telegram/channel_before_111.html",
}


def _page(before: str | None = None) -> bytes:
    return fixture(PAGES[before])


def test_posts_become_items_with_id_time_text_and_author() -> None:
    """Each message: number from data-post, time from <time datetime>, text of the message
    (not of a quoted reply), link preview card, forwarded-from, the channel as author."""
    page = parse_channel_page(_page(), channel="examplemfa", source_id="tg", official=True)
    assert page.post_numbers == list(range(118, 125))
    assert page.before == 118 and page.title == "Example Foreign Ministry"
    items = {i.id: i for i in page.items}
    assert sorted(items) == ["118", "120", "121", "122", "123", "124"]  # 119 is a photo only
    meeting = items["124"]
    assert meeting.text == (
        "External Affairs Minister met Foreign Minister Wang Yi of China in Astana today on "
        "the sidelines of the SCO meeting.\n🤝 Discussed the border situation & trade."
    )
    assert meeting.published_at == datetime(2026, 5, 20, 9, 24, tzinfo=UTC)
    assert meeting.url == "https://t.me/examplemfa/124"
    assert (meeting.author, meeting.author_handle) == ("Example Foreign Ministry", "@examplemfa")
    assert meeting.official and meeting.lang is None
    assert items["122"].text == "Transcript of the briefing is now available."
    assert items["121"].text.startswith("Forwarded from Example Embassy in Tokyo:\n")
    assert items["121"].title == "Ambassador called on the Governor of Hokkaido."
    assert "Joint Statement on the visit of the Foreign Minister of Japan" in items["120"].text
    assert items["123"].text.startswith("Министр иностранных дел")


def test_posts_of_another_channel_are_not_taken() -> None:
    """Only data-post values of the configured channel count."""
    page = parse_channel_page(_page(), channel="someoneelse", source_id="tg")
    assert page.items == [] and page.post_numbers == []


def test_channel_option_accepts_names_and_links_only() -> None:
    """@name and t.me links are trimmed to the name; anything else is rejected."""
    assert TelegramOptions(id="t", type="telegram", channel="@examplemfa").channel == "examplemfa"
    assert (
        TelegramOptions(id="t", type="telegram", channel="https://t.me/s/examplemfa").channel
        == "examplemfa"
    )
    with pytest.raises(ValidationError):
        TelegramOptions(id="t", type="telegram", channel="no spaces allowed")
    assert TelegramOptions(id="t", type="telegram", channel="abcd").interval == 900.0
    assert TelegramSource.min_interval == 300.0


class FakeTelegram:
    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/s/examplemfa", self.preview)
        return app

    async def preview(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.query))
        if request.headers.get("If-None-Match") == '"p1"':
            return web.Response(status=304, headers={"ETag": '"p1"'})
        before = request.query.get("before")
        body = _page(before) if before in PAGES else b"<html><body></body></html>"
        headers = {"ETag": '"p1"'} if before is None else {}
        return web.Response(body=body, content_type="text/html", charset="utf-8", headers=headers)


def _source(base: str, **extra: object) -> TelegramSource:
    options = TelegramOptions.model_validate(
        {"id": "tg-mfa", "type": "telegram", "channel": "examplemfa", "base_url": base, **extra}
    )
    return TelegramSource.from_options(options)


async def test_first_poll_reads_one_page_and_a_revalidation_is_not_modified() -> None:
    """No cursor: the newest page only; cursor = newest post; then a 304 parses nothing."""
    fake = FakeTelegram()
    async with serve(fake.app()) as base, http_client() as http:
        source = _source(base)
        first = await source.poll(http, SourceCursor())
        second = await source.poll(http, first.cursor)
    assert [i.id for i in first.items] == ["118", "120", "121", "122", "123", "124"]
    assert first.cursor.cursor == "124" and first.fetched == 7
    assert second.not_modified and second.cursor.cursor == "124"
    assert fake.requests == [{}, {}]


async def test_a_gap_since_the_cursor_is_filled_by_paging_back() -> None:
    """Cursor 105: ?before=118 then ?before=111 are fetched; every post after 105 with text
    arrives once, oldest first."""
    fake = FakeTelegram()
    async with serve(fake.app()) as base, http_client() as http:
        result = await _source(base).poll(http, SourceCursor(cursor="105"))
    assert fake.requests == [{}, {"before": "118"}, {"before": "111"}]
    assert [int(i.id) for i in result.items] == [n for n in range(106, 125) if n != 119]
    assert result.cursor.cursor == "124" and not result.notes


async def test_paging_back_is_bounded() -> None:
    """max_pages = 2 from a very old cursor: two requests and a note about the gap."""
    fake = FakeTelegram()
    async with serve(fake.app()) as base, http_client() as http:
        result = await _source(base, max_pages=2).poll(http, SourceCursor(cursor="50"))
    assert fake.requests == [{}, {"before": "118"}]
    assert result.notes and "missing" in result.notes[0]
    assert result.cursor.cursor == "124"
