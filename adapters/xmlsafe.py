"""The entity safety net: every XML feed passes through ``defuse`` before any parser sees it.

feedparser 6 expanded a 106 KB feed with one 100 KB entity used 2,000 times into a
200-million-character title; "billion laughs" nests entities to the same end; external entities
(``SYSTEM``/``PUBLIC``, ``file://`` or ``http://``) read local files or make requests. So the
prolog is read here, by hand, and what reaches the parsers never has a DOCTYPE at all:

* a DOCTYPE without an internal subset (RSS 0.91's Netscape DTD, XHTML DTDs) is dropped;
  nothing is ever loaded from its URL;
* internal *general* entities whose value is plain text (no markup, no reference to another
  entity) are expanded here, within a budget of ``MAX_ENTITY_EXPANSION`` added characters,
  and the DOCTYPE is dropped. This keeps the rare honest use right (feedparser's suite case
  ``entity_in_doctype.xml`` defines ``&id;`` for a guid prefix);
* everything else is refused with a ``FeedError`` naming the reason: external entities,
  parameter entities, entities referring to other entities (billion laughs), entities holding
  markup, unparsed (NDATA) entities, more than ``MAX_ENTITIES`` declarations, or an expansion
  over budget.

The XML declaration is dropped too: the parsers get UTF-8 (the caller re-encodes), and a
declaration naming another encoding, or sitting after a comment, would only mislead them.
When the prolog cannot be read (junk before the root), any ``<!ENTITY`` in the document is
refused, since a lenient parser might still find and honour it.

Why this is not defusedxml: defusedxml hardens the stdlib parsers we call ourselves (the OPML
import uses it), but feeds are parsed by libraries that run their own parsers: fastfeedparser
uses lxml, feedparser drives expat through ``xml.sax`` and falls back to its own loose SGML
parser. defusedxml could only reach those by patching them process-wide (its lxml module is
deprecated), and it refuses every entity declaration, while honest feeds use plain internal
ones. So the guard works on the text, in front of every parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from adapters.feedtypes import FeedError

MAX_ENTITIES = 64
MAX_ENTITY_EXPANSION = 100_000  # characters the expansion may add to the document

_WS = " \t\r\n"
_NAME = re.compile(r"[^\s/>?!<\"'=]+")
_ENTITY_DECL = re.compile(r"<!ENTITY\s+(%\s+)?([^\s\"'%&;<>]+)\s*(.*)>\Z", re.S)
_PLAIN_VALUE = re.compile(r"(?:[^<&%]|&#[0-9]{1,7};|&#x[0-9a-fA-F]{1,6};)*\Z", re.S)
_XML_DECL = re.compile(r"<\?xml[\s?]")
_ANY_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
_PREDEFINED = frozenset({"amp", "lt", "gt", "quot", "apos"})


@dataclass(frozen=True, slots=True)
class Defused:
    """The document without XML declaration and DOCTYPE, its internal entities expanded.

    ``root`` is the root element's qualified name ("rss", "feed", "rdf:RDF"), or None when
    junk before it kept the prolog from being read.
    """

    text: str
    root: str | None
    notes: tuple[str, ...] = field(default=())
    # ``text`` is the input from this index on (nothing else was cut or expanded), or None.
    start: int | None = None


def defuse(text: str) -> Defused:
    """Read the prolog, refuse dangerous declarations and return what a parser may see."""
    cuts: list[tuple[int, int]] = []
    entities: dict[str, str] = {}
    notes: list[str] = []
    n = len(text)
    i = 1 if text.startswith("\ufeff") else 0
    root: str | None = None
    while True:
        while i < n and text[i] in _WS:
            i += 1
        if i >= n:
            raise FeedError("empty document: no root element")
        if text.startswith("<?", i):
            end = _find_end(text, "?>", i, "processing instruction")
            if _XML_DECL.match(text, i):
                cuts.append((i, end))
            i = end
        elif text.startswith("<!--", i):
            i = _find_end(text, "-->", i, "comment")
        elif text[i : i + 9].upper() == "<!DOCTYPE":
            end = _read_doctype(text, i, entities)
            cuts.append((i, end))
            i = end
        elif text.startswith("<", i) and (m := _NAME.match(text, i + 1)):
            root = m.group(0)
            break
        else:
            break  # junk before the root: leave it to the parsers' recovery
    if root is None and _ANY_ENTITY_DECL.search(text, i):
        raise FeedError("refused: an entity declaration in a document whose prolog is unreadable")
    tail_from: int | None = 0 if not cuts else None
    if len(cuts) == 1 and cuts[0][0] == 0:
        tail_from = cuts[0][1]
        text = text[tail_from:]  # the usual XML declaration first: one copy, not two
    elif cuts:
        parts: list[str] = []
        last = 0
        for start, end in cuts:
            parts.append(text[last:start])
            last = end
        parts.append(text[last:])
        text = "".join(parts)
    if entities:
        text = _expand(text, entities)
        notes.append(f"expanded internal entities: {', '.join(sorted(entities))}"[:200])
        tail_from = None
    return Defused(text, root, tuple(notes), tail_from)


def _find_end(text: str, terminator: str, start: int, what: str) -> int:
    end = text.find(terminator, start)
    if end < 0:
        raise FeedError(f"truncated document: unterminated {what} in the prolog")
    return end + len(terminator)


def _read_doctype(text: str, start: int, entities: dict[str, str]) -> int:
    """Index after the DOCTYPE at ``start``; fills ``entities`` from its internal subset."""
    i = start + 9
    n = len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            i = _find_end(text, c, i + 1, "DOCTYPE literal")
        elif c == "[":
            i = _read_subset(text, i + 1, entities)
        elif c == ">":
            return i + 1
        else:
            i += 1
    raise FeedError("truncated document: unterminated DOCTYPE")


def _read_subset(text: str, i: int, entities: dict[str, str]) -> int:
    n = len(text)
    while i < n:
        c = text[i]
        if c in _WS:
            i += 1
        elif c == "]":
            return i + 1
        elif text.startswith("<!--", i):
            i = _find_end(text, "-->", i, "comment in the DTD")
        elif text.startswith("<?", i):
            i = _find_end(text, "?>", i, "processing instruction in the DTD")
        elif text.startswith("<!", i):
            end = _declaration_end(text, i)
            decl = text[i:end]
            if decl.startswith("<!ENTITY"):
                _add_entity(decl, entities)
            elif not decl.startswith(("<!ELEMENT", "<!ATTLIST", "<!NOTATION")):
                raise FeedError(f"refused: unsupported DTD declaration {decl[:40]!r}")
            i = end
        elif c == "%":
            raise FeedError("refused: parameter-entity reference in the DTD")
        else:
            raise FeedError(f"refused: unreadable DTD internal subset near {text[i : i + 30]!r}")
    raise FeedError("truncated document: unterminated DTD internal subset")


def _declaration_end(text: str, i: int) -> int:
    """Index after the ``>`` closing the markup declaration at ``i``, skipping quoted text."""
    n = len(text)
    j = i + 2
    while j < n:
        c = text[j]
        if c in "\"'":
            j = _find_end(text, c, j + 1, "DTD literal")
        elif c == ">":
            return j + 1
        else:
            j += 1
    raise FeedError("truncated document: unterminated DTD declaration")


def _add_entity(decl: str, entities: dict[str, str]) -> None:
    m = _ENTITY_DECL.match(decl)
    if m is None:
        raise FeedError(f"refused: unreadable entity declaration {decl[:60]!r}")
    parameter, name, rest = m.groups()
    if parameter:
        raise FeedError(f"refused: parameter entity %{name} in the DTD")
    rest = rest.strip()
    if not rest or rest[0] not in "\"'":
        kind = rest.split(None, 1)[0] if rest else "?"
        raise FeedError(f"refused: external entity &{name}; ({kind} {rest[len(kind) :][:60]!r})")
    quote = rest[0]
    close = rest.find(quote, 1)
    if close < 0 or rest[close + 1 :].strip():
        raise FeedError(f"refused: unreadable or unparsed (NDATA) entity &{name};")
    value = rest[1:close]
    if not _PLAIN_VALUE.match(value):
        if "<" in value:
            raise FeedError(f"refused: entity &{name}; holds markup")
        raise FeedError(
            f"refused: entity &{name}; refers to another entity "
            "(nested expansion, as in 'billion laughs')"
        )
    if name in _PREDEFINED or name in entities:
        return  # the first declaration binds (XML 1.0 §4.2); predefined ones cannot change
    if len(entities) >= MAX_ENTITIES:
        raise FeedError(f"refused: more than {MAX_ENTITIES} entity declarations")
    entities[name] = value


def _expand(text: str, entities: dict[str, str]) -> str:
    added = 0
    for name, value in entities.items():
        added += text.count(f"&{name};") * len(value)
        if added > MAX_ENTITY_EXPANSION:
            raise FeedError(
                f"refused: entity expansion would add more than {MAX_ENTITY_EXPANSION:,} "
                f"characters (&{name}; is {len(value):,} characters long)"
            )
    # Values hold no markup and no entity references, only text and character references,
    # so substituting them (quotes escaped, for attribute values) is exactly the expansion.
    escaped = {k: v.replace('"', "&quot;").replace("'", "&apos;") for k, v in entities.items()}
    pattern = re.compile("&(" + "|".join(re.escape(k) for k in escaped) + ");")
    return pattern.sub(lambda m: escaped[m.group(1)], text)
