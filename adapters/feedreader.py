"""``parse_feed``: bytes of an RSS 0.9x/1.0/2.0, Atom or JSON Feed document -> ``ParsedFeed``.

Pipeline: decode (``adapters.encoding``) -> JSON Feed? (``json``) -> entity safety net
(``adapters.xmlsafe``) -> fast path (fastfeedparser) or fallback (feedparser) -> the same
normalisation for every path (``adapters.feednorm``).

Which parser reads an XML document (the decision is recorded in ``ParsedFeed.parser`` and,
for a fallback, a ``fallback: ...`` note):

=====================================================  ==========================================
document                                               path
=====================================================  ==========================================
well-formed (after defusing and transcoding to UTF-8)  fastfeedparser
only junk after the root element                       fastfeedparser on the part before it
ill-formed only by HTML entities / bare ``&``          fastfeedparser on the repaired text
any other ill-formed XML                               feedparser (its loose parser recovers
                                                       more, and never invents text: libxml2's
                                                       recovery turned a broken CDATA into a
                                                       title "![CD")
RSS 0.90 (RDF in Netscape's namespace)                 fastfeedparser, the namespace renamed to
                                                       RSS 1.0's (alone it finds none of the items)
fastfeedparser raises, or finds fewer entries than     feedparser
the document has ``<item>``/``<entry>`` elements
entries with their own xml:lang / xml:base             feedparser (fastfeedparser ignores both)
a relative link that fastfeedparser also reports as    feedparser (it cannot tell a guid from a
the id, in a document that has guids                   copied link; feedparser can)
``<rss>`` without ``<channel>`` (an empty feed)         feedparser (fastfeedparser raises)
JSON (starts with ``{``)                               ``json`` (feedparser has no JSON Feed)
=====================================================  ==========================================

On the fast path, dates are read by ``adapters.feedtime`` from each entry's own date
elements, not taken from fastfeedparser: it turns a numeric guid into a date when an entry has
no readable one. An ill-formed document in which feedparser finds no entry is a ``FeedError``
(a truncated download is not an empty feed).

fastfeedparser is about 40x faster than feedparser on the same feeds (``bench/feedparse.py``);
both get the document only after ``defuse``, as UTF-8 without XML declaration or DOCTYPE.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from html.entities import html5
from typing import Any
from urllib.parse import urlsplit
from xml.parsers import expat

import fastfeedparser
from fastfeedparser import main as _ffp_main

from adapters.encoding import Decoded, decode_document
from adapters.feeddates import entry_dates, scan_entries
from adapters.feedentries import (
    FeedMeta,
    RawEntry,
    from_fastfeedparser,
    from_feedparser,
    from_jsonfeed,
)
from adapters.feedhead import Header, scan_header
from adapters.feednorm import Context, absolute_url, clean_title, pick_lang, to_items
from adapters.feedtypes import MAX_BODY_BYTES, FeedError, ParsedFeed, ParserPath
from adapters.xmlsafe import Defused, defuse
from monitor.model import utcnow

_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})
_HTML_ROOTS = frozenset({"html", "head", "body"})
_JSONFEED_VERSION = re.compile(r"https?://jsonfeed\.org/version/1(?:\.\d+)?/?|1(?:\.\d+)?")
# An "&" that does not start one of XML's own references: an HTML entity or a bare ampersand.
_FOREIGN_REF = re.compile(
    r"&(?!(?:amp|lt|gt|quot|apos);|#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};)([A-Za-z][A-Za-z0-9]{0,31};)?"
)
_ID_MARKERS = ("<guid", "<id>", "<id ", ":about=")
_HTTP = ("http://", "https://")  # these need no urlsplit to tell their scheme
_FEEDPARSER_OPTIONS: dict[str, Any] = {"sanitize_html": False, "resolve_relative_uris": False}
# The document is re-encoded as UTF-8 without declaration; without a charset feedparser would
# apply RFC 3023's us-ascii default and read it as windows-1252.
_FEEDPARSER_HEADERS = {"content-type": "application/xml; charset=utf-8"}


def parse_feed(
    body: bytes,
    *,
    url: str,
    source_id: str,
    content_type: str | None = None,
    http_lang: str | None = None,
    fetched_at: datetime | None = None,
    official: bool = False,
    lang_override: str | None = None,
    force_feedparser: bool = False,
) -> ParsedFeed:
    """Parse one feed document fetched from ``url``. Pure: no I/O.

    ``force_feedparser`` skips the fast path (for comparisons in tests and benchmarks).

    Raises ``FeedError`` for a body that is not a feed (HTML page, empty document, truncated
    JSON, refused entity declarations ...).
    """
    if len(body) > MAX_BODY_BYTES:
        raise FeedError(f"document too large: {len(body):,} bytes (limit {MAX_BODY_BYTES:,})")
    decoded = decode_document(body, content_type)
    notes = list(decoded.notes)
    text = decoded.text
    start = text.lstrip("\ufeff \t\r\n")[:1]
    if not start:
        raise FeedError("empty document")
    if start in "{[":
        meta, entries = _read_json(text)
        return _finish(
            meta, entries, "jsonfeed", notes, url=url, source_id=source_id, root_base=None,
            root_lang=None, ttl_min=None, http_lang=http_lang, fetched_at=fetched_at,
            official=official, lang_override=lang_override,
        )  # fmt: skip

    defused = defuse(text)
    notes.extend(defused.notes)
    root_local = defused.root.rsplit(":", 1)[-1].lower() if defused.root else None
    if root_local is not None and root_local not in _FEED_ROOTS:
        kind = "an HTML page" if root_local in _HTML_ROOTS else "XML but not RSS, Atom or RDF"
        raise FeedError(f"not a feed: {kind} (root element <{defused.root}>)")
    header = scan_header(defused.text, defused.root)
    path: ParserPath
    utf8 = _utf8_of(decoded, defused)
    fast = None if force_feedparser else _read_fast(defused.text, header, notes, defused.root, utf8)
    if fast is not None:
        path, (meta, entries) = "fastfeedparser", fast
    else:
        path, (meta, entries) = "feedparser", _read_slow(defused.text, header.root_lang)
    return _finish(
        meta, entries, path, notes, url=url, source_id=source_id, root_base=header.root_base,
        root_lang=header.root_lang, ttl_min=header.ttl_min if header.ttl_min else meta.ttl_min,
        http_lang=http_lang, fetched_at=fetched_at, official=official,
        lang_override=lang_override, declared_lang=header.language or meta.lang,
    )  # fmt: skip


def _finish(
    meta: FeedMeta,
    entries: list[RawEntry],
    path: ParserPath,
    notes: list[str],
    *,
    url: str,
    source_id: str,
    root_base: str | None,
    root_lang: str | None,
    ttl_min: float | None,
    http_lang: str | None,
    fetched_at: datetime | None,
    official: bool,
    lang_override: str | None,
    declared_lang: str | None = None,
) -> ParsedFeed:
    base = url
    if root_base and (resolved := absolute_url(root_base, url)):
        base = resolved
    feed_lang = pick_lang(lang_override, declared_lang or meta.lang, root_lang, http_lang)
    ctx = Context(
        source_id=source_id,
        base_url=base,
        fetched_at=fetched_at or utcnow(),
        official=official,
        lang=feed_lang,
    )
    items, item_notes = to_items(entries, ctx)
    return ParsedFeed(
        title=clean_title(meta.title),
        lang=feed_lang,
        ttl_s=ttl_min * 60.0 if ttl_min else None,
        items=items,
        entries=len(entries),
        notes=tuple(notes + item_notes),
        parser=path,
        link=absolute_url(meta.link, base),
    )


# ------------------------------------------------------------------------------------ JSON Feed


def _read_json(text: str) -> tuple[FeedMeta, list[RawEntry]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(f"not a feed: invalid JSON ({exc})") from None
    except RecursionError:
        raise FeedError("not a feed: JSON nested too deeply") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedError("not a feed: JSON without an 'items' list")
    version = doc.get("version")
    if not isinstance(version, str) or not _JSONFEED_VERSION.fullmatch(version.strip()):
        raise FeedError(f"not a JSON Feed: 'version' is {version!r}, not a jsonfeed.org version")
    return from_jsonfeed(doc)


# ------------------------------------------------------------------------------------------ XML


def _xml_error(doc: bytes) -> tuple[str, int] | None:
    """expat's verdict on well-formedness: None, or (message, byte offset of the error)."""
    # No namespace processing: an undeclared prefix (<dc:creator> without xmlns:dc) is a
    # namespace error, not a well-formedness one, and fastfeedparser reads it fine.
    parser = expat.ParserCreate()
    try:
        parser.Parse(doc, True)
    except expat.ExpatError as exc:
        return f"{expat.errors.messages[exc.code]} at line {exc.lineno}", parser.ErrorByteIndex
    return None


