"""The three parser outputs (fastfeedparser, feedparser, JSON Feed) -> one neutral shape.

``RawEntry`` holds what a parser read for one entry, before any cleaning; ``FeedMeta`` the
feed-level fields. ``adapters.feednorm`` turns them into ``Item``s, so every path is normalised
by the same code and the paths can be compared entry by entry in tests.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from adapters.feedtime import parse_date, to_utc


class RawEntry(NamedTuple):
    """A tuple, not a dataclass: one is built per entry of every document parsed, and a
    frozen dataclass costs several times as much to build."""

    guid: str | None  # the entry's own id (guid, atom:id, JSON id); None when it has none
    link: str | None  # as written: may be relative, padded with whitespace
    title: str  # may hold HTML
    summary: str  # HTML or text
    content: str  # HTML or text (content:encoded, atom:content, content_html)
    published: datetime | None  # UTC
    author: str | None
    lang: str | None = None  # the entry's own xml:lang / JSON language
    base: str | None = None  # the entry's xml:base, absolute


@dataclass(frozen=True, slots=True)
class FeedMeta:
    title: str = ""
    link: str | None = None
    lang: str | None = None  # <language>, dc:language, JSON language (not xml:lang)
    ttl_min: float | None = None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _opt(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _iso_utc(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return to_utc(datetime.fromisoformat(value))
    except ValueError:
        return parse_date(value)


def _content_value(content: Any, *, skip_plain: bool = False) -> str:
    """The longest value of a parser's ``content`` list (feeds may carry several).

    ``skip_plain`` leaves out text/plain values: feedparser files ``media:description`` (a
    photo caption) there, and it is not the article.
    """
    if not isinstance(content, list):
        return ""
    if len(content) == 1 and isinstance(first := content[0], dict) and not skip_plain:
        value = first.get("value")  # the usual case, without the general one's generators
        return value if isinstance(value, str) else ""
    values = [
        c.get("value")
        for c in content
        if isinstance(c, Mapping) and not (skip_plain and c.get("type") == "text/plain")
    ]
    return max((v for v in values if isinstance(v, str)), key=len, default="")


# --------------------------------------------------------------------------------- fastfeedparser


def from_fastfeedparser(
    parsed: Mapping[str, Any], dates: Sequence[datetime | None] | None = None
) -> tuple[FeedMeta, list[RawEntry]]:
    """``dates``: each entry's date as read from the document (one per entry), instead of
    fastfeedparser's own reading."""
    feed = parsed.get("feed") or {}
    meta = FeedMeta(title=_str(feed.get("title")), link=_opt(feed.get("link")))
    # dict first: the entries are dicts, and an ABC check alone costs several times more.
    raw = [e for e in parsed.get("entries") or () if isinstance(e, (dict, Mapping))]
    if dates is None or len(dates) != len(raw):
        return meta, [_ffp_entry(e, _UNREAD) for e in raw]
    return meta, [_ffp_entry(e, d) for e, d in zip(raw, dates, strict=True)]


_UNREAD: Any = object()  # "take fastfeedparser's date"


def _ffp_entry(e: Mapping[str, Any], date: datetime | None) -> RawEntry:
    # One call per entry of nearly every document: positional fields, the helpers inlined.
    get = e.get
    link = get("link")
    link = link.strip() or None if isinstance(link, str) else None
    guid = get("id")
    guid = guid.strip() or None if isinstance(guid, str) else None
    links = get("links")
    if link and links and isinstance(links, list):
        # fastfeedparser falls back to an enclosure's URL when an entry has no page link;
        # feedparser (and the Atom spec) do not: an mp3 is not the article.
        rels = {
            lk.get("rel") or "alternate"
            for lk in links
            if isinstance(lk, (dict, Mapping)) and lk.get("href") == link
        }
        if rels == {"enclosure"}:
            guid = None if guid == link else guid  # the id was copied from that link too
            link = None
    if date is _UNREAD:
        date = _iso_utc(get("published")) or _iso_utc(get("updated"))
    title, summary, author = get("title"), get("description"), get("author")
    return RawEntry(
        guid,
        link,
        title if isinstance(title, str) else "",
        summary if isinstance(summary, str) else "",
        _content_value(get("content")),
        date,
        author.strip() or None if isinstance(author, str) else None,
    )


