"""Source type "html_list": a press-release listing page without a feed (mea.gov.in,
pib.gov.in, parliaments, embassies), read with CSS selectors.

``item`` selects each entry; ``title``, ``link``, ``date`` and ``summary`` are looked up inside
it. Some CMSs do not wrap entries (a date, a heading, a paragraph, a rule, repeated): with
``flat = true`` each ``item`` match starts an entry that runs up to the next match. With
``detail = true`` each NEW entry's page is fetched (at most ``max_details`` per poll, one at
a time so the per-host limit holds) and its ``body`` selector becomes the Item's text;
entries not fetched yet are left for the next poll, not lost. Item id = the absolute link.
Encodings follow the HTTP header, then the page's ``<meta>``, then UTF-8/windows-1252.

The cursor holds the links already emitted (the newest ``remember`` of them) and the page's
validators for conditional GET. ``parse_listing`` / ``parse_detail`` are the pure part.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import ClassVar
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from pydantic import Field, field_validator, model_validator
from selectolax.lexbor import LexborHTMLParser, LexborNode

from adapters.base import SourceOptions
from adapters.htmldecode import decode_html
from adapters.htmltext import html_to_text
from adapters.pagedates import parse_listing_date
from adapters.posts import norm_lang, snippet
from monitor.contracts import FetchError, HttpClient, PollResult, RateLimited, SourceCursor
from monitor.model import Item, utcnow

log = structlog.get_logger(__name__)
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ListingSelectors:
    item: str
    link: str
    title: str | None = None
    date: str | None = None
    summary: str | None = None
    date_format: str | None = None
    flat: bool = False


def _entries(tree: LexborHTMLParser, sel: ListingSelectors) -> list[LexborNode]:
    """The entry nodes; in flat mode, synthetic containers of each run of siblings."""
    matches = tree.css(sel.item)
    if not sel.flat:
        return matches
    starts = {m.mem_id for m in matches}
    entries: list[LexborNode] = []
    for start in matches:
        parts = [start.html or ""]
        node = start.next
        while node is not None and node.mem_id not in starts:
            parts.append(node.html or node.text(deep=False) or "")
            node = node.next
        fragment = LexborHTMLParser(f"<div>{''.join(parts)}</div>").css_first("div")
        if fragment is not None:
            entries.append(fragment)
    return entries


def _first(node: LexborNode, selector: str | None) -> LexborNode | None:
    # selectolax's css_first also tests the node itself, so item = link works too.
    return node.css_first(selector) if selector else None


def _href(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    href = node.attributes.get("href")
    if not href:
        anchor = node.css_first("a[href]")
        href = anchor.attributes.get("href") if anchor is not None else None
    return href.strip() if href else None


def _date_text(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    for attr in ("datetime", "content"):  # <time datetime>, <meta itemprop content>
        if node.attributes.get(attr):
            return node.attributes[attr]
    inner = node.css_first("time[datetime]")
    if inner is not None:
        return inner.attributes.get("datetime")
    return node.text(separator=" ", strip=True)


def parse_listing(
    body: bytes | str,
    *,
    url: str,
    source_id: str,
    selectors: ListingSelectors,
    content_type: str | None = None,
    tz: tzinfo | None = None,
    official: bool = False,
    lang_override: str | None = None,
    author: str | None = None,
    fetched_at: datetime | None = None,
) -> tuple[list[Item], list[str]]:
    """(items in page order, notes) from a listing page. An entry without a link is left
    out with a note; ``title`` defaults to the link's text."""
    html = decode_html(body, content_type) if isinstance(body, bytes) else body
    tree = LexborHTMLParser(html)
    root = tree.css_first("html")
    page_lang = norm_lang(root.attributes.get("lang")) if root is not None else None
    fetched_at = fetched_at or utcnow()
    items: list[Item] = []
    notes: list[str] = []
    seen: set[str] = set()
    undated = 0
    for entry in _entries(tree, selectors):
        link_node = _first(entry, selectors.link)
        href = _href(link_node)
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            notes.append("an entry without a link was skipped")
            continue
        link = urljoin(url, href)
        if link in seen:
            continue
        seen.add(link)
        title_node = _first(entry, selectors.title) if selectors.title else link_node
        title = _WS.sub(" ", title_node.text(separator=" ")).strip() if title_node else ""
        summary_node = _first(entry, selectors.summary)
        summary = html_to_text(summary_node.html or "") if summary_node is not None else ""
        published = None
        if selectors.date:
            raw_date = _date_text(_first(entry, selectors.date))
            published = parse_listing_date(
                raw_date, date_format=selectors.date_format, tz=tz, lang=lang_override or page_lang
            )
            undated += published is None
        items.append(
            Item(
                id=link,
                source_id=source_id,
                title=title or snippet(summary) or link,
                text=summary,
                url=link,
                published_at=published,
                author=author,
                lang=lang_override or page_lang,
                fetched_at=fetched_at,
                official=official,
            )
        )
    if undated:
        notes.append(f"{undated} entries had no readable date (set date_format?)")
    if not items:
        notes.append(f"no entries matched item = {selectors.item!r}")
    return items, notes