def _repair_refs(text: str) -> str:
    """HTML entities -> character references, bare ``&`` -> ``&amp;``."""

    def fix(m: re.Match[str]) -> str:
        name = m.group(1)
        if name and (chars := html5.get(name)):
            return "".join(f"&#{ord(c)};" for c in chars)
        return "&amp;" + (name or "")

    return _FOREIGN_REF.sub(fix, text)


def _well_formed_bytes(text: str, notes: list[str], utf8: bytes | None = None) -> bytes | str:
    """UTF-8 bytes of a well-formed version of ``text``, or why there is none."""
    doc = text.encode("utf-8", errors="replace") if utf8 is None else utf8
    error = _xml_error(doc)
    if error is None:
        return doc
    message, offset = error
    if message.startswith("junk after document element"):
        notes.append(f"ignored {len(doc) - offset:,} bytes after the root element")
        return doc[:offset]
    repaired = _repair_refs(text)
    if repaired != text:
        fixed = repaired.encode("utf-8", errors="replace")
        if _xml_error(fixed) is None:
            notes.append("repaired HTML entities / bare '&' that XML does not define")
            return fixed
    return f"not well-formed XML ({message})"


# What may follow the root element's end tag without expat objecting: whitespace and comments
# (caching plugins sign their pages with one: "<!-- Page generated in 0.2 s -->").
_AFTER_ROOT = re.compile(r"\s*>(?:\s|<!--(?:[^-]|-(?!-))*-->)*")