# ------------------------------------------------------------------------------------ feedparser


def _get(d: Any, key: str) -> Any:
    # dict.get, not FeedParserDict.get: the latter maps some missing keys to others with a
    # DeprecationWarning (``updated`` -> ``published``).
    return dict.get(d, key) if isinstance(d, dict) else None


def from_feedparser(parsed: Any, root_lang: str | None) -> tuple[FeedMeta, list[RawEntry]]:
    """``root_lang`` is the document's root xml:lang: feedparser reports the nearest xml:lang
    for every entry, and only a different one is the entry's own."""
    feed = _get(parsed, "feed") or {}
    ttl = _get(feed, "ttl")
    meta = FeedMeta(
        title=_str(_get(feed, "title")),
        link=_opt(_get(feed, "link")),
        lang=_opt(_get(feed, "language")),
        ttl_min=float(ttl) if isinstance(ttl, str) and ttl.strip().isdigit() else None,
    )
    raw = _get(parsed, "entries") or ()
    entries = [_fp_entry(e, root_lang) for e in raw if isinstance(e, dict)]
    return meta, entries


def _fp_time(e: dict[str, Any], key: str) -> datetime | None:
    # Our reading of the raw text first: feedparser reads "2020/1/10 14:33:00" as 1 November.
    if own := parse_date(_get(e, key)):
        return own
    parsed = _get(e, f"{key}_parsed")
    if isinstance(parsed, time.struct_time):
        try:
            return to_utc(datetime(*parsed[:6], tzinfo=UTC))
        except (ValueError, OverflowError):
            return None
    return None


def _fp_entry(e: dict[str, Any], root_lang: str | None) -> RawEntry:
    detail = _get(e, "title_detail") or _get(e, "summary_detail") or {}
    lang = _opt(_get(detail, "language"))
    author = _get(_get(e, "author_detail") or {}, "name") or _get(e, "author")
    summary = _str(_get(e, "summary"))
    return RawEntry(
        guid=_opt(_get(e, "id")),
        link=_opt(_get(e, "link")),
        title=_str(_get(e, "title")),
        summary=summary,
        content=_content_value(_get(e, "content"), skip_plain=bool(summary)),
        published=_fp_time(e, "published") or _fp_time(e, "updated"),
        author=_opt(author),
        lang=lang if lang and lang.lower() != (root_lang or "").lower() else None,
        base=_opt(_get(detail, "base")),
    )


# ------------------------------------------------------------------------------------- JSON Feed


def from_jsonfeed(doc: Mapping[str, Any]) -> tuple[FeedMeta, list[RawEntry]]:
    """JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1)."""
    meta = FeedMeta(
        title=_str(doc.get("title")),
        link=_opt(doc.get("home_page_url")),
        lang=_opt(doc.get("language")),
    )
    items = doc.get("items")
    if not isinstance(items, list):
        return meta, []
    entries = [_json_entry(i) for i in items if isinstance(i, Mapping)]
    return meta, entries


def _json_author(item: Mapping[str, Any]) -> str | None:
    authors = item.get("authors")
    candidates = list(authors) if isinstance(authors, list) else []
    candidates.append(item.get("author"))  # 1.0
    for a in candidates:
        if isinstance(a, Mapping) and (name := _opt(a.get("name"))):
            return name
    return None


def _json_entry(item: Mapping[str, Any]) -> RawEntry:
    raw_id = item.get("id")
    guid = str(raw_id).strip() or None if isinstance(raw_id, str | int) else None
    return RawEntry(
        guid=guid,
        link=_opt(item.get("url")) or _opt(item.get("external_url")),
        title=_str(item.get("title")),
        summary=_str(item.get("summary")),
        content=_str(item.get("content_html")) or _str(item.get("content_text")),
        published=parse_date(_opt(item.get("date_published")))
        or parse_date(_opt(item.get("date_modified"))),
        author=_json_author(item),
        lang=_opt(item.get("language")),
    )
