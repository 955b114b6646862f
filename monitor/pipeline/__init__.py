"""The pipeline: new items -> rules -> matches -> events -> alert decisions, in one transaction.

Owns processing a batch of items (``process.Pipeline``), the contract between processing and
deciding (``routing``), the decisions on the store (``decide.EventDecide``: the pure event
layer of ``monitor.events`` run inside the poll's transaction), and the worker side of a
fetched feed (``feedjob``: parse and rules in one job). May import the store, the event
layer, ``rules`` and the model; never the network, the scheduler or the daemon.

The names below are imported when first used: a worker process imports ``feedjob`` alone,
without the store and the event layer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monitor.pipeline.process import Outcome, Pipeline
    from monitor.pipeline.routing import (
        Decide,
        DecideContext,
        Flush,
        QueuedAlert,
        RoutedMatch,
        queue,
    )

_HOMES = {
    "Outcome": "monitor.pipeline.process",
    "Pipeline": "monitor.pipeline.process",
    "Decide": "monitor.pipeline.routing",
    "DecideContext": "monitor.pipeline.routing",
    "Flush": "monitor.pipeline.routing",
    "QueuedAlert": "monitor.pipeline.routing",
    "RoutedMatch": "monitor.pipeline.routing",
    "queue": "monitor.pipeline.routing",
}

__all__ = [
    "Decide",
    "DecideContext",
    "Flush",
    "Outcome",
    "Pipeline",
    "QueuedAlert",
    "RoutedMatch",
    "queue",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # once
    return value