def _ends_at_root(text: str, root: str) -> bool:
    """Whether the document ends with the root's end tag, then nothing but whitespace and
    comments."""
    end = text.rfind("</" + root)
    return end >= 0 and _AFTER_ROOT.fullmatch(text, end + 2 + len(root)) is not None


def _read_native(text: str, root: str | None, utf8: bytes | None = None) -> Any | None:
    """fastfeedparser's native (Rust) extractor alone, when it accepts the document: it reads
    only well-formed UTF-8 RSS and Atom (it refuses an undefined entity, a bare ``&``, a
    mismatched tag, a control character, an undeclared prefix ...), so its acceptance is the
    well-formedness verdict and the document is parsed once, not checked by expat first.
    None: not accepted (or content after the root other than comments, which it ignores and
    expat reports), so the checked path decides. Pinned in requirements.lock; without these
    functions (another version) every document takes the checked path."""
    native = getattr(_ffp_main, "_parse_with_core", None)
    prepare = getattr(_ffp_main, "_prepare_xml_bytes", None)
    if native is None or prepare is None or getattr(_ffp_main, "_core", None) is None:
        return None
    if root is None or not _ends_at_root(text, root):
        return None
    try:
        doc, looks_malformed = prepare(
            text.encode("utf-8", errors="replace") if utf8 is None else utf8
        )
        if looks_malformed:
            return None
        return native(
            doc,
            include_content=True,
            include_tags=False,
            include_media=False,
            include_enclosures=True,
        )
    except Exception:  # the checked path decides, and says why
        return None


_RSS090_NS = "http://my.netscape.com/rdf/simple/0.9/"
_RSS10_NS = "http://purl.org/rss/1.0/"


def _as_rss10(text: str, root: str | None) -> str:
    """RSS 0.90 in RSS 1.0's namespace: fastfeedparser looks for RDF items in 1.0's only. The
    elements are the same; the name is swapped in the root's start tag only, never in text."""
    start = text.find("<" + root) if root and root.rsplit(":", 1)[-1] == "RDF" else -1
    end = text.find(">", start)
    if start < 0 or end < 0 or _RSS090_NS not in text[start:end]:
        return text
    return text[:start] + text[start:end].replace(_RSS090_NS, _RSS10_NS) + text[end:]


