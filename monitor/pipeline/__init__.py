"""The pipeline: new items -> rules -> matches -> events -> alert decisions, in one transaction.

Owns processing a batch of items (``process.Pipeline``), the contract between processing and
deciding (``routing``), and the decisions on the store (``decide.EventDecide``: the pure event
layer of ``monitor.events`` run inside the poll's transaction). May import the store, the event
layer, ``rules`` and the model; never the network, the scheduler or the daemon.
"""

from __future__ import annotations

from monitor.pipeline.process import Outcome, Pipeline
from monitor.pipeline.routing import Decide, DecideContext, Flush, QueuedAlert, RoutedMatch, queue

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
