"""The daemon's Prometheus metrics: one place that names them, so the README, the endpoint and
the parts that count agree.

Counters and histograms are incremented where things happen (poller, pipeline, delivery,
scheduler); gauges that describe the state (outbox depth, seconds since each source's last
success, leases held) are read from the store when ``/metrics`` is scraped (``refresh``), so
they are right on every node of a PostgreSQL cluster, whoever did the work. Everything lives
in prometheus-client's default registry (the process's one exporter).
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from monitor import __version__
from monitor.model import Alert

POLLS = Counter("bilat_polls_total", "Polls by source and outcome", ["source", "outcome"])
POLL_SECONDS = Histogram(
    "bilat_poll_duration_seconds",
    "Time from request to committed result, per poll",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
NEW_ITEMS = Counter("bilat_new_items_total", "Items seen for the first time", ["source"])
MATCHES = Counter("bilat_matches_total", "Rule matches on new items", ["rule"])
ALERTS = Counter(
    "bilat_alerts_total", "Alerts queued, sent and dead-lettered", ["notifier", "state"]
)
DELIVERY_SECONDS = Histogram(
    "bilat_delivery_latency_seconds",
    "From an alert queued to its delivery acknowledged",
    ["notifier"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 3600, 86400),
)
OUTBOX_DEPTH = Gauge("bilat_outbox_depth", "Outbox rows pending or dead", ["notifier", "state"])
SINCE_SUCCESS = Gauge(
    "bilat_source_seconds_since_success", "Seconds since the source's last good poll", ["source"]
)
SILENT_SOURCES = Gauge(
    "bilat_sources_silent",
    "Enabled sources silent for longer than their expect_every or usual pace (monitor/watch)",
)
LEASES_HELD = Gauge("bilat_leases_held", "Leases this node holds, by kind", ["kind"])
STORE_ERRORS = Counter("bilat_store_errors_total", "Store operations that failed", ["operation"])
BUILD_INFO = Gauge("bilat_build_info", "Always 1; the build's labels", ["version", "python"])
RELOAD_OK = Gauge(
    "bilat_config_last_reload_successful", "1 if the last configuration reload worked"
)
RELOAD_AT = Gauge(
    "bilat_config_last_reload_success_timestamp_seconds", "When the config was last loaded"
)

BUILD_INFO.labels(__version__, platform.python_version()).set(1)
RELOAD_OK.set(1)  # the configuration the daemon started with was valid, or it would not run

# The children of the per-poll and per-alert counters, by labels: ``labels()`` validates and
# locks on every call (several per poll and per alert on the poll path). Only these never-
# cleared counters are cached; the gauges that ``set_state`` clears are looked up each time.
_CHILDREN: dict[tuple[object, tuple[str, ...]], Any] = {}


def _child(metric: Counter | Histogram, *labels: str) -> Any:
    key = (metric, labels)
    child = _CHILDREN.get(key)
    if child is None:
        child = _CHILDREN[key] = metric.labels(*labels)
    return child


def poll_done(source: str, outcome: str, seconds: float, new_items: int = 0) -> None:
    """A poll ended: ``outcome`` is ok, not_modified or failed."""
    _child(POLLS, source, outcome).inc()
    POLL_SECONDS.observe(seconds)
    if new_items:
        _child(NEW_ITEMS, source).inc(new_items)


def committed(rule_ids: Iterable[str], queued: Sequence[Alert]) -> None:
    """A pipeline transaction committed these matches (by rule) and queued these alerts."""
    for rule in rule_ids:
        _child(MATCHES, rule).inc()
    for alert in queued:
        _child(ALERTS, alert.notifier, "queued").inc()


def delivered(notifier: str, created: Iterable[datetime], now: datetime) -> None:
    """Alerts of ``notifier`` queued at ``created`` were acknowledged at ``now``."""
    sent, latency = _child(ALERTS, notifier, "sent"), _child(DELIVERY_SECONDS, notifier)
    for at in created:
        sent.inc()
        latency.observe(max(0.0, (now - at).total_seconds()))


def dead(notifier: str, count: int) -> None:
    ALERTS.labels(notifier, "dead").inc(count)


def store_error(operation: str) -> None:
    STORE_ERRORS.labels(operation).inc()


def reloaded(ok: bool, at: float) -> None:
    RELOAD_OK.set(1 if ok else 0)
    if ok:
        RELOAD_AT.set(at)


def silent_sources(count: int) -> None:
    SILENT_SOURCES.set(count)


def set_state(
    notifiers: Iterable[str],
    outbox: dict[tuple[str, str], int],
    last_ok: dict[str, datetime | None],
    leases: Iterable[str],
    now: datetime,
) -> None:
    """The gauges from the store's state at scrape time. Series of notifiers and sources no
    longer configured disappear (their values would otherwise freeze)."""
    OUTBOX_DEPTH.clear()
    for notifier in set(notifiers) | {n for n, _ in outbox}:
        for state in ("pending", "dead"):
            OUTBOX_DEPTH.labels(notifier, state).set(outbox.get((notifier, state), 0))
    SINCE_SUCCESS.clear()
    for source, at in last_ok.items():
        if at is not None:
            SINCE_SUCCESS.labels(source).set(max(0.0, (now - at).total_seconds()))
    LEASES_HELD.clear()
    for kind in ("source", "stream", "notifier"):
        LEASES_HELD.labels(kind).set(0)
    for name in leases:
        LEASES_HELD.labels(name.split(":", 1)[0]).inc()
