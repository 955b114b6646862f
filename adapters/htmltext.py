"""HTML fragments (feed descriptions, Mastodon content, press pages) -> readable plain text.

Parsed by libxml2's HTML parser (lxml), in C: forgiving, and about three times cheaper per
fragment than building a lexbor document; the tree is read back by a fixed XSLT stylesheet
(libxslt, also C). Block elements and <br> become line breaks so sentence splitting downstream
sees paragraph ends; scripts, styles, templates, comments and processing instructions are
dropped, and so are control characters.

``html_to_texts`` converts many fragments (a feed's descriptions) with one parse: the
fragments are joined by a separator (DEL) that no fragment contains, and each piece of
text between separators is one fragment's text. A fragment that could swallow its neighbours
(an unclosed comment or raw-text element, a tag left open at its end) is parsed on its own.
libxml2 gets UTF-8 bytes; the text it gives back is tidied by ``adapters.htmltidy``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from lxml import etree

from adapters.htmlisolate import ISOLATE as _ISOLATE
from adapters.htmlisolate import hit_fragments
from adapters.htmltidy import SEP as _SEP
from adapters.htmltidy import tidy as _tidy
from adapters.htmltidy import tidy_utf8

_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head")
_BLOCKS = (
    *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption"),
    *("figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"),
    *("nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"),
)
_LOOKS_LIKE_HTML = re.compile(r"<[A-Za-z!/][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_SEP_BYTE = _SEP.encode("ascii")
_PARSER = etree.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
)
# Fed UTF-8 bytes: libxml2 reads them as they are, where a non-ASCII str reaches it as
# UTF-16 or UTF-32 to convert first. An explicit encoding also makes a fragment's own
# <meta charset> count for nothing, as it does for a str.
_UTF8_PARSER = etree.HTMLParser(
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    default_doctype=False,
    encoding="utf-8",
)


# The tags ``_simple_text`` reads as libxml2 does, when they nest as written (no tag closed out
# of order, no block inside a paragraph, heading or inline element, list items in lists):
# then libxml2 neither closes nor reopens anything on its own, and its text is the simple one.
_CONTAINERS = frozenset(
    {"div", "blockquote", "section", "article", "aside", "header", "footer", "figure", "nav"}
    | {"main", "li", "dd", "ul", "ol", "dl"}
)
_PHRASING_BLOCKS = frozenset(("p", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "figcaption"))
_INLINE = frozenset(
    {"a", "b", "i", "em", "strong", "span", "u", "small", "sub", "sup", "code", "abbr", "cite"}
    | {"mark", "s", "q", "time"}
)
_LIST_PARENT = {"li": ("ul", "ol"), "dt": ("dl",), "dd": ("dl",)}
_TAG = re.compile(r"<[^<>]*>")
_TAG_PARTS = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9]{0,15})"
    r"((?:\s+[A-Za-z_][-\w.]*(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=`&]+))?)*)\s*(/?)>"
)
_PARAGRAPH_TAGS = re.compile(r"</?p>|<br */?>")
_REF = re.compile(r"&(?:amp|lt|gt|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_NUMERIC_REF = re.compile(r"&#(?:([0-9]{1,7})|[xX]([0-9a-fA-F]{1,6}));")
_COMMON_REFS = (("&#x27;", "'"), ("&#39;", "'"), ("&quot;", '"'), ("&lt;", "<"), ("&gt;", ">"))
# Characters libxml2 rejects, replaces or treats specially.
_UNSIMPLE_CHAR = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)


def _simple_text(fragment: str) -> str | None:
    """``_parse_text(fragment)`` up to what ``_tidy`` removes, for fragments of paragraphs,
    line breaks, simple inline tags and the usual references; None for any other: then
    libxml2 decides."""
    if _UNSIMPLE_CHAR.search(fragment):
        return None
    text: str | None = fragment
    if "<" in fragment:
        tags = _TAG.findall(fragment)
        if len(tags) != fragment.count("<"):
            return None  # a "<" that opens no tag
        shape = "".join(tags).replace("<br>", "").replace("<br/>", "").replace("<br />", "")
        pairs, rest = divmod(len(shape), 7)
        if shape == "<p></p>" * pairs or (rest == 3 and shape == "<p></p>" * pairs + "<p>"):
            text = _PARAGRAPH_TAGS.sub("\n", fragment)  # the common case, in C
        else:
            text = _nested_text(fragment)
    if text is None or "&" not in text:
        return text
    if text.count("&") != len(_REF.findall(text)):
        return None  # an entity XML does not define, or a bare "&"
    for ref, char in _COMMON_REFS:
        if ref in text:
            text = text.replace(ref, char)
    if "&#" in text:
        failed: list[str] = []
        text = _NUMERIC_REF.sub(lambda m: _char_ref(m, failed), text)
        if failed:
            return None
    return text.replace("&amp;", "&")  # last: its "&" must not start another reference


def _char_ref(m: re.Match[str], failed: list[str]) -> str:
    code = int(m.group(1)) if m.group(1) is not None else int(m.group(2), 16)
    # Printable ASCII and the rest of Unicode past C1, minus surrogates and non-characters.
    if 0x20 <= code < 0x7F or 0xA0 <= code <= 0x10FFFF:
        char = chr(code)
        if not (_UNSIMPLE_CHAR.match(char) or code & 0xFFFE == 0xFFFE):
            return char
    failed.append(m.group())
    return ""


def _nested_text(fragment: str) -> str | None:
    """The fragment with its tags replaced by line breaks (blocks, <br>) or nothing
    (inline), when they nest so that libxml2 closes and opens nothing on its own."""
    pieces: list[str] = []
    open_tags: list[str] = []
    at = 0
    for m in _TAG.finditer(fragment):
        pieces.append(fragment[at : m.start()])
        at = m.end()
        parts = _TAG_PARTS.fullmatch(m.group())
        if parts is None:
            return None  # a comment, a declaration, an odd attribute
        closing, name, attrs, slash = parts.groups()
        name = name.lower()
        if name == "br":
            if closing:
                return None
            pieces.append("\n")
            continue
        if name == "hr":  # void, and it closes an open paragraph
            if closing or slash or (open_tags and open_tags[-1] not in _CONTAINERS):
                return None
            pieces.append("\n")
            continue
        if slash or (closing and attrs):
            return None
        if closing:
            if not open_tags or open_tags.pop() != name:
                return None
            if name not in _INLINE:
                pieces.append("\n")
            continue
        if name in _INLINE:
            if name == "a" and name in open_tags:
                return None  # libxml2 closes the open <a>
        elif name in _CONTAINERS or name in _PHRASING_BLOCKS:
            if open_tags and open_tags[-1] not in _CONTAINERS:
                return None  # libxml2 closes the paragraph or inline element around it
            parents = _LIST_PARENT.get(name)
            if parents is not None and (not open_tags or open_tags[-1] not in parents):
                return None
            if parents is None and open_tags and open_tags[-1] in ("ul", "ol", "dl"):
                return None
            pieces.append("\n")
        else:
            return None
        open_tags.append(name)
    pieces.append(fragment[at:])
    return "".join(pieces)


def looks_like_html(text: str) -> bool:
    # Without "<" or "&" nothing can match: two substring searches, not a character-class
    # pass of the regex over every character of a plain text.
    return ("<" in text or "&" in text) and bool(_LOOKS_LIKE_HTML.search(text))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, with paragraph breaks kept as single newlines."""
    if not fragment:
        return ""
    if not looks_like_html(fragment):
        return _tidy(fragment)
    simple = _simple_text(fragment)
    if simple is not None:
        return _tidy(simple)
    text = _transform(fragment)
    return _tidy(text) if isinstance(text, str) else tidy_utf8(text)


