"""HTML fragments (feed descriptions, Mastodon content, press pages) -> readable plain text.

Uses selectolax (lexbor): fast and forgiving. Block elements and <br> become line breaks so
sentence splitting downstream sees paragraph ends; scripts, styles and templates are dropped.
"""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser

_DROP = "script, style, noscript, template, iframe, object, embed, svg, head"
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    ]
)
_LOOKS_LIKE_HTML = re.compile(r"<[A-Za-z!/][^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, with paragraph breaks kept as single newlines."""
    if not fragment:
        return ""
    if not looks_like_html(fragment):
        return _tidy(fragment)
    tree = LexborHTMLParser(f"<body>{fragment}</body>")
    for node in tree.css(_DROP):
        node.decompose()
    root = tree.body
    if root is None:
        return _tidy(html.unescape(fragment))
    for node in root.css("br"):
        node.replace_with("\n")
    for node in root.traverse(include_text=False):
        if node.tag in _BLOCKS:
            node.insert_before("\n")
            node.insert_after("\n")
    return _tidy(root.text(deep=True, separator=""))


def _tidy(text: str) -> str:
    # str.split() with no argument splits on all Unicode whitespace (NBSP included) and is
    # several times faster than a regex per line; ZWSP is not whitespace, so drop it first.
    lines = (" ".join(line.replace("\u200b", "").split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
