"""The entity safety net and the caps: hostile documents are refused (or made inert) before
any parser sees them, and no feed can cost unbounded memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from adapters import feedtypes
from adapters.feed import FeedError, parse_feed
from adapters.xmlsafe import MAX_ENTITY_EXPANSION, defuse
from tests.adapters.feedfiles import FEED_URL, parse


def feed(prolog: str, item_body: str = "<title>t</title>", *, tail: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{prolog}\n<rss version="2.0"><channel>'
        f"<title>F</title><item>{item_body}<guid>g1</guid></item>{tail}</channel></rss>\n"
    ).encode()


def read(body: bytes) -> list[str]:
    return [i.title for i in parse_feed(body, url=FEED_URL, source_id="s").items]


class DtdServer:
    """A loopback HTTP server that counts the requests a parser might make for a DTD."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.hits.append(request.path)
        return web.Response(text='<!ENTITY secret "FROM-THE-NETWORK">', content_type="text/xml")


@pytest.fixture
async def dtd_server() -> AsyncIterator[DtdServer]:
    server = DtdServer()
    app = web.Application()
    app.router.add_get("/{name}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}"
    yield server
    await runner.cleanup()


def test_entity_in_doctype_is_expanded_deliberately() -> None:
    """feedparser's entity_in_doctype.xml: the plain-text internal entity &id; is expanded by
    us (the DOCTYPE never reaches a parser), giving feedparser's expected guid."""
    result = parse("feedparser-suite/wellformed/rss/entity_in_doctype.xml")
    assert [i.id for i in result.items] == ["tag:example.com,2006-05-04:/blog/"]
    assert "expanded internal entities: id" in result.notes
    assert result.parser == "fastfeedparser"


def test_billion_laughs_is_refused() -> None:
    """Nested entities ('billion laughs') are refused before any parser runs."""
    lol = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    ]
    body = feed("<!DOCTYPE rss [\n" + "\n".join(lol) + "\n]>", "<title>&lol9;</title>")
    with pytest.raises(FeedError, match="refers to another entity"):
        read(body)


def test_one_big_entity_used_many_times_is_refused() -> None:
    """The feed that feedparser 6 blew up to 200 million characters (one 100 KB entity used
    2,000 times, 110 KB on the wire) is refused by the expansion budget."""
    big = "A" * 100_000
    body = feed(f'<!DOCTYPE rss [<!ENTITY big "{big}">]>', "<title>" + "&big;" * 2000 + "</title>")
    assert 100_000 < len(body) < 120_000
    with pytest.raises(FeedError, match="entity expansion would add more than"):
        read(body)


def test_expansion_within_budget_is_allowed() -> None:
    """An honest small entity used a few times, also inside an attribute, is expanded."""
    body = feed(
        "<!DOCTYPE rss [<!ENTITY org \"Ministry of 'External' Affairs\">]>",
        '<title>&org; briefing</title><link>https://x.example/?q="&org;"</link>',
    )
    result = parse_feed(body, url=FEED_URL, source_id="s")
    assert result.items[0].title == "Ministry of 'External' Affairs briefing"
    assert MAX_ENTITY_EXPANSION >= 100_000


def test_external_file_entity_is_refused_and_the_file_never_read(tmp_path: Path) -> None:
    """A SYSTEM file:// entity is refused; the secret never appears anywhere."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    body = feed(f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>', "<title>&xxe;</title>")
    with pytest.raises(FeedError, match="external entity &xxe;") as caught:
        read(body)
    assert "TOP-SECRET-CONTENT" not in str(caught.value)


async def test_external_http_entity_is_refused_without_a_request(dtd_server: DtdServer) -> None:
    """A PUBLIC http:// entity is refused and no request reaches the server."""
    body = feed(
        f'<!DOCTYPE rss [<!ENTITY remote PUBLIC "-//X//EN" "{dtd_server.url}/e.ent">]>',
        "<title>&remote;</title>",
    )
    with pytest.raises(FeedError, match="external entity &remote;"):
        read(body)
    assert dtd_server.hits == []


async def test_external_dtd_is_dropped_and_inert(dtd_server: DtdServer) -> None:
    """A DOCTYPE pointing at an external DTD (as RSS 0.91 feeds do) is dropped: the DTD is
    never fetched, the feed still parses, and an entity only that DTD defines stays text."""
    body = feed(f'<!DOCTYPE rss SYSTEM "{dtd_server.url}/rss.dtd">', "<title>a &secret; b</title>")
    assert read(body) == ["a &secret; b"]
    assert dtd_server.hits == []


