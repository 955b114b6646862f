"""The desk's pages on the daemon's HTTP server: ``install(app, ctx)`` adds the routes.

- ``GET /``: the meetings of a window with the who-met-whom graph; filters in the URL
  (``monitor/web/filters.py``); ``?part=main`` answers only the live part (the script swaps
  it in when told something changed), ``?part=list`` only the list and ``?part=graph``
  only the graph (a click on the graph changes the list alone; the slider both);
- ``GET /events/{key}``: one event's timeline of reports, confirmations and alerts with their
  delivery state;
- ``GET /events/{key}/reports``: its reports as a fragment, for the list's details (the list
  reads only the events' rows and shows each event's headline report);
- ``GET /sources``: each source's health;
- ``GET /graph.svg``: the graph alone, as a standalone SVG document;
- ``GET /live``: server-sent events (``monitor/web/live.py``);
- ``GET /static/{name}``: the stylesheet and the script, from memory.

Every page is read-only (GET only, nothing here changes state) and carries a strict
Content-Security-Policy: scripts, styles and connections from this origin only, no inline
script or style, no frames, forms only to this origin. Pages show no notifier target, token,
source URL or configuration value beyond ids, types and intervals.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

import jinja2
import structlog
from aiohttp import web

from monitor.events.record import OfficialCountry
from monitor.model import utcnow
from monitor.pipeline.decide import roster_officials
from monitor.render.facts import party_name
from monitor.settings import Settings
from monitor.store.base import Store
from monitor.store.summaries import fold, mentions, report_folded, summary_of
from monitor.watch.watcher import watch_sources
from monitor.web.cache import WINDOW_TTL_S, CardCache
from monitor.web.filters import AHEAD_DAYS, DEFAULT_DAYS, MAX_DAYS, STATUSES, Filters, parse_filters
from monitor.web.graph import build_graph
from monitor.web.live import LiveHub, stream
from monitor.web.markup import SvgPieces, cards_html, graph_svg, reports_fragment
from monitor.web.present import (
    ConfiguredSource,
    delivery,
    event_card,
    source_rows,
    timeline,
)
from monitor.web.templating import TEMPLATES, Asset, environment, load_assets, render

log = structlog.get_logger("monitor.web")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
PARTS = {  # ?part= -> the fragment's template
    "main": "_meetings_main.html",
    "list": "_meetings_list.html",
    "graph": "_meetings_graph.html",
}
PAGE_LIMIT = 2000  # events read for one page; the newest are shown when there are more
ACTIVITY_DAYS = 30


class WebContext(Protocol):
    """What the pages need from the server: the store and the settings."""

    @property
    def store(self) -> Store: ...

    @property
    def settings(self) -> Settings: ...


class Site:
    """The pages' handlers and what they share (templates, assets, the live hub)."""

    def __init__(
        self,
        ctx: WebContext,
        *,
        live_poll_s: float | None = None,
        window_ttl_s: float = WINDOW_TTL_S,
    ) -> None:
        self.ctx = ctx
        self.assets: dict[str, Asset] = load_assets()
        self.env: jinja2.Environment = environment(self.assets)
        hub_options = {} if live_poll_s is None else {"poll_s": live_poll_s}
        self.hub = LiveHub(ctx.store, **hub_options)
        # Windows read are remembered while the live feed watches the store, which forgets
        # them at every change it sees (``monitor/web/cache.py``).
        self.cards = CardCache(
            limit=2 * PAGE_LIMIT,
            watching=lambda: self.hub.watching,
            window_ttl_s=window_ttl_s,
        )
        self.hub.on_change(self.cards.forget_windows)
        self.svg_pieces: SvgPieces = {}  # the graph's elements as last written
        self.warming: asyncio.Task[None] | None = None

    # -- warming ---------------------------------------------------------------------------
    # A page of 1,000 events after a restart pays for everything a process builds once
    # (the officials roster's TOML behind the headlines, CLDR's country names, compiling
    # the templates) and for every card (the events' rows read, HTML written). The server
    # starts building that in the background as soon as it starts, without waiting for it:
    # readiness and the first poll go ahead, and the work yields to the event loop between
    # chunks (the tables are built in a thread). A page asked meanwhile waits for it and
    # reuses its read of the window (``CardCache.window``'s ``read_after``).

    async def start_warming(self, app: web.Application) -> None:
        """``on_startup``: start ``warm`` without waiting for it."""
        self.warming = asyncio.create_task(self.warm(), name="web.warm")

    async def warm(self) -> None:
        """Build what the first page needs: the tables and templates, then the cards of
        the newest events (the window a desk opens first, and the start of any longer one).
        A failure is logged and the pages build what they need themselves."""
        started = asyncio.get_running_loop().time()
        try:
            await asyncio.to_thread(self._warm_tables)
            today = utcnow().date()
            await self.cards.window(
                self.ctx.store,
                since=None,
                until=today + timedelta(days=AHEAD_DAYS),
                limit=PAGE_LIMIT,
                settings=self.ctx.settings,
                official_country=self.official_country,
            )
        except Exception as exc:  # never fatal: the pages build what they need themselves
            log.warning("web.warm_failed", error=f"{type(exc).__name__}: {exc}")
            return
        elapsed = asyncio.get_running_loop().time() - started
        log.info("web.warmed", cards=len(self.cards), seconds=round(elapsed, 3))

    def _warm_tables(self) -> None:
        country_of = self.official_country
        if country_of is not None:
            country_of("")  # reads the roster once (cached for the day)
        party_name("US")  # CLDR's territory names
        for template in TEMPLATES:
            self.env.get_template(template)  # compiled once, kept by the environment

    async def warmed(self) -> None:
        """Wait for a warming still under way (a page asked at start-up shares its work
        instead of doing it twice); at once afterwards."""
        task = self.warming
        if task is not None and not task.done():
            await asyncio.shield(task)

    # The settings are read per request: a reload replaces ``ctx.settings``.

    @property
    def official_country(self) -> OfficialCountry | None:
        return roster_officials(self.ctx.settings.sources).country_of

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.ctx.settings.rules)

    def page(self, template: str, now: datetime, **context: object) -> web.Response:
        body = render(self.env, template, now, **context)
        return web.Response(
            text=body,
            content_type="text/html",
            charset="utf-8",
            headers={**SECURITY_HEADERS, "Cache-Control": "no-store"},
        )

    async def meetings(self, request: web.Request) -> web.Response:
        arrived = asyncio.get_running_loop().time()
        await self.warmed()
        now = utcnow()
        today = now.date()
        filters = parse_filters(request.query)
        since, until = filters.window(today)
        shown = await self.cards.window(
            self.ctx.store,
            since=since,
            until=until,
            limit=PAGE_LIMIT,
            text=filters.q,
            settings=self.ctx.settings,
            official_country=self.official_country,
            read_after=arrived,  # the warming's read, when it began after this request
        )
        # The graph shows the whole window under the other filters, so another node or
        # pair can be picked from it; the list shows the selection.
        part = request.query.get("part")
        around = replace(filters, country=None, pair=None)
        with_graph = part != "list"  # the list alone skips building the graph
        graph = build_graph([e.summary for e in shown if with_graph and around.matches(e.summary)])
        with_list = part != "graph"
        cards = [e.html for e in shown if with_list and filters.matches(e.summary)]
        end = filters.to or today
        back = max(90, 3 * filters.days)
        context = {
            "page": "meetings",
            "filters": filters,
            "since": since,
            "until": until,
            "today": today,
            "graph": graph,
            "graph_svg": graph_svg(graph, filters, self.svg_pieces),
            "cards": cards,
            "cards_html": cards_html(cards, filters),
            "truncated": len(shown) >= PAGE_LIMIT,
            "limit": PAGE_LIMIT,
            "default_days": DEFAULT_DAYS,
            "max_days": MAX_DAYS,
            "statuses": STATUSES,
            "rules": self.rules,
            "rendered_at": now.isoformat(),
            "slider": {"min": -back, "max": 0, "value": min(0, (end - today).days)},
        }
        partial = PARTS.get(part or "")
        if partial is not None:
            return self.page(partial, now, **context)
        return self.page("meetings.html", now, **context)

    async def event(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        record = await self.ctx.store.event_record(key)
        now = utcnow()
        if record is None:
            raise web.HTTPNotFound(text=f"no event {key!r} in the store", headers=SECURITY_HEADERS)
        card = event_card(record, self.official_country)
        rows = await self.ctx.store.event_outbox(key)
        entries = timeline(card, [delivery(r) for r in rows])
        back = Filters(pair=record.pair, days=7, to=record.date + timedelta(days=3))
        return self.page(
            "event.html",
            now,
            page="event",
            card=card,
            timeline=entries,
            back_query=back.href("").lstrip("?"),
            rendered_at=now.isoformat(),
        )

    async def reports(self, request: web.Request) -> web.Response:
        """One event's reports as a fragment for the meetings list's details (app.js
        fetches it when a desk opens them). The URL carries the list's filter: an event
        the filter leaves out is not found; with a rule or a text search, the reports
        they select (all of them when the event matched by its place or officials)."""
        key = request.match_info["key"]
        filters = parse_filters(request.query)
        record = await self.ctx.store.event_record(key)
        if (
            record is None
            or not filters.matches(summary_of(record))
            or (filters.q and not mentions(record, filters.q))
        ):
            raise web.HTTPNotFound(text=f"no event {key!r} in this view", headers=SECURITY_HEADERS)
        card = event_card(record, self.official_country)
        chosen = [
            view
            for report, view in zip(record.reports, card.reports, strict=True)
            if (not filters.rule or report.match.rule_id == filters.rule)
            and (not filters.q or fold(filters.q) in report_folded(report))
        ]
        body = reports_fragment(card, chosen or list(card.reports), filters)
        return web.Response(
            text=str(body),
            content_type="text/html",
            charset="utf-8",
            headers={**SECURITY_HEADERS, "Cache-Control": "no-store"},
        )

    async def sources(self, request: web.Request) -> web.Response:
        now = utcnow()
        store = self.ctx.store
        states = await store.source_states()
        activity = await store.source_activity(since=now - timedelta(days=ACTIVITY_DAYS))
        configured = [
            ConfiguredSource(s.id, s.type, s.official, s.enabled, s.interval)
            for s in self.ctx.settings.sources
        ]
        watched = await watch_sources(store, self.ctx.settings.sources, now)
        judged = {sid: (w.pace, w.verdict) for sid, w in watched.items()}
        rows = source_rows(configured, states, activity, judged)
        return self.page("sources.html", now, page="sources", rows=rows, window_days=ACTIVITY_DAYS)

    async def graph_svg(self, request: web.Request) -> web.Response:
        filters = parse_filters(request.query)
        since, until = filters.window(utcnow().date())
        events = await self.ctx.store.event_summaries_between(
            since=since, until=until, limit=PAGE_LIMIT, text=filters.q
        )
        around = replace(filters, country=None, pair=None)
        graph = build_graph([e for e in events if around.matches(e)])
        body = str(graph_svg(graph, filters, self.svg_pieces))
        return web.Response(
            text='<?xml version="1.0" encoding="utf-8"?>\n' + body,
            content_type="image/svg+xml",
            charset="utf-8",
            headers={**SECURITY_HEADERS, "Cache-Control": "no-store"},
        )

    async def live(self, request: web.Request) -> web.StreamResponse:
        return await stream(request, self.hub, SECURITY_HEADERS)

    async def static(self, request: web.Request) -> web.Response:
        asset = self.assets.get(request.match_info["name"])
        if asset is None:
            raise web.HTTPNotFound(headers=SECURITY_HEADERS)
        hashed = request.match_info["name"] == asset.name
        headers = {
            **SECURITY_HEADERS,
            "ETag": asset.etag,
            "Cache-Control": "public, max-age=31536000, immutable" if hashed else "no-cache",
        }
        if request.headers.get("If-None-Match") == asset.etag:
            return web.Response(status=304, headers=headers)
        return web.Response(
            body=asset.body, headers={**headers, "Content-Type": asset.content_type}
        )

    async def shutdown(self, app: web.Application) -> None:
        if self.warming is not None:
            self.warming.cancel()
        await self.hub.close()


def install(
    app: web.Application,
    ctx: WebContext,
    *,
    live_poll_s: float | None = None,
    warm: bool = True,
    window_ttl_s: float = WINDOW_TTL_S,
) -> Site:
    """Add the desk's pages to ``app`` (before it starts); returns the site (tests use it).
    ``warm``: build what the first page needs in the background once the app starts;
    ``window_ttl_s``: how long a window read answers for later pages at most."""
    site = Site(ctx, live_poll_s=live_poll_s, window_ttl_s=window_ttl_s)
    app.router.add_get("/", site.meetings, name="web-meetings")
    app.router.add_get("/events/{key}", site.event, name="web-event")
    app.router.add_get("/events/{key}/reports", site.reports, name="web-reports")
    app.router.add_get("/sources", site.sources, name="web-sources")
    app.router.add_get("/graph.svg", site.graph_svg, name="web-graph")
    app.router.add_get("/live", site.live, name="web-live")
    app.router.add_get("/static/{name}", site.static, name="web-static")
    if warm:
        app.on_startup.append(site.start_warming)
    app.on_shutdown.append(site.shutdown)
    return site
