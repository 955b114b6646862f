"""HTML to text: the simple path (no parser) gives what libxml2 gives, on generated fragments.

``adapters.htmltext`` reads plain paragraphs, line breaks, simple inline tags and the usual
references without libxml2 and hands everything else to it. These tests generate fragments
(well nested and not, with tags and references the simple path refuses) and compare the two
readings wherever the simple path answers; they also check it does answer for the fragments
feeds are made of, so the comparison is not vacuous.
"""

from __future__ import annotations

import random
import re

import pytest

from adapters import htmlisolate, htmltext, htmltidy
from adapters.htmltext import (
    _CONTAINERS,
    _INLINE,
    _PHRASING_BLOCKS,
    _parse_text,
    _simple_text,
    _tidy,
    html_to_text,
    html_to_texts,
)

WORDS = ["met", "talks", "Côte", "मुलाकात", "ملاقات", "переговоры", "中国", "a", " ", "  ", "\n"]
WORDS += ["\t", "\xa0", "\u2028", "\r\n", "\u200b", ">", "x.y", "'", '"', "=", "/", "&"]
REFS = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x27;", "&#160;", "&#8212;", "&#128;"]
REFS += ["&#0;", "&#x1F600;", "&nbsp;", "&apos;", "&amp;lt;", "&#65534;", "&#13;", "&#9;", "<"]
TAGS = sorted(_CONTAINERS | _PHRASING_BLOCKS | _INLINE | {"br", "hr", "td", "img", "title"})
ATTRS = ["", "", ' class="x"', " href='a?b=1&amp;c'", " id=z", ' title="1 > 2"', " hidden"]


def _libxml2(fragment: str) -> str:
    return _tidy(_parse_text(fragment))


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS + REFS) for _ in range(rng.randint(0, 4)))


def _tag(rng: random.Random) -> str:
    name = rng.choice(TAGS)
    name = name.upper() if rng.random() < 0.2 else name
    close = "/" if rng.random() < 0.4 else ""
    slash = rng.choice(["", "", "", "", " /", "/"])
    return f"<{close}{name}{rng.choice(ATTRS)}{slash}>"


def _soup(rng: random.Random) -> str:
    return "".join(
        _tag(rng) if rng.random() < 0.4 else _text(rng) for _ in range(rng.randint(0, 12))
    )


def _tree(rng: random.Random, depth: int = 0, parent: str = "", closed: float = 0.9) -> str:
    if depth > 3 or rng.random() < 0.3:
        return _text(rng) + rng.choice(["", "", "<br>", "<br/>", "<hr>"])
    if parent in ("ul", "ol"):
        name = "li"
    elif parent == "dl":
        name = rng.choice(["dt", "dd"])
    else:
        name = rng.choice(TAGS)
    inner = "".join(_tree(rng, depth + 1, name, closed) for _ in range(rng.randint(0, 3)))
    end = f"</{name}>" if rng.random() < closed else ""
    return f"{_text(rng)}<{name}{rng.choice(ATTRS)}>{inner}{end}{_text(rng)}"


def _paragraphs(rng: random.Random) -> str:
    """What most feed descriptions are: paragraphs, breaks and references."""
    parts = [f"<p>{_text(rng)}{rng.choice(['', '<br>', '<br />'])}{_text(rng)}</p>"]
    parts *= rng.randint(1, 4)
    return _text(rng) + "".join(parts) + rng.choice(["", "<p>", _text(rng)])


@pytest.mark.parametrize("shape", [_soup, _tree, _paragraphs])
def test_simple_path_reads_as_libxml2(shape: object) -> None:
    rng = random.Random(f"html-{getattr(shape, '__name__', '')}")
    answered = 0
    for _ in range(3000):
        fragment = shape(rng)  # type: ignore[operator]
        simple = _simple_text(fragment)
        if simple is None:
            continue
        answered += 1
        assert _tidy(simple) == _libxml2(fragment), fragment
    assert answered > 300  # the simple path was exercised, not skipped


