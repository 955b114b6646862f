"""Values the store tests build: items, matches with their alert, one poll's writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from monitor.contracts import SourceCursor
from monitor.model import Alert, Item, Match, ReportRef
from monitor.store import Store
from monitor.store.postgres import PostgresStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
Nodes = Callable[[int], Awaitable[list[PostgresStore]]]  # the ``nodes`` fixture


def make_item(n: int | str, source: str = "s1", published: datetime | None = T0) -> Item:
    return Item(id=f"i{n}", source_id=source, title=f"title {n}", text="t", published_at=published)


def make_alert(item: Item, notifier: str = "console", at: datetime = T0) -> tuple[Match, Alert]:
    match = Match(rule_id="r", item_key=item.key, kind="keyword", summary=item.title)
    alert = Alert(
        id=Alert.make_id(notifier, "r", match.key, "new"),
        notifier=notifier,
        rule_id="r",
        kind="new",
        event_key=match.key,
        headline=match.summary,
        match=match,
        report=ReportRef.of(item),
        created_at=at,
    )
    return match, alert


async def write_poll(
    store: Store, items: list[Item], etag: str, source: str = "s1", notifier: str = "console"
) -> list[str]:
    """What the pipeline writes for one poll: seen items, matches, alerts, the new cursor."""
    async with store.transaction() as tx:
        new = await tx.unseen([i.key for i in items])
        await tx.mark_seen(items, T0)
        fresh = [i for i in items if i.key in new]
        pairs = [(make_alert(i, notifier), i) for i in fresh]
        await tx.add_matches([(m, i) for (m, _), i in pairs], T0)
        queued = await tx.add_alerts([a for (_, a), _ in pairs])
        state = await tx.source_state(source)
        await tx.save_source_state(
            state.evolve(cursor=SourceCursor(etag=etag), next_due_at=T0 + timedelta(minutes=5))
        )
    return queued
