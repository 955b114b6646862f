"""The daemon's heap after startup: long-lived data out of the cyclic collector's way.

At startup bilat builds data that lives as long as the process: the configuration, every
rule (the detector's gazetteer alone is tens of thousands of objects), Babel's locale data.
CPython's collector walks all of it again in every full collection, and a poll allocates
enough short-lived objects (aiohttp's request and response) to trigger collections often: in
the polling benchmark that was a sixth of the CPU of a conditional pass. ``settle_heap``
builds what rules build lazily, moves everything alive into the permanent generation
(``gc.freeze``) and lets more young objects pile up before a collection, as long-running
CPython services commonly do. Nothing is leaked: only objects alive at startup are frozen,
and the collector still runs.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable

from rules.base import Rule

YOUNG_THRESHOLD = 10_000  # CPython's default is 700 allocations


def settle_heap(rules: Iterable[Rule]) -> None:
    """Warm ``rules``, then freeze the heap and raise the young-generation threshold."""
    for rule in rules:
        rule.warm()
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, young), middle, old)
