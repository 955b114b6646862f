"""The parsers get the fetched UTF-8 bytes themselves (no encoding of the decoded text again)
only where those bytes are exactly that text's UTF-8."""

from __future__ import annotations

from pathlib import Path

from adapters.encoding import decode_document
from adapters.feedreader import _utf8_of
from adapters.feedtypes import FeedError
from adapters.xmlsafe import defuse

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"


def test_reused_bytes_are_the_texts_utf8() -> None:
    reused = 0
    for path in sorted(FEEDS.rglob("*.xml")):
        body = path.read_bytes()
        for doc in (body, b"\xef\xbb\xbf" + body, body.replace(b"<?xml", b"<!-- x -->\n<?xml", 1)):
            decoded = decode_document(doc)
            try:
                defused = defuse(decoded.text)
            except FeedError:
                continue
            utf8 = _utf8_of(decoded, defused)
            if utf8 is not None:
                reused += 1
                assert utf8 == defused.text.encode("utf-8", errors="replace"), path.name
    assert reused > 40


def test_no_bytes_for_a_decoding_that_is_not_strict_utf8() -> None:
    for body in (b"<rss>\xe9t\xe9</rss>", b"\xef\xbb\xbf<rss>\xff</rss>"):
        decoded = decode_document(body)
        assert _utf8_of(decoded, defuse(decoded.text)) is None
    entity = b'<!DOCTYPE rss [<!ENTITY a "b">]><rss>&a;</rss>'
    decoded = decode_document(entity)
    assert _utf8_of(decoded, defuse(decoded.text)) is None
