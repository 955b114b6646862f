"""The desk's pages over HTTP on 127.0.0.1: what they list, how filters in the URL narrow
the list, the graph, an event's timeline with delivery state, source health, escaping,
headers and secrets."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

from monitor.model import utcnow
from monitor.store import SourceState
from tests.events.factory import at, item
from tests.web.conftest import SECRET_FEED, SECRET_HOOK, Page

WINDOW = "days=3660&to=2025-07-05"
A, B, C = "CN-IN@2025-07-03", "IN-RU@2025-07-02", "CN-IN@2025-07-02"


class Cards(HTMLParser):
    """The event keys of the cards on a page, in order, and the graph's nodes and edges."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.keys: list[str] = []
        self.nodes: list[str] = []
        self.edges: dict[str, tuple[int, str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "article" and "card" in classes:
            self.keys.append(a["data-key"] or "")
        if tag == "a" and "node" in classes:
            self.nodes.append(a["data-code"] or "")
        if tag == "a" and "edge" in classes:
            status = next(c[3:] for c in classes if c.startswith("st-"))
            self.edges[a["data-pair"] or ""] = (int(a["data-count"] or 0), status)


async def listed(page: Page, query: str) -> list[str]:
    status, body, _ = await page.get(f"/?{WINDOW}&{query}")
    assert status == 200
    return Cards(body).keys


async def test_the_meetings_page_lists_the_window_without_script(page: Page) -> None:
    """The plain HTML lists the window's meetings newest first with both parties' names,
    officials, place, date, status, confirmation, report count and languages, and the
    headline report's headline and link in its own language (the others: on demand)."""
    status, body, headers = await page.get(f"/?{WINDOW}")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    cards = Cards(body)
    assert cards.keys[0] == A and set(cards.keys) == {A, B, C}
    assert "CN–IN: Wang Yi met S. Jaishankar in Astana" in body
    assert ">China</a>" in body and ">India</a>" in body and ">Russia</a>" in body
    assert "14 reports in ar, en, fr, hi, ru, zh" in body
    assert "✓ confirmed" in body and "03 Jul 2025" in body
    assert "https://pti.example/a01" in body  # A's first report: its headline one
    assert "https://mea.example/a04" not in body  # another of A's: in the fragment
    # the default window (the last 7 days) is empty for a 2025 scenario
    assert Cards((await page.get("/"))[1]).keys == []


async def test_filters_in_the_url_narrow_the_list(page: Page) -> None:
    """Country, pair (either order), status, official, rule and text filters select the
    expected meetings; a bad value is ignored with a note, never an error."""
    assert set(await listed(page, "country=ru")) == {B}
    assert set(await listed(page, "pair=in-cn")) == {A, C}
    assert set(await listed(page, "pair=CN-IN&official=dong+jun")) == {C}
    assert set(await listed(page, "q=Qingdao")) == {C}
    assert set(await listed(page, "q=%E7%8E%8B%E6%AF%85")) == {A}  # 王毅, in a headline
    assert await listed(page, "status=cancelled") == []
    assert set(await listed(page, "rule=india-desk")) == {A, B, C}
    assert await listed(page, "rule=other") == []
    one_day = Cards((await page.get("/?days=1&to=2025-07-02"))[1]).keys
    assert set(one_day) == {B, C}
    status, body, _ = await page.get("/?pair=India&days=zero&status=maybe")
    assert status == 200
    assert body.count('class="note" role="alert"') == 3


async def test_the_graph_has_parties_as_nodes_and_meetings_as_edges(page: Page) -> None:
    """Nodes are the parties, an edge per pair counts its meetings (the two CN-IN meetings
    make one thicker edge), coloured by status; node and edge links carry the filter; the
    graph keeps the whole window when the list is narrowed to one pair."""
    status, body, _ = await page.get(f"/?{WINDOW}&pair=IN-RU")
    assert status == 200
    graph = Cards(body)
    assert graph.nodes == ["CN", "IN", "RU"]
    assert graph.edges == {"CN-IN": (2, "held"), "IN-RU": (1, "held")}
    assert re.search(r'href="/\?days=3660&amp;to=2025-07-05&amp;pair=CN-IN"', body)
    widths = dict(re.findall(r'data-pair="([A-Z-]+)".*?stroke-width="([\d.]+)"', body, re.S))
    assert float(widths["CN-IN"]) > float(widths["IN-RU"])
    svg_status, svg, headers = await page.get(f"/graph.svg?{WINDOW}")
    assert svg_status == 200 and headers["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    again = (await page.get(f"/graph.svg?{WINDOW}"))[1]
    assert again == svg  # the layout is the same on every load


async def test_the_list_and_the_graph_come_apart_for_the_script(page: Page) -> None:
    """``?part=list`` is the filtered list alone (a click on the graph swaps only it),
    ``?part=graph`` the graph alone (the whole window, the pair marked), ``?part=main``
    both: the same cards and edges as the page."""
    whole = Cards((await page.get(f"/?{WINDOW}&pair=IN-CN"))[1])
    status, listed_body, _ = await page.get(f"/?{WINDOW}&pair=IN-CN&part=list")
    assert status == 200 and 'id="list-section"' in listed_body
    only_list = Cards(listed_body)
    assert only_list.keys == whole.keys and set(only_list.keys) == {A, C}
    assert only_list.nodes == [] and only_list.edges == {}
    assert "<html" not in listed_body and "<svg" not in listed_body
    status, graph_body, _ = await page.get(f"/?{WINDOW}&pair=IN-CN&part=graph")
    assert status == 200 and 'id="graph-section"' in graph_body
    only_graph = Cards(graph_body)
    assert only_graph.keys == [] and only_graph.edges == whole.edges
    assert only_graph.nodes == whole.nodes == ["CN", "IN", "RU"]
    assert re.search(r'class="edge st-held selected" data-pair="CN-IN"', graph_body)
    main = Cards((await page.get(f"/?{WINDOW}&pair=IN-CN&part=main"))[1])
    assert main.keys == whole.keys and main.edges == whole.edges


async def test_an_event_page_shows_reports_confirmations_and_deliveries(page: Page) -> None:
    """The timeline holds every report (source, language, headline), the official
    confirmations, and each alert with its notifier and delivery state as it changes."""
    status, body, _ = await page.get("/events/" + A.replace("@", "%40"))
    assert status == 200
    assert body.count('class="tl-report"') == 14
    assert "✓ official confirmation (MEA)" in body and "MFA China" in body
    rows = await page.desk.store.event_outbox(A)
    assert body.count('class="tl-alert"') == len(rows) > 0
    assert "state-pending" in body and "state-sent" not in body
    await page.desk.store.mark_sent(rows[0].alert.id, at=at(90), remote_id="r1")
    assert "state-sent" in (await page.get("/events/" + A.replace("@", "%40")))[1]
    missing, _, _ = await page.get("/events/XX-YY%402025-01-01")
    assert missing == 404


async def test_the_sources_page_makes_silent_and_failing_sources_stand_out(page: Page) -> None:
    """A source polled fine but without a new item for far longer than its usual gap is
    marked silent, a failing one failing; both come first. Source URLs and notifier
    secrets appear on no page."""
    store = page.desk.store
    now = utcnow()
    for quiet in ("tass", "mea"):  # polled fine just now; expect_every is a week
        await store.save_source_state(SourceState(quiet, last_ok_at=now, last_polled_at=now))
    await store.save_source_state(
        SourceState(
            "quiet-wire",
            failures=3,
            failing_since=now - timedelta(hours=2),
            last_polled_at=now,
            last_status="error 503",
            last_error="HTTP 503 from " + SECRET_FEED,
        )
    )
    async with store.transaction() as tx:  # reuters brings an item now: not silent
        await tx.mark_seen([item("r-new", "reuters")], now)
    await store.save_source_state(SourceState("reuters", last_ok_at=now, last_polled_at=now))
    status, body, _ = await page.get("/sources")
    assert status == 200
    rows = re.findall(r'<tr class="([^"]*)">\s*<th scope="row">([\w.:-]+)', body)
    # mea and tass last brought an item in July 2025
    assert rows == [
        ("failing", "quiet-wire"),
        ("silent", "mea"),
        ("silent", "tass"),
        ("", "reuters"),
    ]
    assert "silent</strong>" in body and "HTTP 503 from" in body
    for path in ("/sources", f"/?{WINDOW}", "/events/" + A.replace("@", "%40"), "/graph.svg"):
        text = (await page.get(path))[1]
        assert "feedtokensecret456" not in text and SECRET_HOOK not in text
        assert "verysecretvalue123" not in text and "hooks.slack.com" not in text


async def test_a_script_in_a_headline_is_shown_as_text(page: Page) -> None:
    """A headline carrying markup joins an event and shows escaped in its reports, never
    as markup; a ``javascript:`` link is dropped."""
    evil = item(
        "a03", "evil", hours=60, title='<script>alert("x")</script><img src=x onerror=alert(1)>'
    )
    evil = evil.__class__(
        **{**{f: getattr(evil, f) for f in evil.__dataclass_fields__}, "url": "javascript:alert(1)"}
    )
    await page.desk.feed(evil, at(61))
    _, body, _ = await page.get("/events/" + A.replace("@", "%40") + "/reports")
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in body
    )
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "javascript:" not in body


async def test_pages_carry_a_strict_policy_and_assets_are_local(page: Page) -> None:
    """Every page forbids inline script, foreign origins and framing; the stylesheet and
    script come from this server under content-hashed names, cached, with ETags."""
    _, body, headers = await page.get(f"/?{WINDOW}")
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', body)
    assert len(assets) == 2 and not re.search(r'src="(?:https?:)?//', body)
    assert re.findall(r"<link [^>]*>", body) == [
        '<link rel="icon" href="data:,">',
        f'<link rel="stylesheet" href="{assets[0]}">',
    ]
    assert "<script>" not in body and " style=" not in body
    async with page.http.get(page.url + assets[0]) as resp:
        assert resp.status == 200 and "immutable" in resp.headers["Cache-Control"]
        etag = resp.headers["ETag"]
    async with page.http.get(page.url + assets[0], headers={"If-None-Match": etag}) as resp:
        assert resp.status == 304
    assert (await page.get("/static/nothing.js"))[0] == 404
