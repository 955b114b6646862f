"""Which HTML fragments cannot share a parse with their neighbours (``adapters.htmltext``).

Comments, CDATA, processing instructions, raw-text or foreign elements and document-level
tags can make libxml2 read past the end of a fragment, so a fragment holding one is parsed
on its own. ``ISOLATE`` finds them in a fragment's text; ``hit_fragments`` finds, with the
bytes pattern ``ISOLATE_BYTES``, the fragments of a joined text where the text search can
find anything, so only those are searched as text.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_ISOLATE_NAMES = (
    *("script", "style", "textarea", "title", "xmp", "plaintext", "noembed", "noframes"),
    *("iframe", "noscript", "template", "svg", "math", "object", "embed", "head", "html"),
    *("body", "frameset"),
)


def name_trie(names: tuple[str, ...] | list[str]) -> str:
    """A regex alternation matching exactly ``names``, their common prefixes factored out
    ("s(?:cript|tyle|vg)|t(?:extarea|itle|emplate)|..."): at each "<" the engine then tries a
    branch per first letter, not one per name (a third less time on feed HTML)."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name[0], []).append(name[1:])
    parts = []
    for first, rests in groups.items():
        if len(rests) == 1:
            parts.append(first + rests[0])
            continue
        inner = name_trie([r for r in rests if r])
        parts.append(f"{first}(?:{inner}){'?' if '' in rests else ''}")
    return "|".join(parts)


_TRIE = name_trie(_ISOLATE_NAMES)
ISOLATE = re.compile(rf"<(?:[!?]|(?:{_TRIE})\b)", re.I)
# The letters Python's case-insensitive matching reads as ASCII ones ("<\u017fcript>", with a
# long s, is a script tag to ``ISOLATE``); ASCII case folding in bytes knows none of them.
_FOLDS_TO_ASCII = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


def _all_spellings(names: str) -> str:
    """``names`` (a regex alternation) with each letter that has a non-ASCII spelling under
    case folding written both ways, for a pattern over UTF-8 bytes."""
    return "".join(
        f"(?:{c}|{'|'.join(_FOLDS_TO_ASCII[c])})" if c in _FOLDS_TO_ASCII else c for c in names
    )


# ``ISOLATE`` in UTF-8 bytes, for the joined fragments of a shared parse: a search of bytes is
# several times faster than one of non-ASCII text. Whatever ``ISOLATE`` finds in a fragment
# starts a match of this one (ASCII word boundaries find more, not less), so only the
# fragments it finds something in need the search of their text.
# The lookahead (the first bytes of every branch) turns away end tags and most tags at once.
_FIRST = sorted({name[0] for name in _ISOLATE_NAMES})
_FIRST_BYTES = "".join(_FIRST).encode() + bytes(
    sorted({c.encode()[0] for first in _FIRST for c in _FOLDS_TO_ASCII.get(first, "")})
)
ISOLATE_BYTES = re.compile(
    b"<(?=[!?" + _FIRST_BYTES + b"])" + f"(?:[!?]|(?:{_all_spellings(_TRIE)})\\b)".encode(), re.I
)


def hit_fragments(data: bytes, sep: bytes) -> set[int]:
    """Positions (in the joined order) of the fragments of ``data``, joined by ``sep``, in
    which ``ISOLATE_BYTES`` finds something: only those need the search of their text."""
    hits = [m.start() for m in ISOLATE_BYTES.finditer(data)]
    if not hits:
        return set()
    ends: list[int] = []  # where each fragment but the last ends: its separator
    at = data.find(sep)
    while at >= 0:
        ends.append(at)
        at = data.find(sep, at + 1)
    return {bisect_right(ends, hit) for hit in hits}
