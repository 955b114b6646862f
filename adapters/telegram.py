"""Source type "telegram": a public Telegram channel through its web preview,
``https://t.me/s/<channel>`` (no account, no API key).

The preview shows the newest ~20 posts, oldest first, each a ``.tgme_widget_message`` with
``data-post="<channel>/<n>"``, the text in ``.tgme_widget_message_text.js-message_text`` (a
quoted reply's text has ``js-message_reply_text`` instead and is not the post), the time in
``.tgme_widget_message_date time[datetime]``, a forwarded-from name and a link preview card.
``?before=<n>`` shows the page before post n: a poll pages back (bounded) only when posts
are missing between the cursor and the first page. The cursor is the newest post number.
Telegram does not document limits for the preview, so the default interval is 15 minutes
and polling faster than every 5 minutes is refused.

``parse_channel_page`` is the pure part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from pydantic import Field, field_validator
from selectolax.lexbor import LexborHTMLParser, LexborNode

from adapters.base import SourceOptions
from adapters.htmldecode import decode_html
from adapters.htmltext import html_to_text
from adapters.posts import parse_time, snippet
from monitor.contracts import HttpClient, PollResult, SourceCursor
from monitor.model import Item, utcnow
from monitor.units import Seconds

_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


@dataclass(frozen=True, slots=True)
class ChannelPage:
    """One preview page: posts (oldest first), their numbers, and the "load older" anchor."""

    items: list[Item]
    post_numbers: list[int]  # every post on the page, with or without text
    before: int | None  # the ?before= value for the page of older posts
    title: str | None  # the channel's display name


def _text(node: LexborNode | None) -> str:
    return html_to_text(node.html or "") if node is not None else ""


def parse_channel_page(
    body: bytes | str,
    *,
    channel: str,
    source_id: str,
    base_url: str = "https://t.me",
    content_type: str | None = None,
    official: bool = False,
    lang: str | None = None,
    fetched_at: datetime | None = None,
) -> ChannelPage:
    """Items from a ``t.me/s/<channel>`` page. Posts of other channels (a page can embed
    them) and posts without any text are left out but their numbers are reported."""
    html = decode_html(body, content_type) if isinstance(body, bytes) else body
    tree = LexborHTMLParser(html)
    fetched_at = fetched_at or utcnow()
    title_node = tree.css_first(".tgme_channel_info_header_title") or tree.css_first(
        ".tgme_header_title"
    )
    title = title_node.text(strip=True) if title_node is not None else None
    items: list[Item] = []
    numbers: list[int] = []
    for message in tree.css(".tgme_widget_message[data-post]"):
        post = message.attributes.get("data-post") or ""
        name, _, number = post.rpartition("/")
        if name.lower() != channel.lower() or not number.isdigit():
            continue
        numbers.append(int(number))
        body_text = _text(message.css_first(".tgme_widget_message_text.js-message_text"))
        card = message.css_first(".tgme_widget_message_link_preview")
        card_text = "\n".join(
            t
            for t in (
                _text(card.css_first(".link_preview_title")) if card else "",
                _text(card.css_first(".link_preview_description")) if card else "",
            )
            if t
        )
        text = "\n".join(t for t in (body_text, card_text) if t)
        if not text:
            continue  # a photo or a service message: nothing to read
        forwarded = message.css_first(".tgme_widget_message_forwarded_from_name")
        if forwarded is not None and forwarded.text(strip=True):
            text = f"Forwarded from {forwarded.text(strip=True)}:\n{text}"
        time_node = message.css_first(".tgme_widget_message_date time[datetime]")
        owner = message.css_first(".tgme_widget_message_owner_name")
        author = owner.text(strip=True) if owner is not None else None
        items.append(
            Item(
                id=number,
                source_id=source_id,
                title=snippet(body_text or text),
                text=text,
                url=f"{base_url.rstrip('/')}/{channel}/{number}",
                published_at=parse_time(
                    time_node.attributes.get("datetime") if time_node is not None else None
                ),
                author=author or title or f"@{channel}",
                author_handle=f"@{channel}",
                lang=lang,
                fetched_at=fetched_at,
                official=official,
            )
        )
    more = tree.css_first("a.tme_messages_more[data-before]")
    before_attr = more.attributes.get("data-before") if more is not None else None
    before = int(before_attr) if before_attr and before_attr.isdigit() else None
    if before is None and numbers:
        before = min(numbers)
    return ChannelPage(items, numbers, before, title)


class TelegramOptions(SourceOptions):
    """``[[sources]]`` keys for ``type = "telegram"``."""

    channel: str  # the public username: "MEAIndia" for https://t.me/s/MEAIndia
    base_url: str = "https://t.me"
    max_pages: int = Field(default=3, ge=1, le=10)  # pages back per poll to fill a gap
    interval: Seconds = 900.0

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        name = value.strip().removeprefix("@").removeprefix("https://t.me/").removeprefix("s/")
        if not _CHANNEL.match(name):
            raise ValueError(f"not a public Telegram channel name: {value!r}")
        return name


class TelegramSource:
    """Polls a public channel's web preview."""

    type_name: ClassVar[str] = "telegram"
    Options: ClassVar[type[SourceOptions]] = TelegramOptions
    min_interval: ClassVar[float] = 300.0

    def __init__(self, options: TelegramOptions) -> None:
        self.id = options.id
        self.options = options

    def __repr__(self) -> str:
        return f"TelegramSource(id={self.id!r}, channel={self.options.channel!r})"

    @classmethod
    def from_options(cls, options: SourceOptions) -> TelegramSource:
        if not isinstance(options, TelegramOptions):
            options = TelegramOptions.model_validate(options.model_dump())
        return cls(options)

    async def poll(self, http: HttpClient, cursor: SourceCursor) -> PollResult:
        opts = self.options
        last = int(cursor.cursor) if cursor.cursor and cursor.cursor.isdigit() else None
        url = f"{opts.base_url.rstrip('/')}/s/{opts.channel}"
        resp = await http.get(url, etag=cursor.etag, last_modified=cursor.last_modified)
        etag = resp.headers.get("ETag") or cursor.etag
        last_modified = resp.headers.get("Last-Modified") or cursor.last_modified
        if resp.not_modified:
            return PollResult(
                items=[],
                cursor=SourceCursor(etag, last_modified, cursor.cursor),
                not_modified=True,
                http_status=304,
            )
        found: dict[int, Item] = {}
        numbers: list[int] = []
        notes: list[str] = []
        page = self._parse(resp.body, resp.content_type)
        pages = 1
        while True:
            numbers.extend(page.post_numbers)
            found.update({int(i.id): i for i in page.items if last is None or int(i.id) > last})
            oldest = min(page.post_numbers) if page.post_numbers else None
            gap = last is not None and oldest is not None and oldest > last + 1
            if not gap or page.before is None or page.before <= 1:
                break
            if pages >= opts.max_pages:
                notes.append(f"posts may be missing before #{oldest}: paged back {pages} pages")
                break
            older = await http.get(url, params={"before": str(page.before)})
            page = self._parse(older.body, older.content_type)
            pages += 1
        newest = max([*numbers, last or 0]) or None
        return PollResult(
            items=[found[n] for n in sorted(found)],
            cursor=SourceCursor(etag, last_modified, str(newest) if newest else None),
            http_status=resp.status,
            fetched=len(set(numbers)),
            notes=tuple(notes),
        )

    def _parse(self, body: bytes, content_type: str | None) -> ChannelPage:
        return parse_channel_page(
            body,
            channel=self.options.channel,
            source_id=self.id,
            base_url=self.options.base_url,
            content_type=content_type,
            official=self.options.official,
            lang=self.options.lang,
        )
