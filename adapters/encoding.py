"""Bytes of a fetched feed -> text: which character encoding a document is really in.

Order of evidence (first that applies wins):

1. A byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE), or the NUL pattern of an unmarked
   UTF-16/32 document (XML 1.0 appendix F).
2. Bytes that are valid UTF-8 and contain non-ASCII bytes are UTF-8, whatever a label says: a
   legacy-encoded text almost never forms valid UTF-8 by accident, while a UTF-8 feed labelled
   ISO-8859-1 (a web server's default charset) is the commonest encoding bug there is.
3. The HTTP ``charset`` parameter, then the XML declaration's ``encoding`` (RFC 7303 gives the
   HTTP header precedence), each used only if the bytes decode strictly in it.
4. A charset detector (charset-normalizer) when no label fits, or when the label is a
   server-default Latin-1 one the bytes make no sense in: windows-1252 stays the answer
   whenever it reads the bytes plausibly (undeclared Latin-1 feeds are common, and on a
   short Latin text a detector's first guess is often a sibling code page such as
   windows-1250 or mac-latin2); otherwise the detector's best reading (KOI8-R or
   windows-1251 Cyrillic, GB2312, Hebrew ...), with a note.
5. windows-1252, with a note: what browsers do.

Labels are mapped the way browsers map them (WHATWG Encoding): GB2312/GBK -> GB18030,
ISO-8859-1/US-ASCII -> windows-1252, Big5 -> Big5-HKSCS, EUC-KR -> CP949, Shift_JIS -> CP932.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" or "<" + a letter in UTF-16/32 without a BOM (XML 1.0 appendix F).
_UNMARKED: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_XML_DECL_ENCODING = re.compile(
    rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_ALIASES: dict[str, str] = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "gb_2312-80": "gb18030",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "windows-949": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}
_UTF_FAMILY = ("utf-16", "utf-32", "ucs-2", "ucs-4", "unicode")
FALLBACK_ENCODING = "cp1252"
_LATIN1_READINGS = frozenset({"cp1252", "latin_1"})
DETECT_SAMPLE_BYTES = 256 * 1024  # the detector reads this much; the whole body must decode


@dataclass(frozen=True, slots=True)
class Decoded:
    """A document as text, the codec that produced it and anything worth a note."""

    text: str
    encoding: str
    notes: tuple[str, ...] = ()
    # The bytes ``text`` is exactly the UTF-8 of (strictly decoded from them), so the parsers
    # get them without encoding the text again; None for any other decoding.
    utf8: bytes | None = None


def charset_of(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, lower-cased, if any."""
    if not content_type:
        return None
    m = _CHARSET_PARAM.search(content_type)
    return m.group(1).lower() if m else None


def codec_for(label: str | None) -> str | None:
    """The Python codec for an encoding label, or None when the label is unknown."""
    if not label:
        return None
    label = label.strip().lower()
    name = _ALIASES.get(label, label)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_encoding(body: bytes) -> str | None:
    """The ``encoding`` of the XML declaration, read from the first bytes (ASCII-compatible)."""
    m = _XML_DECL_ENCODING.search(body, 0, 1024)
    return m.group(1).decode("ascii").lower() if m else None


def decode_document(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode a feed document; never raises (the last resort is windows-1252)."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return _decode_marked(body[len(bom) :], codec, "byte-order mark")
    head = body[:4]
    for pattern, codec in _UNMARKED:
        if head.startswith(pattern):
            return _decode_marked(body, codec, "byte pattern")

    if body.isascii():  # most feeds: every label means the same thing here
        return Decoded(body.decode("ascii"), "ascii", utf8=body)

    notes: list[str] = []
    http_label = charset_of(content_type)
    decl_label = declared_encoding(body)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        for source, label in (("HTTP charset", http_label), ("XML declaration", decl_label)):
            if label and codec_for(label) != "utf-8":
                notes.append(f"encoding: {source} says {label!r} but the bytes are UTF-8")
                break
        return Decoded(text, "utf-8", tuple(notes), utf8=body)

    for source, label in (("HTTP charset", http_label), ("XML declaration", decl_label)):
        if not label:
            continue
        found = codec_for(label)
        if found is None:
            notes.append(f"encoding: unknown {source} {label!r}")
            continue
        codec = found
        if codec.startswith(_UTF_FAMILY) or codec == "utf-8":
            notes.append(f"encoding: {source} says {label!r} but the bytes are not {label}")
            continue
        if codec == FALLBACK_ENCODING:
            # Latin-1 is what servers say when nobody configured a charset: trusted only
            # when the bytes read plausibly in it.
            detected = detect_encoding(body)
            if detected is not None:
                notes.append(f"encoding: {source} says {label!r}; detected {detected}")
                return Decoded(body.decode(detected), detected, tuple(notes))
        try:
            return Decoded(body.decode(codec), codec, tuple(notes))
        except UnicodeDecodeError:
            notes.append(f"encoding: the bytes are not valid {label} ({source})")
    detected = detect_encoding(body)
    if detected is not None:
        notes.append(f"encoding: undeclared or wrong; detected {detected}")
        return Decoded(body.decode(detected), detected, tuple(notes))
    notes.append(f"encoding: undeclared or wrong; decoded as {FALLBACK_ENCODING}")
    return Decoded(_decode_cp1252(body), FALLBACK_ENCODING, tuple(notes))


def detect_encoding(body: bytes) -> str | None:
    """The codec a charset detector finds for non-UTF-8 ``body``, or None to keep
    windows-1252: when any plausible reading is Latin-1-like, or nothing decodes the whole
    body strictly."""
    matches = from_bytes(body[:DETECT_SAMPLE_BYTES])
    if any(_LATIN1_READINGS.intersection(m.could_be_from_charset) for m in matches):
        return None
    for match in matches:  # best first
        # Python codec names to labels ("euc_kr" -> "euc-kr"), so the WHATWG supersets apply.
        codec = codec_for(match.encoding.replace("_", "-"))
        if codec in (None, "utf-8", FALLBACK_ENCODING) or codec.startswith(_UTF_FAMILY):
            continue  # a BOM or the UTF-8 check found these; windows-1252 is the fallback
        try:
            body.decode(codec)
        except UnicodeDecodeError:
            continue  # the sample decoded, the rest does not
        return codec
    return None


def _decode_marked(body: bytes, codec: str, evidence: str) -> Decoded:
    try:
        return Decoded(body.decode(codec), codec, utf8=body if codec == "utf-8" else None)
    except UnicodeDecodeError as exc:
        note = f"encoding: invalid {codec} bytes after the {evidence} (at byte {exc.start})"
        return Decoded(body.decode(codec, errors="replace"), codec, (note,))


def _decode_cp1252(body: bytes) -> str:
    # Five bytes are undefined in windows-1252; read them as Latin-1 rather than fail.
    return body.decode(FALLBACK_ENCODING, errors="bilat_latin1_fallback")


def _latin1_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error("bilat_latin1_fallback", _latin1_fallback)
