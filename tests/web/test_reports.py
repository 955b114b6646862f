"""The meetings list reads only the events' rows and shows each event's headline report;
the rest come on demand: ``GET /events/{key}/reports`` (the fragment app.js fetches when a
desk opens a card's details) or the event's page, which is all a browser without script
needs."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

from monitor.store.summaries import fold, report_folded
from tests.events.factory import at, item
from tests.web.conftest import Page
from tests.web.test_pages import WINDOW, A, B, C

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


class Outline(HTMLParser):
    """Per card: its key, its title link, the headline report's link, whether it has a
    script-free way to every report, and its reports fragment's URL; and whether the page
    carries any inline script."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.cards: list[dict[str, str]] = []
        self.inline_scripts = 0
        self._in: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "script" and not a.get("src"):
            self.inline_scripts += 1
        if tag == "article" and "card" in classes:
            self.cards.append({"key": a["data-key"]})
        if not self.cards:
            return
        card = self.cards[-1]
        if tag in ("h3", "ul", "p", "details"):
            self._in.append(tag if tag != "ul" else " ".join(["ul", *classes]))
        if tag == "details":
            card["reports"] = a.get("data-reports", "")
        if tag == "a" and self._in:
            where = self._in[-1]
            if where == "h3":
                card["page"] = a["href"]
            elif where == "ul reports lead":
                card["lead"] = a["href"]
            elif where == "p" and "more" in card.get("p", ""):
                card["all"] = a["href"]
        if tag == "p":
            card["p"] = a.get("class", "")

    def handle_endtag(self, tag: str) -> None:
        if self._in and tag in ("h3", "ul", "p", "details"):
            self._in.pop()


async def test_the_list_works_without_script(page: Page) -> None:
    """Plain HTML, no script run: every event of the window is listed with its headline
    linking to its page, its headline report's link, and for an event with more reports a
    link to its page inside the details (where the script would load them); the page has
    no inline script."""
    status, body, _ = await page.get(f"/?{WINDOW}")
    assert status == 200
    outline = Outline(body)
    assert [c["key"] for c in outline.cards] == [A, B, C]
    for card in outline.cards:
        page_href = "/events/" + card["key"].replace("@", "%40")
        assert card["page"] == page_href
        assert card["lead"].startswith("https://")
        assert card["all"] == page_href  # every report, one click away without script
        assert card["reports"] == page_href + "/reports?days=3660&to=2025-07-05"
        status, event_page, _ = await page.get(card["all"])
        assert status == 200 and "tl-report" in event_page
    assert outline.inline_scripts == 0
    assert "CN–IN: Wang Yi met S. Jaishankar in Astana" in body


async def test_the_fragment_lists_every_report_of_the_event(page: Page) -> None:
    """An event's fragment lists each of its reports (headline and link in its own
    language, Arabic right to left), links to the event's page, and carries the strict
    headers of every page."""
    status, body, headers = await page.get("/events/CN-IN%402025-07-03/reports")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert body.count("<li>") == 14
    assert "https://mea.example/a04" in body and "王毅3日在阿斯塔纳会见印度外长苏杰生。" in body
    assert 'lang="ar" dir="rtl" class="headline"' in body
    assert 'href="/events/CN-IN%402025-07-03"' in body
    assert "match the filter" not in body


async def test_the_fragment_escapes_a_script_headline(page: Page) -> None:
    """A report whose headline carries ``<script>`` shows as text in the fragment; its
    ``javascript:`` link is dropped."""
    evil = replace(item("a03", "evil", hours=60, title=HOSTILE), url="javascript:alert(1)")
    await page.desk.feed(evil, at(61))
    status, body, _ = await page.get("/events/CN-IN%402025-07-03/reports")
    assert status == 200 and body.count("<li>") == 15
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in body
    )
    assert "<script" not in body and "<img" not in body and "javascript:" not in body


async def test_the_fragment_respects_the_list_s_filter(page: Page) -> None:
    """The fragment's URL keeps the list's filter: an event the filter leaves out is not
    found; a text search lists the reports that mention it (with a note), or all of them
    when the event matched by its place or officials; a rule lists that rule's reports."""
    path = "/events/CN-IN%402025-07-03/reports?days=3660&to=2025-07-05"
    for left_out in ("&rule=other", "&pair=IN-RU", "&country=RU", "&status=call", "&q=Qingdao"):
        status, _, _ = await page.get(path + left_out)
        assert status == 404, left_out
    record = await page.desk.store.event_record(A)
    assert record is not None
    wanted = [r for r in record.reports if fold("王毅") in report_folded(r)]
    assert 0 < len(wanted) < 14
    status, body, _ = await page.get(path + "&q=%E7%8E%8B%E6%AF%85")
    assert status == 200 and body.count("<li>") == len(wanted)
    assert f"{len(wanted)} of 14 reports match the filter" in body
    for r in wanted:
        assert r.ref.url and r.ref.url in body
    status, body, _ = await page.get(path + "&q=astana&official=wang+yi")
    assert status == 200
    place_only = [r for r in record.reports if fold("astana") in report_folded(r)]
    assert body.count("<li>") == (len(place_only) or 14)
    status, body, _ = await page.get(path + "&rule=india-desk&pair=CN-IN")
    assert status == 200 and body.count("<li>") == 14
    # The list hands each card its fragment with the list's own filter.
    _, listing, _ = await page.get(f"/?{WINDOW}&q=%E7%8E%8B%E6%AF%85")
    assert (
        'data-reports="/events/CN-IN%402025-07-03/reports?days=3660&amp;to=2025-07-05&amp;q='
        in listing
    )


async def test_an_unknown_event_has_no_fragment(page: Page) -> None:
    """A key the store does not hold: 404 with the strict headers."""
    status, body, headers = await page.get("/events/XX-YY%402025-01-01/reports")
    assert status == 404 and "no event" in body
    assert "default-src 'none'" in headers["Content-Security-Policy"]
