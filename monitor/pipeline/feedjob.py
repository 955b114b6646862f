"""One worker job per fetched feed: parse, drop the items known seen, run the rules on the rest.

With the worker pool, a fetched feed used to cross the pool's pipes three times: the body out
to be parsed, every parsed item back, the items not seen before out again to the rules, and
their outcomes back; the event loop waited for two round trips and pickled whole feeds to
learn, most of the time, that one item was new (the tail of the fetch-to-outbox latency,
BENCHMARKS.md). ``feed_job`` does the parse and the rules in one job, and sends back only
what the poll's transaction needs:

- the items not known seen, whole, with what the rules made of them;
- the others as ``SeenItem`` (key, source, date): their ``last_seen`` is still refreshed,
  which retention counts from;
- an 8-byte digest of every item's key, which the pipeline keeps per source once the poll
  has committed (``Pipeline``'s hints) and sends with the source's next job as ``known``.

``known`` is a hint, never the authority: it only ever holds keys a committed poll of this
process wrote to the store, so an item it names is seen; the transaction still checks the
others against the store (``Transaction.unseen``), so a missing or empty hint (a source's
first job since the process started) costs rules over items already seen, never an alert.
A false "known" needs two keys of one feed with the same 64-bit digest.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from adapters.base import with_country
from monitor.model import Item, SeenItem, positional_pickle
from monitor.workers import RuleOutcome, evaluate_rules

if TYPE_CHECKING:  # not imported in the workers
    from monitor.contracts import ParsedDocument
    from rules.base import Rule

DIGEST_BYTES = 8
# A feed job runs on the event loop instead of a worker when its document is at most this
# big, the pool is idle, and the loop's inline work stays within INLINE_SHARE of its time.
INLINE_BYTES = 64 * 1024
INLINE_SHARE = 0.02


class InlineBudget:
    """The event loop's allowance for inline feed jobs: ``share`` of each second, banked up
    to ``share`` seconds. A fresh item's trip through a worker (the job out, the worker
    woken, the answer back, the loop woken) was most of its fetch-to-outbox median and a
    third of its tail on 2 busy cores (BENCHMARKS.md); a small feed parses in a millisecond
    or two. The budget keeps a cold pass, where the loop is the bottleneck, on the workers."""

    def __init__(self, share: float = INLINE_SHARE, clock: Callable[[], float] = time.perf_counter):
        self.share = share
        self._clock = clock
        self._credit = share
        self._at = clock()

    def allows(self) -> bool:
        now = self._clock()
        self._credit = min(self.share, self._credit + (now - self._at) * self.share)
        self._at = now
        return self._credit > 0

    def spend(self, seconds: float) -> None:
        self._credit -= seconds


def key_digest(key: str) -> bytes:
    """The stable digest of an item key that ``known`` is made of (the same in every
    process, unlike ``hash``)."""
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=DIGEST_BYTES).digest()


@positional_pickle
@dataclass(frozen=True, slots=True)
class FeedJob:
    """What one feed's job sends back (module docstring)."""

    fresh: list[Item]  # not known seen, in document order, duplicates dropped
    outcomes: list[RuleOutcome]  # of the rules over ``fresh`` (indices into it)
    known: list[SeenItem]  # the items the hint knew, for their ``last_seen``
    digests: bytes  # every item's ``key_digest``, concatenated: the next job's ``known``
    ttl_s: float | None
    entries: int
    notes: tuple[str, ...]


def feed_job(
    rules: Sequence[Rule],
    parse: Callable[[], ParsedDocument],
    known: bytes,
    country: str | None,
) -> FeedJob:
    """Parse, set the source's ``country`` on items without one, drop repeated ids (the
    first wins), split off the items ``known`` names, run ``rules`` over the rest."""
    parsed = parse()
    unique: dict[str, Item] = {}
    for item in with_country(parsed.items, country):
        unique.setdefault(item.key, item)
    hint = {known[i : i + DIGEST_BYTES] for i in range(0, len(known), DIGEST_BYTES)}
    digests: list[bytes] = []
    fresh: list[Item] = []
    seen: list[SeenItem] = []
    for key, item in unique.items():
        digest = key_digest(key)
        digests.append(digest)
        if digest in hint:
            seen.append(SeenItem(key, item.source_id, item.published_at))
        else:
            fresh.append(item)
    return FeedJob(
        fresh=fresh,
        outcomes=evaluate_rules(rules, fresh) if fresh else [],
        known=seen,
        digests=b"".join(digests),
        ttl_s=parsed.ttl_s,
        entries=parsed.entries,
        notes=tuple(parsed.notes),
    )