def parse_detail(
    body: bytes | str,
    *,
    body_selector: str,
    content_type: str | None = None,
    date_selector: str | None = None,
    date_format: str | None = None,
    tz: tzinfo | None = None,
    lang_override: str | None = None,
) -> tuple[str, datetime | None]:
    """(text of every ``body_selector`` match, joined by paragraph breaks; the date found by
    ``date_selector``, read in ``lang_override`` or the page's declared language) from a
    detail page."""
    html = decode_html(body, content_type) if isinstance(body, bytes) else body
    tree = LexborHTMLParser(html)
    parts = [html_to_text(n.html or "") for n in tree.css(body_selector)]
    when = None
    if date_selector:
        root = tree.css_first("html")
        page_lang = norm_lang(root.attributes.get("lang")) if root is not None else None
        when = parse_listing_date(
            _date_text(tree.css_first(date_selector)),
            date_format=date_format,
            tz=tz,
            lang=lang_override or page_lang,
        )
    return "\n".join(p for p in parts if p), when


class HtmlListOptions(SourceOptions):
    """``[[sources]]`` keys for ``type = "html_list"``."""

    url: str
    item: str  # CSS selector of each entry
    link: str = "a[href]"  # inside the entry: the element with (or containing) the href
    title: str | None = None  # inside the entry; default: the link's text
    date: str | None = None
    date_format: str | None = None  # strptime layout, e.g. "%m.%d.%y"
    timezone: str = "UTC"  # for dates without an offset, e.g. "Asia/Kolkata"
    summary: str | None = None
    flat: bool = False  # entries are sibling runs, not wrapped in one element
    detail: bool = False
    body: str | None = None  # CSS selector on the detail page (needed with detail = true)
    detail_date: str | None = None  # a date on the detail page when the listing has none
    author: str | None = None  # who publishes the page ("Ministry of External Affairs")
    max_details: int = Field(default=10, ge=1, le=100)
    remember: int = Field(default=500, ge=10, le=10_000)

    @field_validator("item", "link", "title", "date", "summary", "body", "detail_date")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            LexborHTMLParser("<p></p>").css(value)
        except Exception as exc:  # selectolax raises its own types for bad selectors
            raise ValueError(f"not a CSS selector: {value!r} ({exc})") from exc
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use e.g. 'Asia/Kolkata')") from exc
        return value

    @model_validator(mode="after")
    def _detail(self) -> HtmlListOptions:
        if self.detail and not self.body:
            raise ValueError("detail = true needs body = '<CSS selector of the text>'")
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"url must be http(s): {self.url!r}")
        return self


