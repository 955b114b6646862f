"""Events: many reports of one real meeting become one event, and what each notifier hears of it.

PURE (no I/O, no clock): clustering matches into events (``cluster``), the event's derived
record (``record``), the alert decisions per notifier and their threads (``alerts``,
``threads``, ``headlines``), alert options and silences (``options``), places (``places``),
and an in-memory reference of the whole lifecycle (``book``). The pipeline runs these
functions inside its transaction (``monitor.pipeline.decide``); the store persists their
results. May import ``monitor.model``, ``monitor.units``, ``monitor.notifiers.base`` (types)
and ``rules`` (pure); never the store, the network or the daemon.
"""
