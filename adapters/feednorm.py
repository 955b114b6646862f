"""``RawEntry`` -> ``Item``: ids, absolute links, plain text, language, caps, de-duplication.

Item id: the entry's guid/id, else its link, else ``h:`` + a hash of its title and text (so an
entry without either keeps the same id on every poll). Ids longer than ``MAX_ID_CHARS`` are
replaced by ``h:`` + a hash of themselves. Entries repeating an id already seen in the same
document are dropped (the first one wins: feeds list newest first).

Language precedence, most specific first: the entry's own xml:lang / JSON ``language`` > the
source's configured ``lang`` (``lang_override``) > the feed's declared language (``<language>``,
``dc:language``, the root's xml:lang, JSON Feed ``language``) > the HTTP Content-Language
header. The configured language beats the feed's declaration on purpose: CMS templates
declare ``en-us`` on feeds in Hindi or Urdu, and whoever configured the source knows better;
an entry's own tag, rarer and deliberate, still wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from adapters.feedentries import RawEntry
from adapters.feedtypes import (
    MAX_AUTHOR_CHARS,
    MAX_HTML_CHARS,
    MAX_ID_CHARS,
    MAX_ITEMS,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
)
from adapters.htmltext import html_to_text, html_to_texts
from monitor.model import Item, stable_hash

_LANG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*\Z")
_SPACE_RUN = re.compile(r"\s+")
_PLAIN_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][^\s\\]*)?\Z")
_WRAPPED = re.compile(r"\s*[\r\n]\s*")
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")  # U+0080-U+009F in UTF-8
# C1 controls in text are almost always windows-1252 bytes mis-decoded as Latin-1.
_C1_TO_CP1252 = {b: bytes([b]).decode("cp1252", errors="ignore") or None for b in range(0x80, 0xA0)}
_AUTHOR_EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]+)\)$")  # "joe@x.org (Joe Bloggs)"
_AUTHOR_NAME_EMAIL = re.compile(r"^(?P<name>[^<]+?)\s*<\S+@\S+>$")  # "Joe Bloggs <joe@x.org>"


@dataclass(frozen=True, slots=True)
class Context:
    """What every item of one document shares."""

    source_id: str
    base_url: str  # the document's URL, or its root xml:base resolved against it
    fetched_at: datetime
    official: bool
    lang: str | None  # the fallback for entries without their own (override > feed > HTTP)


def norm_lang(value: str | None) -> str | None:
    """ "en-US" -> "en-us", "hi_IN" -> "hi-in", "en, hi" -> "en"; None when not a language tag."""
    if not value:
        return None
    tag = value.split(",", 1)[0].split(";", 1)[0].strip().replace("_", "-").lower()
    return tag if _LANG.match(tag) else None


def pick_lang(*candidates: str | None) -> str | None:
    """The first candidate that is a valid language tag, normalised."""
    for c in candidates:
        if tag := norm_lang(c):
            return tag
    return None


def _demoronize(text: str) -> str:
    # Searched in the UTF-8 bytes: the pattern then starts with a literal byte the regex
    # engine skips to, where a character class is tried at every character of a long text.
    if text.isascii() or not _C1_UTF8.search(text.encode("utf-8", "surrogatepass")):
        return text
    return text.translate(_C1_TO_CP1252)


def _demoronize_all(texts: list[str]) -> list[str]:
    """``[_demoronize(t) for t in texts]``, told for all at once when none holds a C1 control
    (the usual case): the UTF-8 of the joined texts is that of each in turn, and no C2 lead
    byte can start at a join."""
    if all(t.isascii() for t in texts):  # a flag of each string: no pass over the text
        return texts
    joined = "".join(texts)
    if not _C1_UTF8.search(joined.encode("utf-8", "surrogatepass")):
        return texts
    return [_demoronize(t) for t in texts]


def clean_title(raw: str) -> str:
    text = html_to_text(_demoronize(raw[:MAX_HTML_CHARS]))
    return _SPACE_RUN.sub(" ", text).strip()[:MAX_TITLE_CHARS]


def clean_text(summary: str, content: str) -> str:
    """Plain text of the fuller of the two bodies (content usually repeats the summary)."""
    body = content if len(content) > len(summary) else summary
    return html_to_text(_demoronize(body[:MAX_HTML_CHARS]))[:MAX_TEXT_CHARS]


def absolute_url(link: str | None, base: str) -> str | None:
    """``link`` resolved against ``base``; None unless the result is an http(s) URL."""
    if not link:
        return None
    if _PLAIN_ABSOLUTE.match(link) and len(link) <= MAX_URL_CHARS:
        return link  # the common case, without urljoin's and urlsplit's cost
    # Feeds wrap URLs in newlines and indentation; a space inside a URL is a %20 left unescaped.
    link = _WRAPPED.sub("", link.strip()).replace(" ", "%20")
    try:
        url = urljoin(base, link)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > MAX_URL_CHARS:
        return None
    return url


def clean_author(raw: str | None) -> str | None:
    return _author_name(html_to_text(raw)) if raw else None


def _author_name(text: str) -> str | None:
    """An author's display name from its plain text ("joe@x.org (Joe Bloggs)" -> "Joe Bloggs")."""
    if not text:
        return None
    raw = " ".join(text.split())
    for pattern in (_AUTHOR_EMAIL_NAME, _AUTHOR_NAME_EMAIL):
        if m := pattern.match(raw):
            raw = m.group("name").strip()
            break
    return raw[:MAX_AUTHOR_CHARS] or None


