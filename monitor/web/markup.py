"""The meetings page's two big parts, the cards and the who-met-whom SVG, written in Python
(PURE) instead of per-element Jinja: with 1,000 events in the window Jinja's loops and
filters were most of the page's time (the issue's 300 ms budget).

Safety is the templates' own: every value from the store goes through
``markupsafe.escape`` (text and attributes alike, quotes included), nothing from a feed is
marked safe, and links are the presenter's (``safe_url``: absolute http(s) only). The
output is ``Markup`` so the templates embed it as is.

A card's HTML depends only on the event's version (key, ``updated_at``, report count) and
the roster, except for its position (``id="ev-N"``) and the filter kept in its party links
and its reports link; ``CardHtml`` keeps the fixed pieces so a cache can hold them across
requests (``monitor/web/cache.py``). A card shows the event's headline report; the others
come on demand (``reports_fragment``, or the event's page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote_plus

from markupsafe import Markup, escape

from monitor.render.facts import party_name
from monitor.web.filters import Filters
from monitor.web.graph import Edge, Graph, Node
from monitor.web.present import EventCard, ReportView

_escape_inner: Callable[[str], str] | None
try:  # markupsafe's own C escaper, without the ``Markup`` object ``escape`` builds
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - a build of markupsafe without its speedups
    _escape_inner = None


def _e(value: object) -> str:
    """``str(markupsafe.escape(value))`` for plain values, without building a ``Markup`` per
    call (a third of building 1,000 cards): markupsafe's C escaper when it has one, else
    the same five replacements, in the same order, as markupsafe's own fallback. ``Markup``
    values (already HTML) go through markupsafe."""
    if isinstance(value, Markup):
        return str(escape(value))
    if _escape_inner is not None:
        return str(_escape_inner(str(value)))
    return (
        str(value)
        .replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


@dataclass(frozen=True, slots=True)
class CardHtml:
    """A card's HTML around its request-dependent parts: ``head`` follows the
    ``id="ev-N"``, ``body`` follows the party links (to ``codes`` named ``names``), and when
    the event has more reports than its headline one, the link to its reports fragment
    (``reports_path`` with the request's filter) follows ``body`` and ``tail`` ends it."""

    status: str
    head: str
    codes: tuple[str, ...]
    names: tuple[str, ...]
    body: str
    reports_path: str | None
    tail: str


def _report(r: ReportView) -> str:
    lang = _e(r.lang or "")
    mark = " ✓" if r.confirmer else ""
    attrs = f'lang="{lang}" dir="{_e(r.dir)}" class="headline"'
    if r.url:
        title = f'<a href="{_e(r.url)}" rel="noopener noreferrer" {attrs}>{_e(r.title)}</a>'
    else:
        title = f"<span {attrs}>{_e(r.title)}</span>"
    return f'<li><span class="src">{_e(r.source_id)}{mark}</span>\n      {title}</li>\n'


def reports_path(key_href: str) -> str:
    """Where an event's reports fragment is served (``key_href``: the event's page)."""
    return key_href + "/reports"


def card_html(c: EventCard) -> CardHtml:
    """The fixed pieces of ``c``'s card: facts and the headline report; the other reports
    come on demand (the reports fragment, or the event's page without script)."""
    flags = "".join(_e(p.flag) for p in c.parties)
    if c.confirmed_by:
        who = _e(", ".join(c.confirmed_by))
        confirmed = f'<span class="confirmed" title="confirmed by {who}">✓ confirmed</span>'
    else:
        confirmed = '<span class="unconfirmed">not confirmed</span>'
    place = f'· <span class="place">{_e(c.place)}</span>' if c.place else ""
    href = _e(c.href)
    # data-parties and data-date let the page's script narrow the list to a node or an
    # edge of the graph, and move its window, without asking the server again.
    head = (
        f' data-key="{_e(c.key)}" data-parties="{_e(" ".join(p.code for p in c.parties))}"'
        f' data-date="{c.date.isoformat()}">\n'
        f'  <h3><a href="{href}"><span class="flags" aria-hidden="true">{flags}</span>'
        f" {_e(c.headline)}</a></h3>\n"
        '  <p class="facts">\n'
        f'    <span class="status st-{_e(c.status)}">{_e(c.status_label)}</span>\n'
        f"    {confirmed}\n"
        f'    · <time datetime="{c.date.isoformat()}">{c.date.strftime("%d %b %Y")}</time>\n'
        f"    {place}\n    · "
    )
    officials = f'  <p class="officials">{_e(", ".join(c.officials))}</p>\n' if c.officials else ""
    lead = f'  <ul class="reports lead">\n    {_report(c.lead)}  </ul>\n' if c.lead else ""
    plural = "s" if c.report_count != 1 else ""
    langs = f" in {_e(', '.join(c.languages))}" if c.languages else ""
    seen = c.first_seen
    counts = (
        f"{c.report_count} report{plural}{langs} · first seen "
        f'<time datetime="{seen.isoformat()}">{seen.strftime("%Y-%m-%d %H:%M")} UTC</time>'
    )
    body = f"\n  </p>\n{officials}{lead}"
    if c.report_count <= 1:
        body += f'  <p class="seen">{counts}</p>\n</article>\n'
        return CardHtml(_e(c.status), head, *_parties(c), body, None, "")
    # Without script the summary opens onto a link to the event's page; with it, app.js
    # fetches the reports fragment named by ``data-reports`` into the details.
    body += '  <details class="more-reports" data-reports="'
    tail = (
        f'">\n    <summary>{counts}</summary>\n'
        f'    <p class="more"><a href="{href}">All {c.report_count} reports on the event’s'
        " page</a></p>\n  </details>\n</article>\n"
    )
    return CardHtml(_e(c.status), head, *_parties(c), body, reports_path(c.href), tail)


def _parties(c: EventCard) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(p.code for p in c.parties), tuple(_e(p.name) for p in c.parties)


def cards_html(cards: list[CardHtml], filters: Filters) -> Markup:
    """The list of cards as shown under ``filters`` (numbered from 1), or the empty note."""
    if not cards:
        scope = " with these filters" if filters.active else ""
        return Markup(f'<p class="empty">No meetings in this window{scope}.</p>\n')
    links: dict[str, str] = {}  # a party's filtered link, once per request

    def link(code: str) -> str:
        if code not in links:
            links[code] = _e(filters.href("/", country=code, pair=None))
        return links[code]

    query = filters.href("")  # "?days=..." or "": the fragment keeps the list's filter
    out = []
    for i, c in enumerate(cards, 1):
        parties = " – ".join(
            f'<a href="{link(code)}">{name}</a>'
            for code, name in zip(c.codes, c.names, strict=True)
        )
        more = _e(c.reports_path + query) if c.reports_path is not None else ""
        card = f'<article class="card st-{c.status}" id="ev-{i}"{c.head}{parties}'
        out.append(f"{card}{c.body}{more}{c.tail}")
    return Markup("".join(out))


def reports_fragment(card: EventCard, shown: list[ReportView], filters: Filters) -> Markup:
    """An event's reports as the list's details show them (``GET /events/{key}/reports``):
    those ``shown`` (the filter's, or all), a note when the filter narrowed them, and the
    event's page for the timeline."""
    out = [f'<ul class="reports" data-key="{_e(card.key)}">\n']
    out += ["  " + _report(r) for r in shown]
    out.append("</ul>\n")
    if len(shown) < card.report_count:
        out.append(
            f'<p class="note">{len(shown)} of {card.report_count} reports match the filter.</p>\n'
        )
    out.append(
        f'<p class="more"><a href="{_e(card.href)}">The event’s page</a>: timeline, '
        "confirmations and alerts.</p>\n"
    )
    return Markup("".join(out))


# Stands in for a link's pair or country while the rest of its query is encoded (no code
# or pair can hold it: they are upper-case letters, digits and a hyphen).
_MARK = "zzmarkzz"


def _plural(n: int) -> str:
    return "s" if n != 1 else ""


# An edge's or a node's markup after its link, by the element and whether it is selected.
SvgPieces = dict[tuple[Edge | Node, bool], str]
_PIECES_KEPT = 4000  # about six graphs of 200 parties and 600 pairs


def graph_svg(graph: Graph, filters: Filters, pieces: SvgPieces | None = None) -> Markup:
    """The who-met-whom SVG (what ``_graph.svg`` used to render). ``pieces``: the markup of
    elements written before (the time slider's next window redraws few of them; their
    links, which carry the window, are written anew)."""
    if pieces is None or len(pieces) > _PIECES_KEPT:
        pieces = {} if pieces is None else pieces
        pieces.clear()
    size = int(graph.size)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="graph-svg" class="graph" '
        f'viewBox="0 0 {size} {size}" role="group" aria-labelledby="graph-title">\n'
        f'<title id="graph-title">Who met whom: {len(graph.nodes)} parties, '
        f"{len(graph.edges)} pairs</title>\n"
        '<g class="edges">'
    ]
    # Every link differs from the others only in its pair or country: the query is encoded
    # once with a marker (urlencode per link was half the SVG's time with 600 pairs).
    # (pair and country come before any free text in the query, so the first marker is it)
    edge_pre, edge_post = _e(filters.href("/", pair=_MARK, country=None)).split(_MARK, 1)
    node_pre, node_post = _e(filters.href("/", country=_MARK, pair=None)).split(_MARK, 1)
    for e in graph.edges:
        chosen = filters.pair == e.pair
        piece = pieces.get((e, chosen))
        if piece is None:
            piece = pieces[(e, chosen)] = _edge(e, chosen)
        out.append(f'\n<a href="{edge_pre}{_e(quote_plus(e.pair))}{edge_post}"{piece}')
    out.append('\n</g>\n<g class="nodes">')
    for n in graph.nodes:
        chosen = filters.country == n.code
        piece = pieces.get((n, chosen))
        if piece is None:
            piece = pieces[(n, chosen)] = _node(n, chosen)
        out.append(f'\n<a href="{node_pre}{_e(quote_plus(n.code))}{node_post}"{piece}')
    out.append("\n</g>\n</svg>")
    return Markup("".join(out))