@pytest.mark.parametrize(
    "fragment",
    [
        "<p>Talks in Delhi &amp; Dhaka</p><p>Leaders met.<br/>Again &#x27;soon&#x27;.</p>",
        "Plain &quot;quoted&quot; text with &lt;angle&gt; brackets",
        '<div class="x"><ul><li>one</li><li><a href="/x?a=1&amp;b">two</a> <b>bold</b></li></ul>'
        "</div>",
        "<p>&#8212; an em dash, an emoji &#x1F600;, and &amp;lt; kept as text</p>",
    ],
)
def test_feed_shaped_fragments_take_the_simple_path(fragment: str) -> None:
    simple = _simple_text(fragment)
    assert simple is not None
    assert _tidy(simple) == _libxml2(fragment) == html_to_text(fragment)


@pytest.mark.parametrize(
    "fragment",
    [
        "a &nbsp; b",  # HTML entity: libxml2 knows the table
        "a & b",  # bare ampersand
        "a</hr>b",  # closing a void element: libxml2 drops it
        "<p>a<div>b</div>c</p>",  # a block in a paragraph: libxml2 closes the paragraph
        "x</p>y",  # closing what is not open
        "<td>a</td>",  # table parts
        "a&#128;b",  # C1 reference: libxml2 reads it as windows-1252
        "a<!-- c -->b",
        "a\x01b",
    ],
)
def test_other_fragments_go_to_libxml2(fragment: str) -> None:
    assert _simple_text(fragment) is None
    assert html_to_text(fragment) == _libxml2(fragment)


def test_batched_conversion_reads_each_fragment_as_alone() -> None:
    """A feed's descriptions converted together (one shared parse, no simple path) give what
    each gives on its own (simple path or its own parse), for closed markup: text left inside
    an open tag or a half tag can reach into the next description when they share a parse."""
    rng = random.Random("batch")
    shapes = [_paragraphs, lambda rng: _tree(rng, closed=1.0)]
    batches = [[rng.choice(shapes)(rng) for _ in range(6)] for _ in range(300)]
    shared = 0
    for batch in batches:
        assert html_to_texts(batch) == [html_to_text(f) for f in batch], batch
        shared += sum(1 for f in batch if htmltext.looks_like_html(f))
    assert shared > 1000  # most fragments went through the shared parse


@pytest.mark.parametrize(
    "fragment",
    [
        "a<!-- c",
        "<?php x",
        "<![CDATA[x",
        "<ScRiPt src=x>",
        "<\u017fcript>",  # a long s: case folding reads it as "s"
        "<no\u017fcr\u0130pt>",  # and a dotted capital I as "i"
        "<\u0131frame src=x>",  # a dotless i
        "<svg/>",
        "<Body>",
        "\u4e2d<title>",
    ],
)
def test_the_bytes_search_finds_whatever_the_text_search_finds(fragment: str) -> None:
    """A shared parse searches the joined fragments' bytes first and a fragment's text only
    where that finds something: it must find every tag the text search finds."""
    assert htmlisolate.ISOLATE.search(fragment)
    assert htmlisolate.ISOLATE_BYTES.search(fragment.encode())
    batch = ["<p>a</p>", fragment, "<p>b</p>"]
    assert html_to_texts(batch) == [html_to_text(f) for f in batch]


@pytest.mark.parametrize("shape", [_soup, _tree, _paragraphs])
def test_stylesheet_reads_as_the_tree_walk(shape: object) -> None:
    """libxslt's reading of the parsed fragment is the node-by-node one it replaces."""
    rng = random.Random(f"xslt-{getattr(shape, '__name__', '')}")
    for _ in range(1500):
        fragment = shape(rng) + "<script>x()</script><style>p{}</style>"  # type: ignore[operator]
        root = htmltext._parse(fragment)
        walked = _tidy(htmltext._walk_text(root)) if root is not None else ""
        assert _tidy(_parse_text(fragment)) == walked, fragment


def test_stylesheet_is_compiled_per_thread() -> None:
    import threading

    seen = []
    thread = threading.Thread(target=lambda: seen.append(htmltext._stylesheet()))
    thread.start()
    thread.join()
    assert seen[0] is not htmltext._stylesheet()
    assert html_to_texts(["<p>a<b>b</b></p><p>c</p>", "<div>d</div>"]) == ["ab\nc", "d"]


def test_odd_space_is_whitespace_other_than_space_and_newline() -> None:
    odd = {c for c in map(chr, range(0x110000)) if c.isspace() and c not in " \n"}
    assert {c for c in map(chr, range(0x110000)) if htmltidy._ODD_SPACE.match(c)} == odd


