"""The meetings page's memory of events it has already shown: per event key, the record and
its card's fixed HTML (``monitor/web/markup.py``), kept while the event's version (updated
time, report count, status) is unchanged.

A page then reads only the window's versions (one row per event, no report parsed) and
the records that are new or changed since the last page; parsing reports and building
cards was most of a page of 1,000 events. A change of settings (a reload: the roster that
names officials' countries in headlines) empties the memory. At most ``limit`` entries are
kept; the ones the latest page did not use go first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from monitor.events.record import EventRecord, OfficialCountry
from monitor.store.base import Store
from monitor.web.markup import CardHtml, card_html
from monitor.web.present import event_card

CHUNK = 200  # records read and cards built between two turns of the event loop


@dataclass(frozen=True, slots=True)
class Shown:
    version: tuple[datetime, int, str]
    record: EventRecord
    html: CardHtml


class CardCache:
    """Events and their cards' HTML by key and version, for one site."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: dict[str, Shown] = {}
        self._owner: object = None  # the settings the cards were built under
        self.misses = 0  # records read from the store (tests look)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Forget every card (the bench measures a first page with this)."""
        self._entries.clear()

    async def window(
        self,
        store: Store,
        *,
        since: date | None,
        until: date | None,
        limit: int,
        settings: object,
        official_country: OfficialCountry | None,
    ) -> list[Shown]:
        """The window's events newest first (as ``store.events_between``), with cards."""
        if settings is not self._owner:
            self._entries.clear()
            self._owner = settings
        stamps = await store.event_versions_between(since=since, until=until, limit=limit)
        versions = {s.key: (s.updated_at, s.report_count, s.status) for s in stamps}
        stale = [
            k for k, v in versions.items() if (e := self._entries.get(k)) is None or e.version != v
        ]
        if stale:
            self.misses += len(stale)
            # In chunks: each read gives the event loop a turn, so building 1,000 cards
            # (at start-up, in the background) never holds it for long.
            for start in range(0, len(stale), CHUNK):
                for record in await store.events_by_keys(stale[start : start + CHUNK]):
                    card = card_html(event_card(record, official_country))
                    version = versions.get(record.key)
                    if version is not None:
                        self._entries[record.key] = Shown(version, record, card)
        shown = [e for s in stamps if (e := self._entries.get(s.key)) is not None]
        if len(self._entries) > self.limit:
            keep = {e.record.key for e in shown}
            for key in [k for k in self._entries if k not in keep]:
                del self._entries[key]
                if len(self._entries) <= self.limit:
                    break
        return sorted(
            shown,
            key=lambda e: (
                -e.record.date.toordinal(),
                -e.record.first_seen.timestamp(),
                e.record.key,
            ),
        )