def _item_id(guid: str | None, url: str | None, base: str, title: str, text: str) -> str:
    # Whitespace runs as one space, ends stripped (as a \s+ substitution and strip() did).
    ident = " ".join(guid.split()) if guid else None
    # A permalink guid, relative or not, is the same id as the link it names.
    if (
        ident
        and url
        and ident != url
        and _may_name(ident, url)
        and absolute_url(ident, base) == url
    ):
        ident = url
    ident = ident or url
    if not ident:
        return "h:" + stable_hash(title, text)
    if len(ident) > MAX_ID_CHARS:
        return "h:" + stable_hash(ident)
    return ident


def _may_name(ident: str, url: str) -> bool:
    """Whether ``ident`` could resolve to ``url`` (urljoin keeps a reference's last segment,
    query and fragment as written), so most guids ("bench-1-10", "tag:...", numbers) are told
    apart from their link without resolving them."""
    if _PLAIN_ABSOLUTE.match(ident):
        return False  # absolute: resolving changes nothing, and it is not ``url``
    tail = ident.strip().rsplit("/", 1)[-1]
    if not tail or tail in (".", "..") or "\n" in ident or " " in tail:
        return True
    return url.endswith(tail)


def _plain_or_texts(values: list[str]) -> list[str]:
    """``html_to_texts(values)``, or, when none of them holds markup or a reference (most
    titles and author names), the values themselves: one-line fields are flattened by the
    caller, which is all the conversion would do to them."""
    if any("<" in v or "&" in v for v in values):
        return html_to_texts(values)
    return [v.replace("\u200b", "") if "\u200b" in v else v for v in values]


def to_items(entries: Iterable[RawEntry], ctx: Context) -> tuple[list[Item], list[str]]:
    """Normalised, de-duplicated items (at most ``MAX_ITEMS``) and notes about what was dropped."""
    raws = list(entries)
    capped = max(0, len(raws) - MAX_ITEMS)
    raws = raws[:MAX_ITEMS]
    # The HTML of every entry is converted in a few parses (``html_to_texts``), not one each.
    titles = _plain_or_texts(_demoronize_all([r.title[:MAX_HTML_CHARS] for r in raws]))
    bodies = html_to_texts(
        _demoronize_all(
            [
                (r.content if len(r.content) > len(r.summary) else r.summary)[:MAX_HTML_CHARS]
                for r in raws
            ]
        )
    )
    authors = _plain_or_texts([r.author or "" for r in raws])
    items: list[Item] = []
    seen: set[str] = set()
    duplicates = 0
    for raw, raw_title, body, author in zip(raws, titles, bodies, authors, strict=True):
        base = (absolute_url(raw.base, ctx.base_url) if raw.base else None) or ctx.base_url
        url = absolute_url(raw.link, base)
        title = " ".join(raw_title.split())[:MAX_TITLE_CHARS]
        text = body[:MAX_TEXT_CHARS]
        item_id = _item_id(raw.guid, url, base, title, text)
        if item_id in seen:
            duplicates += 1
            continue
        seen.add(item_id)
        items.append(
            Item(
                id=item_id,
                source_id=ctx.source_id,
                title=title,
                text=text,
                url=url,
                published_at=raw.published,
                author=_author_name(author),
                lang=(pick_lang(raw.lang) if raw.lang else None) or ctx.lang,
                fetched_at=ctx.fetched_at,
                official=ctx.official,
            )
        )
    notes: list[str] = []
    if duplicates:
        notes.append(f"{duplicates} entries repeated an id already seen and were dropped")
    if capped:
        notes.append(f"capped at {MAX_ITEMS} items; {capped} more entries ignored")
    return items, notes
