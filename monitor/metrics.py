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
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from monitor import __version__
from monitor.model import Alert

# The per-source series of ``/metrics`` (``bilat_polls_total``, ``bilat_new_items_total``,
# ``bilat_source_seconds_since_success``), kept as plain numbers and rendered at scrape time.
#
# prometheus-client's labelled ``Counter`` and ``Gauge`` make a child object per label set
# (a value holder with its own lock, its creation time, its label tuple): about 600 bytes each,
# 18 MiB for the three series of 10,000 sources, a third of what the daemon grew by. Here
# a series is one entry of a dict of counts per outcome (about 100 bytes), and the families are
# built only while ``/metrics`` renders. What a scrape shows is unchanged but for the
# ``_created`` samples, which these series do not carry.


class SourceSeries(Collector):
    """Counts per source, and the seconds since each source's last success at the last
    refresh; registered once in the default registry (``monitor.metrics``)."""

    def __init__(self) -> None:
        # outcome -> source -> polls; a lock because a scrape may render from another thread.
        self._polls: dict[str, dict[str, int]] = {}
        self._new_items: dict[str, int] = {}
        self._since_success: dict[str, float] = {}
        self._lock = threading.Lock()

    def poll(self, source: str, outcome: str, new_items: int) -> None:
        with self._lock:
            counts = self._polls.get(outcome)
            if counts is None:
                counts = self._polls[outcome] = {}
            counts[source] = counts.get(source, 0) + 1
            if new_items:
                self._new_items[source] = self._new_items.get(source, 0) + new_items

    def since_success(self, last_ok: Mapping[str, datetime | None], now: datetime) -> None:
        """Replace the gauge's series: sources no longer configured disappear."""
        values = {
            source: max(0.0, (now - at).total_seconds())
            for source, at in last_ok.items()
            if at is not None
        }
        with self._lock:
            self._since_success = values

    def describe(self) -> Iterator[Metric]:
        yield CounterMetricFamily("bilat_polls", "Polls by source and outcome")
        yield CounterMetricFamily("bilat_new_items", "Items seen for the first time")
        yield GaugeMetricFamily(
            "bilat_source_seconds_since_success", "Seconds since the source's last good poll"
        )

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            polls = {outcome: dict(counts) for outcome, counts in self._polls.items()}
            new_items = dict(self._new_items)
            since = dict(self._since_success)
        family = CounterMetricFamily(
            "bilat_polls", "Polls by source and outcome", labels=["source", "outcome"]
        )
        for outcome, counts in polls.items():
            for source, count in counts.items():
                family.add_metric([source, outcome], count)
        yield family
        family = CounterMetricFamily(
            "bilat_new_items", "Items seen for the first time", labels=["source"]
        )
        for source, count in new_items.items():
            family.add_metric([source], count)
        yield family
        gauge = GaugeMetricFamily(
            "bilat_source_seconds_since_success",
            "Seconds since the source's last good poll",
            labels=["source"],
        )
        for source, seconds in since.items():
            gauge.add_metric([source], seconds)
        yield gauge


SOURCES = SourceSeries()
REGISTRY.register(SOURCES)
POLL_SECONDS = Histogram(
    "bilat_poll_duration_seconds",
    "Time from request to committed result, per poll",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
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
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1, 5, 30)
FETCH_TO_OUTBOX_SECONDS = Histogram(
    "bilat_fetch_to_outbox_seconds",
    "From the response that brought a new item read in full to its alerts committed in the"
    " outbox (polled sources; one observation per alert)",
    buckets=LATENCY_BUCKETS,
)
# The same path cut into its hops (one observation per poll that queued alerts): ``job`` the
# worker's parse and rules (pipe round trip and its wait for a worker and a core), ``wait``
# from there to the poll's unit of work starting (the loop's turn, the store's lock),
# ``unit`` the unit's statements, ``commit`` from its end to its batch's COMMIT returning.
FETCH_TO_OUTBOX_HOP_SECONDS = Histogram(
    "bilat_fetch_to_outbox_hop_seconds",
    "The fetch-to-outbox path of polls that queued alerts, by hop (job, wait, unit, commit)",
    ["hop"],
    buckets=LATENCY_BUCKETS,
)
OUTBOX_DEPTH = Gauge("bilat_outbox_depth", "Outbox rows pending or dead", ["notifier", "state"])
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

# The children of the per-match and per-alert series (labelled by rule or notifier, a few
# each), by labels: ``labels()`` validates and locks on every call. Only these never-cleared
# metrics are cached; the gauges that ``set_state`` clears are looked up each time.
_CHILDREN: dict[object, dict[tuple[str, ...], Any]] = {}


def child(metric: Counter | Histogram, *labels: str) -> Any:
    """``metric.labels(*labels)``, kept (see ``_CHILDREN``)."""
    children = _CHILDREN.get(metric)
    if children is None:
        children = _CHILDREN[metric] = {}
    child = children.get(labels)
    if child is None:
        child = children[labels] = metric.labels(*labels)
    return child


def poll_done(source: str, outcome: str, seconds: float, new_items: int = 0) -> None:
    """A poll ended: ``outcome`` is ok, not_modified or failed."""
    SOURCES.poll(source, outcome, new_items)
    POLL_SECONDS.observe(seconds)


def committed(rule_ids: Iterable[str], queued: Sequence[Alert]) -> None:
    """A pipeline transaction committed these matches (by rule) and queued these alerts."""
    for rule in rule_ids:
        child(MATCHES, rule).inc()
    for alert in queued:
        child(ALERTS, alert.notifier, "queued").inc()


def fetch_to_outbox(seconds: float, alerts: int) -> None:
    """``alerts`` were committed to the outbox ``seconds`` after their response was read."""
    for _ in range(alerts):
        FETCH_TO_OUTBOX_SECONDS.observe(seconds)


def fetch_to_outbox_hops(hops: Mapping[str, float]) -> None:
    """One poll's hops of ``bilat_fetch_to_outbox_seconds`` (see the histogram)."""
    for hop, seconds in hops.items():
        child(FETCH_TO_OUTBOX_HOP_SECONDS, hop).observe(seconds)


def delivered(notifier: str, created: Iterable[datetime], now: datetime) -> None:
    """Alerts of ``notifier`` queued at ``created`` were acknowledged at ``now``."""
    sent, latency = child(ALERTS, notifier, "sent"), child(DELIVERY_SECONDS, notifier)
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
    SOURCES.since_success(last_ok, now)
    LEASES_HELD.clear()
    for kind in ("source", "stream", "notifier"):
        LEASES_HELD.labels(kind).set(0)
    for name in leases:
        LEASES_HELD.labels(name.split(":", 1)[0]).inc()