def html_to_texts(fragments: Sequence[str]) -> list[str]:
    """``[html_to_text(f) for f in fragments]``, with one parse for the fragments that need
    one and can share it, and one tidying pass for its text and the fragments without markup.
    No simple path here: its checks run in Python over every character and tag, and cost
    more than the fragment's share of a parse libxml2 does anyway."""
    out = [""] * len(fragments)
    shared: list[int] = []
    plain: list[int] = []  # no markup: tidied with the parse's text
    for i, fragment in enumerate(fragments):
        if not fragment:
            continue
        if not looks_like_html(fragment):
            if _SEP in fragment:
                out[i] = _tidy(fragment)
            else:
                plain.append(i)
        elif _SEP in fragment or fragment.rfind("<") > fragment.rfind(">"):
            out[i] = _tidy(_parse_text(fragment))  # a tag left open at the end
        else:
            shared.append(i)
    joined, data = "", None
    if len(shared) > 1:
        joined, data = _joined(fragments, shared)
        if data is None:
            alone = {i for i in shared if _ISOLATE.search(fragments[i])}
        else:
            alone = {
                shared[k]
                for k in hit_fragments(data, _SEP_BYTE)
                if _ISOLATE.search(fragments[shared[k]])
            }
        if alone:
            for i in sorted(alone):
                out[i] = _tidy(_parse_text(fragments[i]))
            shared = [i for i in shared if i not in alone]
            joined, data = _joined(fragments, shared)
    # One text to tidy: the shared parse's (its fragments' texts joined by the separator), then
    # the fragments without markup, joined by it too; each piece is one fragment's text.
    texts: list[bytes] = []
    order: list[int] = []
    parsed: bytes | str = b""
    if shared:
        parsed = _transform(joined, data) if len(shared) > 1 else _transform(fragments[shared[0]])
        if isinstance(parsed, bytes):
            texts.append(parsed)
            order.extend(shared)
        else:
            _tidy_apart(fragments, shared, parsed, out)
    for i in plain:
        utf8 = _utf8(fragments[i])
        if utf8 is None:
            out[i] = _tidy(fragments[i])
        else:
            texts.append(utf8)
            order.append(i)
    if not order:
        return out
    pieces = tidy_utf8(_SEP_BYTE.join(texts), keep_sep=True).split(_SEP)
    if len(pieces) == len(order):
        for i, piece in zip(order, pieces, strict=True):
            out[i] = piece.strip()
        return out
    # Not one piece per fragment (a DEL the parse read from "&#127;"): each part on its own.
    for i in plain:
        out[i] = _tidy(fragments[i])
    if isinstance(parsed, bytes) and shared:
        _tidy_apart(fragments, shared, parsed.decode("utf-8"), out)
    return out


