"""HTML bytes -> text with the right character encoding (pure).

Order of evidence (the first that applies wins):

1. A byte-order mark.
2. Bytes that are valid UTF-8 and contain non-ASCII bytes are UTF-8 whatever a label says (a
   legacy encoding almost never forms valid UTF-8 by accident; a UTF-8 page labelled
   ISO-8859-1 by a server default is a common bug).
3. The HTTP ``charset``, then a ``<meta charset>`` / ``<meta http-equiv="Content-Type">`` in the
   first 4 KB, each used only if the bytes decode strictly in it.
4. A charset detector's reading when windows-1252 makes no sense of the bytes (undeclared
   Cyrillic or CJK pages; ``adapters.encoding.detect_encoding``), else windows-1252.

Labels are read the WHATWG way: ``iso-8859-1``, ``latin1`` and ``us-ascii`` mean windows-1252
(pages that say Latin-1 use its extra letters: curly quotes, dashes), GB2312/GBK mean GB18030,
Shift_JIS means CP932, EUC-KR means CP949, Big5 means Big5-HKSCS.
"""

from __future__ import annotations

import codecs
import re

from adapters.encoding import detect_encoding

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_WHATWG = {
    **dict.fromkeys(
        ("iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "cp819"),
        "cp1252",
    ),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "gb_2312-80"), "gb18030"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji"), "cp932"),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "korean"), "cp949"),
    **dict.fromkeys(("big5", "x-x-big5", "cn-big5"), "big5hkscs"),
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = label.strip().lower()
    if name in _WHATWG:
        return _WHATWG[name]
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # A page whose <meta> we could read as ASCII is not UTF-16/32, whatever it claims.
    return None if codec.startswith(("utf-16", "utf-32")) else codec


def _decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def sniff_encoding(body: bytes, content_type: str | None = None) -> str:
    """The Python codec to decode an HTML page with."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    if not body.isascii() and _decodes(body, "utf-8"):
        return "utf-8"
    header = _HEADER_CHARSET.search(content_type or "")
    meta = _META.search(body[:4096])
    for label in (header.group(1) if header else None, meta.group(1).decode() if meta else None):
        codec = _codec(label)
        if codec and _decodes(body, codec):
            return codec
    if body.isascii():
        return "utf-8"
    return detect_encoding(body) or "cp1252"


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """The page as text; bytes no encoding explains become U+FFFD rather than an error."""
    text = body.decode(sniff_encoding(body, content_type), errors="replace")
    return text.removeprefix("\ufeff")