def test_netscape_rss091_dtd_with_html_entities() -> None:
    """RSS 0.91 with the Netscape DTD and HTML entities (&eacute;, &nbsp;) reads correctly."""
    body = feed(
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd">',
        "<title>Caf&eacute;&nbsp;Soci&eacute;t&eacute; &amp; co</title>",
    )
    result = parse_feed(body, url=FEED_URL, source_id="s")
    assert result.items[0].title == "Café Société & co"
    assert result.parser == "fastfeedparser"
    assert any(n.startswith("repaired HTML entities") for n in result.notes)


@pytest.mark.parametrize(
    ("subset", "message"),
    [
        ('<!ENTITY % pe SYSTEM "http://x/pe.dtd"> %pe;', "parameter entity"),
        ("<!ENTITY m '<b>bold</b>'>", "holds markup"),
        ('<!ENTITY u SYSTEM "x.gif" NDATA gif>', "external entity"),
        ("%undeclared;", "parameter-entity reference"),
        ('<!ENTITY a "x"', "unreadable"),
    ],
)
def test_other_dangerous_declarations_are_refused(subset: str, message: str) -> None:
    """Parameter entities, markup entities, unparsed entities and broken DTDs are refused."""
    with pytest.raises(FeedError, match=message):
        read(feed(f"<!DOCTYPE rss [{subset}]>"))


def test_too_many_declarations_are_refused() -> None:
    """More than MAX_ENTITIES declarations are refused (each could be small but many)."""
    decls = "".join(f'<!ENTITY e{n} "x">' for n in range(100))
    with pytest.raises(FeedError, match="more than 64 entity declarations"):
        read(feed(f"<!DOCTYPE rss [{decls}]>"))


def test_entity_declaration_after_junk_is_refused() -> None:
    """When junk before the root hides the prolog, any <!ENTITY anywhere is refused (a
    lenient parser might still honour it)."""
    body = (
        b'junk\n<!DOCTYPE rss [<!ENTITY a "b">]>'
        b"<rss><channel><item><title>&a;</title></item></channel></rss>"
    )
    with pytest.raises(FeedError, match="prolog is unreadable"):
        read(body)


def test_defuse_drops_lowercase_doctype_and_declaration() -> None:
    """A lower-case <!doctype> and the XML declaration are cut; the root is reported."""
    result = defuse('<?xml version="1.0"?><!-- c --><!doctype rss><rss><channel/></rss>')
    assert result.text == "<!-- c --><rss><channel/></rss>"
    assert result.root == "rss"


def test_ill_formed_documents_are_defused_before_the_fallback() -> None:
    """An ill-formed document (which goes to feedparser) is still checked first."""
    lol = '<!DOCTYPE rss [<!ENTITY a "x"><!ENTITY b "&a;&a;">]>'
    with pytest.raises(FeedError, match="refers to another entity"):
        read(feed(lol, "<title>&b;</title><broken>"))
    ok = parse_feed(
        feed('<!DOCTYPE rss [<!ENTITY a "Ministry">]>', "<title>&a; <b>unclosed</title>"),
        url=FEED_URL,
        source_id="s",
    )
    assert ok.parser == "feedparser"
    assert ok.items[0].title.startswith("Ministry")


def test_items_per_feed_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A feed with more entries than MAX_ITEMS yields MAX_ITEMS items, the first ones."""
    monkeypatch.setattr("adapters.feednorm.MAX_ITEMS", 50)
    items = "".join(f"<item><guid>g{n}</guid><title>n{n}</title></item>" for n in range(80))
    body = f'<rss version="2.0"><channel><title>F</title>{items}</channel></rss>'.encode()
    result = parse_feed(body, url=FEED_URL, source_id="s")
    assert (result.entries, len(result.items)) == (80, 50)
    assert result.items[-1].title == "n49"
    assert "capped at 50 items; 30 more entries ignored" in result.notes
    assert feedtypes.MAX_ITEMS == 1000  # the real cap


def test_text_fields_are_capped() -> None:
    """Huge titles, descriptions and authors are cut to their caps."""
    huge = "word " * 200_000  # 1 MB
    body = feed(
        "", f"<title>{huge}</title><description>{huge}</description><author>{huge}</author>"
    )
    item = parse_feed(body, url=FEED_URL, source_id="s").items[0]
    assert len(item.title) <= feedtypes.MAX_TITLE_CHARS
    assert len(item.text) <= feedtypes.MAX_TEXT_CHARS
    assert item.author is not None and len(item.author) <= feedtypes.MAX_AUTHOR_CHARS


def test_oversized_body_is_refused() -> None:
    """A body over MAX_BODY_BYTES is refused without being decoded."""
    body = b"<rss>" + b" " * feedtypes.MAX_BODY_BYTES + b"</rss>"
    with pytest.raises(FeedError, match="document too large"):
        read(body)