def test_unusual_is_what_tidy_drops_or_reads_as_odd_space() -> None:
    """The one scan that sends a text to the careful path finds exactly the characters the
    careful path deals with (none more: it would only cost; none less: it would be wrong)."""

    def matches(pattern: re.Pattern[str]) -> set[str]:
        return {c for c in map(chr, range(0x110000)) if pattern.match(c)}

    careful = matches(htmltidy._NOT_TEXT) | matches(htmltidy._ODD_SPACE) | {"\u200b"}
    assert matches(htmltidy._UNUSUAL) == careful
    but_sep = matches(htmltidy._NOT_TEXT_BUT_SEP) | matches(htmltidy._ODD_SPACE) | {"\u200b"}
    assert matches(htmltidy._UNUSUAL_BUT_SEP) == but_sep == careful - {htmltidy.SEP}


def test_tidy_matches_line_by_line_reference() -> None:
    def reference(text: str) -> str:
        text = re.sub("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff\ufffe\uffff\u200b]", "", text)
        return "\n".join(" ".join(w) for line in text.splitlines() if (w := line.split()))

    rng = random.Random("tidy")
    alphabet = [" ", " ", "\n", "a", "bc", "\u200b", "\t", "\xa0", "\r", "é", "\u2028"]
    alphabet += ["\x01", "\x0b", "\x1f", "\x7f", "\ufffe"]
    for _ in range(20000):
        pool = alphabet if rng.random() < 0.3 else alphabet[:5]
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert _tidy(text) == reference(text), repr(text)


def test_the_separator_character_is_dropped_like_other_control_characters() -> None:
    """DEL joins the fragments of a shared parse; one carried raw or as "&#127;" by a
    fragment is no text, whichever way the fragment is read."""
    assert html_to_text("plain\x7f text") == "plain text"
    assert html_to_text("<p>raw\x7f</p><p>é\x7f</p>") == "raw\né"
    assert html_to_texts(["<p>a\x7fb</p>", "<p>c</p>"]) == ["ab", "c"]  # parsed alone
    batch = ["<p>d&#127;e</p>", "<p>f</p>", "<b>g</b>"]  # one DEL more than separators
    assert html_to_texts(batch) == ["de", "f", "g"]
    assert html_to_texts(["<p>h</p>", "<p>i</p>"]) == ["h", "i"]  # the separator still splits


def test_references_to_control_characters_do_not_break_a_feed() -> None:
    """libxml2 reads "&#1;" into a character lxml refuses to write back; the item keeps its
    text without it instead of the whole feed failing with a ValueError."""
    from adapters.feedreader import parse_feed

    descriptions = [
        "&lt;p&gt;bad &amp;#1; ref&lt;/p&gt;",
        "&lt;div&gt;a &amp;#65534; b&lt;br&gt;c&lt;/div&gt;",
    ]
    items = "".join(
        f"<item><guid>g{i}</guid><title>T{i}</title><description>{d}</description></item>"
        for i, d in enumerate(descriptions)
    )
    xml = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )
    result = parse_feed(xml.encode(), url="https://x.example/feed", source_id="s")
    assert [i.text for i in result.items] == ["bad ref", "a b\nc"]


def test_the_isolating_patterns_read_as_the_plain_alternation() -> None:
    """The patterns factor the tag names into a trie; they find what an alternation of the
    names finds, in text and in bytes."""
    names = "|".join(htmlisolate._ISOLATE_NAMES)
    plain = re.compile(rf"<[!?]|<(?:{names})\b", re.I)
    rng = random.Random("isolate")
    pieces = [f"<{n}" for n in htmlisolate._ISOLATE_NAMES] + ["<", "x", " ", ">", "s", "e"]
    pieces += ["<!", "<?", "<p>", "<scripts>", "<ti", "\u017f", "<SVG", "<\u0131frame"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        found = [m.start() for m in plain.finditer(text)]
        assert [m.start() for m in htmlisolate.ISOLATE.finditer(text)] == found, text
        if htmlisolate.ISOLATE.search(text):
            assert htmlisolate.ISOLATE_BYTES.search(text.encode()), text
    assert htmlisolate.name_trie(["a", "ab", "b"]) == "a(?:b)?|b"