def _tidy_apart(fragments: Sequence[str], shared: list[int], parsed: str, out: list[str]) -> None:
    """The text ``parsed`` of the shared parse (or of the one fragment in it) tidied on its
    own, into ``out``."""
    if len(shared) == 1:
        out[shared[0]] = _tidy(parsed)
        return
    pieces = _tidy(parsed, keep_sep=True).split(_SEP)
    if len(pieces) != len(shared):  # cannot happen with the checks above; stay correct
        pieces = [_tidy(_parse_text(fragments[i])) for i in shared]
    for i, piece in zip(shared, pieces, strict=True):
        out[i] = piece.strip()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


def _joined(fragments: Sequence[str], indexes: list[int]) -> tuple[str, bytes | None]:
    """The fragments at ``indexes`` joined by the separator: in UTF-8 ("" for the text, which
    is then not needed), or as text when one holds a lone surrogate. Joined as bytes, without
    a joined copy of the text first (a large allocation costs more than its bytes)."""
    try:
        return "", _SEP_BYTE.join([fragments[i].encode("utf-8") for i in indexes])
    except UnicodeEncodeError:
        return _SEP.join(fragments[i] for i in indexes), None


def _utf8(text: str) -> bytes | None:
    """``text`` in UTF-8, or None when it holds a lone surrogate (a JSON Feed can): such
    text goes to libxml2 as a str, as it always did."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _parse(fragment: str, data: bytes | None = None) -> etree._Element | None:
    """``data``: ``fragment`` in UTF-8 if the caller has it."""
    if data is None:
        data = _utf8(fragment)
    try:
        if data is None:
            return etree.fromstring(fragment, _PARSER)
        return etree.fromstring(data, _UTF8_PARSER)
    except (etree.ParserError, ValueError):
        return None  # nothing but whitespace or markup without content


# The tree -> text reading of ``_walk_text`` as a stylesheet, so libxslt walks the tree in C: a
# feed's descriptions share one parse, and a Python loop over its thousands of nodes cost more
# than the parse. Same output (a test compares them on generated fragments).
_STYLESHEET = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="{"|".join(_DROP)}"/>
<xsl:template match="br"><xsl:text>&#10;</xsl:text></xsl:template>
<xsl:template match="{"|".join(_BLOCKS)}"><xsl:text>&#10;</xsl:text><xsl:apply-templates/>\
<xsl:text>&#10;</xsl:text></xsl:template>
</xsl:stylesheet>"""
# One compiled stylesheet per thread: parse_feed runs in worker threads, and lxml documents no
# concurrent use of one XSLT object.
_LOCAL = threading.local()


def _stylesheet() -> etree.XSLT:
    xslt: etree.XSLT | None = getattr(_LOCAL, "xslt", None)
    if xslt is None:
        xslt = _LOCAL.xslt = etree.XSLT(etree.XML(_STYLESHEET))
    return xslt


def _parse_text(fragment: str, data: bytes | None = None) -> str:
    text = _transform(fragment, data)
    return text if isinstance(text, str) else text.decode("utf-8")


def _transform(fragment: str, data: bytes | None = None) -> bytes | str:
    """The text of ``fragment`` as the stylesheet writes it, in UTF-8 bytes, or as str where
    lxml's reading of it as str differs from decoding them: lxml cuts the encoding out of
    anything that starts like an XML declaration ("<?xml ... encoding=...?>" as text)."""
    root = _parse(fragment, data)
    if root is None:
        return ""
    try:
        result = _stylesheet()(root)
    except etree.XSLTError:  # libxslt gave up (a resource limit): the same reading in Python
        return _walk_text(root)
    text = bytes(result)
    return str(result) if text.startswith(b"<?xml") else text


def _walk_text(root: etree._Element) -> str:
    """The reading ``_STYLESHEET`` does, node by node."""
    etree.strip_elements(root, *_DROP, with_tail=False)
    for node in root.iter(*_BLOCKS, "br"):
        # A line break before and after each block, and in place of each <br>. libxml2 reads
        # "&#1;" into a control character that lxml then refuses to write back: drop it.
        if node.tag != "br":
            node.text = "\n" + _xml_safe(node.text) if node.text else "\n"
        node.tail = "\n" + _xml_safe(node.tail) if node.tail else "\n"
    text: str = etree.tostring(root, method="text", encoding=str)
    return text
