"""HTML fragments (feed descriptions, Mastodon content, press pages) -> readable plain text.

Parsed by libxml2's HTML parser (lxml), in C: forgiving, and about three times cheaper per
fragment than building a lexbor document. Block elements and <br> become line breaks so
sentence splitting downstream sees paragraph ends; scripts, styles, templates, comments and
processing instructions are dropped.

``html_to_texts`` converts many fragments (a feed's descriptions) with one parse: the
fragments are joined by a private-use separator that no fragment contains, and each piece of
text between separators is one fragment's text. A fragment that could swallow its neighbours
(an unclosed comment or raw-text element, a tag left open at its end) is parsed on its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head")
_BLOCKS = (
    *("address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption"),
    *("figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"),
    *("nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"),
)
_LOOKS_LIKE_HTML = re.compile(r"<[A-Za-z!/][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_SEP = "\ue000"
# What can make the parser read past the end of a fragment: comments, CDATA, processing
# instructions, raw-text or foreign elements, and a "<" whose tag is not closed.
_ISOLATE = re.compile(
    r"<[!?]|<(?:script|style|textarea|title|xmp|plaintext|noembed|noframes|iframe|noscript"
    r"|template|svg|math|object|embed|head|html|body|frameset)\b",
    re.I,
)
_PARSER = etree.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, default_doctype=False
)


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, with paragraph breaks kept as single newlines."""
    if not fragment:
        return ""
    if not looks_like_html(fragment):
        return _tidy(fragment)
    return _tidy(_parse_text(fragment))


def html_to_texts(fragments: Sequence[str]) -> list[str]:
    """``[html_to_text(f) for f in fragments]``, with one parse for the fragments that need
    one and can share it."""
    out = [""] * len(fragments)
    shared: list[int] = []
    for i, fragment in enumerate(fragments):
        if not fragment:
            continue
        if not looks_like_html(fragment):
            out[i] = _tidy(fragment)
        elif _SEP in fragment or fragment.rfind("<") > fragment.rfind(">"):
            out[i] = _tidy(_parse_text(fragment))  # a tag left open at the end
        else:
            shared.append(i)
    if shared and _ISOLATE.search("".join(fragments[i] for i in shared)):
        alone = [i for i in shared if _ISOLATE.search(fragments[i])]
        for i in alone:
            out[i] = _tidy(_parse_text(fragments[i]))
        shared = [i for i in shared if i not in alone]
    if len(shared) == 1:
        out[shared[0]] = _tidy(_parse_text(fragments[shared[0]]))
    elif shared:
        # Tidied as one text: the separator is no whitespace, so it stays where it was.
        joined = _tidy(_parse_text(_SEP.join(fragments[i] for i in shared)))
        pieces = joined.split(_SEP)
        if len(pieces) != len(shared):  # cannot happen with the checks above; stay correct
            pieces = [_tidy(_parse_text(fragments[i])) for i in shared]
        for i, piece in zip(shared, pieces, strict=True):
            out[i] = piece.strip()
    return out


def _parse_text(fragment: str) -> str:
    try:
        root = etree.fromstring(fragment, _PARSER)
    except (etree.ParserError, ValueError):
        root = None
    if root is None:  # nothing but whitespace or markup without content
        return ""
    etree.strip_elements(root, *_DROP, with_tail=False)
    for node in root.iter(*_BLOCKS, "br"):
        # A line break before and after each block, and in place of each <br>.
        if node.tag != "br":
            node.text = "\n" + node.text if node.text else "\n"
        node.tail = "\n" + node.tail if node.tail else "\n"
    text: str = etree.tostring(root, method="text", encoding=str)
    return text


def _tidy(text: str) -> str:
    # str.split() with no argument splits on all Unicode whitespace (NBSP included) and is
    # several times faster than a regex per line; ZWSP is not whitespace, so drop it first.
    if "\u200b" in text:
        text = text.replace("\u200b", "")
    lines = []
    for line in text.splitlines():
        if words := line.split():
            lines.append(" ".join(words))
    return "\n".join(lines)