def _edge(e: Edge, selected: bool) -> str:
    a, b, st, pair = _e(party_name(e.a)), _e(party_name(e.b)), _e(e.status), _e(e.pair)
    mix = ", ".join(f"{n} {_e(s)}" for s, n in e.statuses)
    d = f"M{e.x1} {e.y1} Q{e.qx} {e.qy} {e.x2} {e.y2}"
    meetings = f"{e.count} meeting{_plural(e.count)}"
    return (
        f' class="edge st-{st}{" selected" if selected else ""}" data-pair="{pair}" '
        f'data-count="{e.count}" aria-label="{a} and {b}: {meetings}, latest {st}">\n'
        f"<title>{a} – {b}: {meetings} ({mix})</title>\n"
        f'<path d="{d}" stroke-width="{e.width}"/>\n'
        f'<path class="hit" d="{d}" stroke-width="{max(e.width, 14)}"/>\n</a>'
    )


def _node(n: Node, selected: bool) -> str:
    code, label = _e(n.code), _e(party_name(n.code))
    meetings = f"{n.meetings} meeting{_plural(n.meetings)}"
    return (
        f' class="node{" selected" if selected else ""}" data-code="{code}" data-name="{label}" '
        f'aria-label="{label}: {meetings}">\n'
        f"<title>{label}: {meetings}</title>\n"
        f'<circle cx="{n.x}" cy="{n.y}" r="{8 + min(n.meetings, 12)}"/>\n'
        f'<text x="{n.label_x}" y="{n.label_y}" text-anchor="{_e(n.anchor)}">{code}</text>'
        "\n</a>"
    )