class HtmlListSource:
    """Polls a listing page; fetches new entries' detail pages when asked."""

    type_name: ClassVar[str] = "html_list"
    Options: ClassVar[type[SourceOptions]] = HtmlListOptions
    min_interval: ClassVar[float] = 120.0

    def __init__(self, options: HtmlListOptions) -> None:
        self.id = options.id
        self.options = options
        self.tz = ZoneInfo(options.timezone)
        self.selectors = ListingSelectors(
            item=options.item,
            link=options.link,
            title=options.title,
            date=options.date,
            summary=options.summary,
            date_format=options.date_format,
            flat=options.flat,
        )

    def __repr__(self) -> str:
        return f"HtmlListSource(id={self.id!r}, url={self.options.url!r})"

    @classmethod
    def from_options(cls, options: SourceOptions) -> HtmlListSource:
        if not isinstance(options, HtmlListOptions):
            options = HtmlListOptions.model_validate(options.model_dump())
        return cls(options)

    async def poll(self, http: HttpClient, cursor: SourceCursor) -> PollResult:
        opts = self.options
        resp = await http.get(opts.url, etag=cursor.etag, last_modified=cursor.last_modified)
        etag = resp.headers.get("ETag") or cursor.etag
        last_modified = resp.headers.get("Last-Modified") or cursor.last_modified
        if resp.not_modified:
            return PollResult(
                items=[],
                cursor=SourceCursor(etag, last_modified, cursor.cursor),
                not_modified=True,
                http_status=304,
            )
        seen = _load_seen(cursor.cursor)
        listed, notes = parse_listing(
            resp.body,
            url=resp.url,
            source_id=self.id,
            selectors=self.selectors,
            content_type=resp.content_type,
            tz=self.tz,
            official=opts.official,
            lang_override=opts.lang,
            author=opts.author,
        )
        new = [item for item in listed if item.id not in seen]
        min_delay: float | None = None
        waiting = 0
        if opts.detail:
            done, min_delay, detail_notes = await self._with_details(http, new)
            waiting = len(new) - len(done)
            new = done
            notes.extend(detail_notes)
        if waiting:
            # Entries wait for their detail page: the next poll must not get a 304.
            etag = last_modified = None
        remembered = [*(i.id for i in new), *(s for s in seen if s not in {i.id for i in new})]
        return PollResult(
            items=new,
            cursor=SourceCursor(etag, last_modified, json.dumps(remembered[: opts.remember])),
            min_delay_s=min_delay,
            http_status=resp.status,
            fetched=len(listed),
            notes=tuple(notes),
        )

    async def _with_details(
        self, http: HttpClient, new: list[Item]
    ) -> tuple[list[Item], float | None, list[str]]:
        """Fetch detail pages for up to ``max_details`` new entries. Entries whose page could
        not be fetched for a passing reason wait for the next poll; a page that is gone (4xx)
        keeps the listing's text."""
        opts = self.options
        assert opts.body is not None
        done: list[Item] = []
        notes: list[str] = []
        min_delay: float | None = None
        for index, item in enumerate(new):
            if index >= opts.max_details:
                notes.append(f"{len(new) - index} new entries wait for the next poll")
                break
            try:
                resp = await http.get(item.url or item.id)
            except RateLimited as exc:
                min_delay = exc.retry_after_s
                notes.append(f"rate limited on detail pages; {len(new) - index} entries wait")
                break
            except FetchError as exc:
                if exc.transient:
                    notes.append(f"detail page failed, retried next poll: {item.url}: {exc}")
                    continue
                notes.append(f"detail page unavailable, listing text kept: {item.url}: {exc}")
                done.append(item)
                continue
            text, when = parse_detail(
                resp.body,
                body_selector=opts.body,
                content_type=resp.content_type,
                date_selector=opts.detail_date,
                date_format=opts.date_format,
                tz=self.tz,
                lang_override=opts.lang,
            )
            if not text:
                notes.append(f"body = {opts.body!r} matched nothing on {item.url}")
            done.append(
                replace(
                    item,
                    text=text or item.text,
                    published_at=item.published_at or when,
                )
            )
        return done, min_delay, notes


def _load_seen(text: str | None) -> list[str]:
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    return [s for s in data if isinstance(s, str)] if isinstance(data, list) else []
