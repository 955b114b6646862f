"""The cards and the graph written in Python (``monitor/web/markup.py``) and their cache
(``monitor/web/cache.py``): every value from a feed is escaped, ``javascript:`` links are
dropped, and a changed event is shown changed (never a stale cached card)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser

from markupsafe import escape

from monitor.events.record import EventRecord, EventReport
from monitor.model import ReportRef
from monitor.web.filters import Filters
from monitor.web.graph import build_graph
from monitor.web.markup import SvgPieces, _e, card_html, cards_html, graph_svg
from monitor.web.present import event_card
from tests.events.factory import at, item, meeting_match
from tests.web.conftest import Page
from tests.web.test_pages import WINDOW, Cards

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
NOW = datetime(2025, 7, 3, tzinfo=UTC)


class Tags(HTMLParser):
    """Every start tag with its attributes, to check no markup came from the data."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def hostile_event() -> EventRecord:
    """An event whose every feed-borne text carries markup, with a ``javascript:`` link."""
    it = replace(item("a1", 'wire"><b>', title=HOSTILE), url="javascript:alert(1)")
    m = meeting_match(it, officials=(HOSTILE,), place='Astana"><script>x</script>')
    day = date(2025, 7, 3)
    return EventRecord(
        key='CN-IN@2025-07-03"><script>', kind="bilateral_meeting", parties=("CN", "IN"),
        family="meeting", anchor=day, reports=(EventReport(ReportRef.of(it), m, day),),
        status="held", officials=(HOSTILE,), place='Astana"><script>x</script>', date=day,
        confirmed_by=('mea"><i>',), first_seen=NOW, updated_at=NOW,
    )  # fmt: skip


def test_cards_escape_every_text_and_drop_javascript_links() -> None:
    """Headline, officials, place, source, key, confirmer and the filter in the party
    links come out as text; the only tags are the card's own; no ``javascript:`` href."""
    card = card_html(event_card(hostile_event()))
    filters = Filters(q='"><script>alert(2)</script>', days=3660)
    html = str(cards_html([card], filters))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "javascript:" not in html
    tags = Tags(html).tags
    assert {t for t, _ in tags} <= {"article", "h3", "a", "span", "p", "time", "details"} | {
        "summary",
        "ul",
        "li",
    }
    hrefs = [a["href"] or "" for t, a in tags if t == "a"]
    assert hrefs and all(h.startswith("/") for h in hrefs)
    assert any('q="><script>' not in h and "q=%22%3E%3Cscript" in h for h in hrefs)
    article = next(a for t, a in tags if t == "article")
    assert article["data-key"] == 'CN-IN@2025-07-03"><script>' and article["id"] == "ev-1"


def test_the_graph_svg_is_well_formed_and_escapes_the_filter() -> None:
    """The SVG parses as XML whatever the filter's text; its links keep the filter."""
    event = hostile_event()
    filters = Filters(q='"><script>&', days=3660, pair="CN-IN")
    svg = str(graph_svg(build_graph([event]), filters))
    root = ET.fromstring(svg)
    links = [a for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert {a.get("data-pair") or a.get("data-code") for a in links} == {"CN-IN", "CN", "IN"}
    assert all("q=%22%3E%3Cscript%3E%26" in (a.get("href") or "") for a in links)
    assert "<script" not in svg


def test_the_graph_svg_from_kept_pieces_is_the_same_as_written_anew() -> None:
    """The pieces kept from one window's SVG write the next one's alike: links with the new
    filter, the selection moved, a changed edge written anew."""
    event = hostile_event()
    other = replace(event, key="CN-RU@2025-07-02", parties=("CN", "RU"), date=date(2025, 7, 2))
    pieces: SvgPieces = {}
    for events, filters in (
        ([event, other], Filters(days=30, pair="CN-IN")),
        ([event, other], Filters(days=30, to=date(2025, 7, 2), country="CN", q='"><&')),
        ([event, replace(other, status="cancelled")], Filters(days=31, pair="CN-RU")),
    ):
        graph = build_graph(events)
        assert str(graph_svg(graph, filters, pieces)) == str(graph_svg(graph, filters))
    assert pieces and all("href" not in piece for piece in pieces.values())


async def test_a_cached_card_is_replaced_when_its_event_changes(page: Page) -> None:
    """The second identical request builds no card; a hostile report joining a shown
    event changes its version, so the next page rebuilds only that card (its new count
    shown) and the event's reports show the new one escaped, its ``javascript:`` link
    dropped."""
    _, first, _ = await page.get(f"/?{WINDOW}")
    built = page.site.cards.built
    _, again, _ = await page.get(f"/?{WINDOW}")
    assert page.site.cards.built == built
    assert Cards(again).keys == Cards(first).keys
    assert "14 reports in" in first
    evil = replace(item("a03", "evil", hours=60, title=HOSTILE), url="javascript:alert(1)")
    await page.desk.feed(evil, at(61))
    _, body, _ = await page.get(f"/?{WINDOW}")
    assert page.site.cards.built == built + 1
    assert "15 reports in" in body and "14 reports in" not in body
    assert Cards(body).keys == Cards(first).keys
    _, reports, _ = await page.get("/events/CN-IN%402025-07-03/reports")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x" in reports
    assert "<script>alert" not in reports and "<img src=x" not in reports
    assert "javascript:" not in reports


def test_the_escape_is_markupsafe_s() -> None:
    """The writer's escaping gives exactly what Jinja's autoescape (markupsafe) gives."""
    for value in [HOSTILE, "a & b 'c' \"d\" <e>", "&amp; already", 42, 1.5, "", "王毅 ✓"]:
        assert _e(value) == str(escape(value))
