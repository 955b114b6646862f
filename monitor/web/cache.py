"""The meetings page's memory of cards it has already built: per event key, the event's
summary and its card's fixed HTML (``monitor/web/markup.py``), kept while the event's
version (updated time, report count, status) is unchanged.

A page reads the window's summaries (one row per event, no report read or parsed:
``Store.event_summaries_between``) and builds cards only for events that are new or
changed since the last page. A change of settings (a reload: the roster that names
officials' countries in headlines) empties the memory. At most ``limit`` entries are kept;
the ones the latest page did not use go first.

It also remembers the windows it read (by since, until, limit and text; the filters the
page applies in Python then run on the remembered list), so a click on the graph does not
read 1,000 rows again. A remembered window answers only while the live feed watches the
store (``LiveHub.watching``: an open page listens) and for at most ``window_ttl_s``; every
change the feed sees forgets them all (``forget_windows``) before any page hears of it.
The feed reads the store, so on PostgreSQL it sees every node's writes; the TTL bounds what
it cannot see (a prune's deletions, a commit later than its slack). Without a listener every
page reads the store, as a page without script is not live either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from monitor.events.record import OfficialCountry
from monitor.store.base import Store
from monitor.store.webreads import EventSummary
from monitor.web.markup import CardHtml, card_html
from monitor.web.present import summary_card

CHUNK = 250  # cards built between two turns of the event loop
WINDOW_TTL_S = 2.0  # how long a remembered window answers at most
WINDOWS_KEPT = 8  # windows remembered at once (a desk moves between a few)

WindowKey = tuple[date | None, date | None, int, str | None]


@dataclass(frozen=True, slots=True)
class Shown:
    version: tuple[datetime, int, str]
    summary: EventSummary
    html: CardHtml


def _version(s: EventSummary) -> tuple[datetime, int, str]:
    return (s.updated_at, s.report_count, s.status)


class CardCache:
    """Event summaries and their cards' HTML by key and version, for one site."""

    def __init__(
        self,
        limit: int,
        *,
        watching: Callable[[], bool] = lambda: False,
        window_ttl_s: float = WINDOW_TTL_S,
    ) -> None:
        self.limit = limit
        self.watching = watching  # whether the live feed vouches for remembered windows
        self.window_ttl_s = window_ttl_s
        # (loop time its read started, its summaries) per window
        self._windows: dict[WindowKey, tuple[float, list[EventSummary]]] = {}
        self._generation = 0  # forgets so far: a read that saw one in flight is not kept
        self._entries: dict[str, Shown] = {}
        # The latest complete read of an open window (no lower date, no text, fewer rows
        # than its limit): (loop time it started, its upper date, its summaries).
        self._whole: tuple[float, date | None, list[EventSummary]] | None = None
        self._owner: object = None  # the settings the cards were built under
        self.built = 0  # cards built (tests look)
        self.reads = 0  # windows read from the store (tests look)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every card (the bench measures a first page with this)."""
        self._entries.clear()
        self.forget_windows()

    def forget_windows(self) -> None:
        """Something changed in the store (``LiveHub.on_change``): read windows anew."""
        self._generation += 1
        self._windows.clear()

    async def window(
        self,
        store: Store,
        *,
        since: date | None,
        until: date | None,
        limit: int,
        text: str | None = None,
        settings: object,
        official_country: OfficialCountry | None,
        read_after: float | None = None,
    ) -> list[Shown]:
        """The window's events in the store's order (``event_summaries_between``), with
        cards; ``text``: only events mentioning it (the store searches). ``read_after``
        (loop time): a complete read of an open window that started then or later answers
        for the store (a page that waited for the start-up warming reuses its read)."""
        if settings is not self._owner:
            self._entries.clear()
            self._owner = settings
        summaries = self._reuse(since, until, limit, text, read_after)
        if summaries is None:
            summaries = self._remembered((since, until, limit, text))
        if summaries is None:
            summaries = await self._shifted(store, since, until, limit, text)
        if summaries is None:
            started = asyncio.get_running_loop().time()
            generation = self._generation
            self.reads += 1
            summaries = await store.event_summaries_between(
                since=since, until=until, limit=limit, text=text
            )
            if since is None and text is None and len(summaries) < limit:
                self._whole = (started, until, summaries)
            self._keep((since, until, limit, text), started, summaries, generation)
        shown: list[Shown] = []
        fresh = 0
        for s in summaries:
            entry = self._entries.get(s.key)
            if entry is None or entry.version != _version(s):
                entry = Shown(_version(s), s, card_html(summary_card(s, official_country)))
                self._entries[s.key] = entry
                fresh += 1
                if fresh % CHUNK == 0:
                    # Building 1,000 cards (at start-up, in the background) never holds
                    # the event loop for long.
                    await asyncio.sleep(0)
            shown.append(entry)
        self.built += fresh
        if len(self._entries) > self.limit:
            keep = {s.key for s in summaries}
            for key in [k for k in self._entries if k not in keep]:
                del self._entries[key]
                if len(self._entries) <= self.limit:
                    break
        return shown

    def _keep(
        self, key: WindowKey, started: float, summaries: list[EventSummary], generation: int
    ) -> None:
        """Remember a window read from ``started`` on, unless the store changed meanwhile
        (a forget since ``generation``); the oldest goes past ``WINDOWS_KEPT``."""
        if generation != self._generation:
            return
        self._windows[key] = (started, summaries)
        while len(self._windows) > WINDOWS_KEPT:
            del self._windows[next(iter(self._windows))]

    def _remembered(self, key: WindowKey) -> list[EventSummary] | None:
        """The window's summaries as last read, while the live feed watches and within the
        TTL (counted from the read's start)."""
        kept = self._windows.get(key)
        if kept is None or not self.watching():
            return None
        started, summaries = kept
        if asyncio.get_running_loop().time() - started >= self.window_ttl_s:
            del self._windows[key]
            return None
        return summaries

    async def _shifted(
        self,
        store: Store,
        since: date | None,
        until: date | None,
        limit: int,
        text: str | None,
    ) -> list[EventSummary] | None:
        """The window from a remembered complete one that overlaps it (the time slider moves
        a window by days), reading only the days it lacks; remembered as of the older read
        (the TTL counts from it). None when no remembered window serves."""
        if since is None or until is None or not self.watching():
            return None
        now = asyncio.get_running_loop().time()
        for (s0, u0, lim, txt), (started, kept) in reversed(self._windows.items()):
            if (
                lim != limit
                or txt != text
                or s0 is None
                or u0 is None
                or len(kept) >= limit  # cut at its limit: older days of it are missing
                or now - started >= self.window_ttl_s
                or since > u0
                or until < s0
            ):
                continue
            generation = self._generation
            newer = older = []
            if until > u0:
                self.reads += 1
                newer = await store.event_summaries_between(
                    since=u0 + timedelta(days=1), until=until, limit=limit, text=text
                )
            if since < s0:
                self.reads += 1
                older = await store.event_summaries_between(
                    since=since, until=s0 - timedelta(days=1), limit=limit, text=text
                )
            # The store's order is by date first, so the three parts follow one another;
            # a part cut at the limit is cut at its oldest, past the window's limit anyway.
            inside = [s for s in kept if since <= s.date <= until]
            summaries = (newer + inside + older)[:limit]
            self._keep((since, until, limit, text), started, summaries, generation)
            return summaries
        return None

    def _reuse(
        self,
        since: date | None,
        until: date | None,
        limit: int,
        text: str | None,
        read_after: float | None,
    ) -> list[EventSummary] | None:
        """The window's summaries cut from the latest complete read, when it started at or
        after ``read_after`` and holds every event of the window: it had no lower date, no
        text, fewer rows than its limit, and an upper date at or after ``until``."""
        whole = self._whole
        if whole is None or read_after is None or text is not None:
            return None
        started, upper, summaries = whole
        if started < read_after or (upper is not None and (until is None or until > upper)):
            return None
        chosen = [
            s
            for s in summaries
            if (since is None or s.date >= since) and (until is None or s.date <= until)
        ]
        return chosen[:limit]
