"""HTML bytes -> text with the right character encoding (pure).

Order of evidence, as browsers do it: a byte-order mark, then the HTTP ``charset``, then a
``<meta charset>`` / ``<meta http-equiv="Content-Type">`` in the first 4 KB, then UTF-8 if the
bytes are valid UTF-8, else windows-1252. Labels are read the WHATWG way: ``iso-8859-1``,
``latin1`` and ``us-ascii`` mean windows-1252 (pages that say Latin-1 use its extra letters).
"""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_WHATWG_1252 = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819"}
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = label.strip().lower()
    if name in _WHATWG_1252:
        return "cp1252"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def sniff_encoding(body: bytes, content_type: str | None = None) -> str:
    """The Python codec to decode an HTML page with."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    header = _HEADER_CHARSET.search(content_type or "")
    if header and (codec := _codec(header.group(1))):
        return codec
    if m2 := _META.search(body[:4096]):
        codec = _codec(m2.group(1).decode("ascii", "replace"))
        # A page cannot really be UTF-16 if we could read its <meta> as ASCII.
        if codec and not codec.startswith("utf-16"):
            return codec
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """The page as text; undecodable bytes become U+FFFD rather than an error."""
    encoding = sniff_encoding(body, content_type)
    text = body.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")