def _utf8_of(decoded: Decoded, defused: Defused) -> bytes | None:
    """The UTF-8 of ``defused.text`` cut from the fetched bytes, when it is a tail of non-ASCII
    text decoded strictly from UTF-8 after an ASCII head: no encoding of it again. ASCII text
    is encoded by a copy of its own, which measured faster than a slice of the fetched bytes
    (2.9 -> 1.9 ms on the generated feed of bench/feedparse.py)."""
    start = defused.start
    if decoded.utf8 is None or start is None or decoded.text.isascii():
        return None
    if not decoded.text[:start].isascii():
        return None
    return decoded.utf8[start:] if start else decoded.utf8


def _read_fast(
    text: str,
    header: Header,
    notes: list[str],
    root: str | None = None,
    utf8: bytes | None = None,
) -> tuple[FeedMeta, list[RawEntry]] | None:
    """fastfeedparser's reading, or None (with a ``fallback:`` note) when it cannot be trusted.
    ``utf8``: ``text`` in UTF-8, if the caller has it."""
    renamed = _as_rss10(text, root)
    if renamed is not text:
        text, utf8 = renamed, None
    parsed = None if header.entries_have_own_attrs else _read_native(text, root, utf8)
    if parsed is None:
        doc = _well_formed_bytes(text, notes, utf8)
        if isinstance(doc, str):
            notes.append(f"fallback: {doc}")
            return None
        if header.entries_have_own_attrs:
            notes.append("fallback: entries carry their own xml:lang or xml:base")
            return None
        try:
            # Tags and media are not read: Items carry neither.
            parsed = fastfeedparser.parse(doc, include_tags=False, include_media=False)
        except Exception as exc:  # any failure of the fast path only means: the robust one
            notes.append(f"fallback: fastfeedparser failed: {type(exc).__name__}: {exc}"[:300])
            return None
    starts, dates = scan_entries(text)
    count = len(parsed.get("entries") or ())
    if count < len(starts):
        notes.append(f"fallback: fastfeedparser read {count} of {len(starts)} entries")
        return None
    if count == len(starts):
        meta, entries = from_fastfeedparser(parsed, entry_dates(text, starts, dates))
    else:  # more entries than <item>/<entry> tags we saw: cannot align; trust none of its dates
        notes.append("dates dropped: entries could not be aligned with their elements")
        meta, entries = from_fastfeedparser(parsed, [None] * count)
    has_ids: bool | None = None  # searched for only when an entry's id equals its link
    fixed: list[RawEntry] = []
    for entry in entries:
        link = entry.link
        if link is not None and entry.guid == link:
            if has_ids is None:
                has_ids = any(marker in text for marker in _ID_MARKERS)
            if not has_ids:
                # No guid/id elements at all: fastfeedparser copied the link into the id.
                entry = entry._replace(guid=None)
            elif not link.startswith(_HTTP) and urlsplit(link).scheme not in ("http", "https"):
                notes.append("fallback: a relative link doubles as the id; which is the guid?")
                return None
        fixed.append(entry)
    return meta, fixed


def _read_slow(text: str, root_lang: str | None) -> tuple[FeedMeta, list[RawEntry]]:
    # Imported on first use: most documents never need the fallback, and it is a slow import.
    import feedparser

    doc = text.encode("utf-8", errors="replace")
    # No content-location: feedparser would resolve guids against it as if they were URLs
    # ("1559104147038" -> "http://host/1559104147038"); links are resolved in feednorm.
    parsed = feedparser.parse(doc, response_headers=_FEEDPARSER_HEADERS, **_FEEDPARSER_OPTIONS)
    entries = parsed.get("entries") or []
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries and not parsed.get("version"):
        reason = f": {str(problem)[:200]}" if problem else ""
        raise FeedError(f"not a feed: neither RSS, Atom nor RDF{reason}")
    if not entries and problem is not None and (error := _xml_error(doc)) is not None:
        # Ill-formed (not merely a namespace slip) and nothing readable in it: a truncated or
        # broken document, not an empty feed; "0 items" would hide the problem.
        raise FeedError(f"not a feed: ill-formed XML without a readable entry ({error[0]})")
    return from_feedparser(parsed, root_lang)
