"""What a cheap scan of a feed document, outside the parsers, tells ``adapters.feedreader``:
the root's xml:lang and xml:base, ``<language>`` and ``<ttl>`` before the first entry, and
whether entries carry their own xml:lang / xml:base (then feedparser reads the document)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapters.feeddates import ENTRY_TAG

_LANGUAGE_EL = re.compile(
    r"<(?:dc:)?language\s*>\s*(?:<!\[CDATA\[)?\s*([A-Za-z][A-Za-z0-9_-]{0,34})", re.I
)
_TTL_EL = re.compile(r"<ttl\s*>\s*(\d{1,7})\s*</ttl", re.I)
_XML_LANG = re.compile(r"""\sxml:lang\s*=\s*["']([^"']{0,35})["']""")
_XML_BASE = re.compile(r"""\sxml:base\s*=\s*["']([^"']{0,2048})["']""")
_ENTRY_ATTRS = re.compile("xml:(?:lang|base)")  # one pass, twice as fast as str.find("xml:")


@dataclass(frozen=True, slots=True)
class Header:
    """What a cheap scan of the document (outside the parsers) tells."""

    root_lang: str | None
    root_base: str | None
    language: str | None  # <language> / <dc:language> before the first entry
    ttl_min: float | None
    entries_have_own_attrs: bool  # xml:lang / xml:base after the first entry starts


def scan_header(text: str, root: str | None) -> Header:
    first_entry = ENTRY_TAG.search(text)
    head_end = first_entry.start() if first_entry else len(text)
    root_tag = ""
    if root is not None and (at := text.find("<" + root)) >= 0:
        root_tag = text[at : text.find(">", at) + 1]
    root_lang = m.group(1) if (m := _XML_LANG.search(root_tag)) else None
    root_base = m.group(1).strip() if (m := _XML_BASE.search(root_tag)) else None
    language = m.group(1) if (m := _LANGUAGE_EL.search(text, 0, head_end)) else None  # no copy
    ttl = float(m.group(1)) if (m := _TTL_EL.search(text, 0, head_end)) else None
    return Header(
        root_lang=root_lang,
        root_base=root_base,
        language=language,
        ttl_min=ttl,
        entries_have_own_attrs=_ENTRY_ATTRS.search(text, head_end) is not None,
    )
