"""Prometheus metrics of the daemon, served at ``GET /metrics``.

Owns: ``PrometheusMetrics``, the ``monitor.metrics.Metrics`` hooks counted in a registry of its
own (never the library's global one: two daemons in one test process stay apart), and the
queue gauges set from the store at each scrape.

    monitor_polls_total{outcome}                  new | unchanged | failed | gone | ...
    monitor_fetch_errors_total{kind}              timeout, dns, tls, connect, http, ..., parse
    monitor_store_errors_total                    job runs the database failed (polls, rounds,
                                                  claims, releases, heartbeats, reloads...)
    monitor_database_up                           1 if the last scrape read the database
    monitor_items_seen_total                      items listed by successful polls
    monitor_new_articles_total                    of those, new articles stored
    monitor_matches_total{topic}                  new articles matching each topic
    monitor_deliveries_total{channel,status}      sent | failed | dead
    monitor_deliveries_pending, _dead             queue sizes now
    monitor_stage_duration_seconds{stage}         fetch, parse, extract, match, send
    monitor_scheduler_lag_seconds                 how late scheduled jobs and polls start
    monitor_sources_waiting, _overdue             due sources not started now; of those, the
                                                  ones waiting longer than their poll interval
    monitor_oldest_overdue_seconds                how long the longest-waiting one has been due

Does not own: where the hooks are called (the pipeline, deliverer and scheduler).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from monitor.metrics import Metrics
from monitor.slots import Backlog

CONTENT_TYPE = CONTENT_TYPE_LATEST
_STAGE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_LAG_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300)


class PrometheusMetrics(Metrics):
    """The hooks, counted; ``exposition()`` is the text a scrape gets."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self._polls = Counter("monitor_polls", "Polls by outcome", ["outcome"], registry=r)
        self._fetch_errors = Counter(
            "monitor_fetch_errors", "Failed polls by error class", ["kind"], registry=r
        )
        self._store_errors = Counter(
            "monitor_store_errors", "Job runs the database failed", registry=r
        )
        self._database_up = Gauge("monitor_database_up", "The database answered", registry=r)
        self._items = Counter("monitor_items_seen", "Items listed by polls", registry=r)
        self._new = Counter("monitor_new_articles", "New articles stored", registry=r)
        self._matches = Counter("monitor_matches", "New matches by topic", ["topic"], registry=r)
        self._deliveries = Counter(
            "monitor_deliveries", "Delivery outcomes", ["channel", "status"], registry=r
        )
        self._pending = Gauge("monitor_deliveries_pending", "Deliveries waiting", registry=r)
        self._dead = Gauge("monitor_deliveries_dead", "Deliveries given up on", registry=r)
        self._stages = Histogram(
            "monitor_stage_duration_seconds", "Time per pipeline stage", ["stage"],
            buckets=_STAGE_BUCKETS, registry=r,
        )  # fmt: skip
        self._lag = Histogram(
            "monitor_scheduler_lag_seconds", "How late scheduled jobs start",
            buckets=_LAG_BUCKETS, registry=r,
        )  # fmt: skip
        self._waiting = Gauge("monitor_sources_waiting", "Due sources not started", registry=r)
        self._overdue = Gauge(
            "monitor_sources_overdue", "Due sources waiting longer than their interval",
            registry=r,
        )  # fmt: skip
        self._oldest = Gauge(
            "monitor_oldest_overdue_seconds", "How long the longest-waiting source is due",
            registry=r,
        )  # fmt: skip
        self._read_backlog: Callable[[], Backlog] = Backlog

    def polled(self, source: str, outcome: str, items: int, new_articles: int) -> None:
        self._polls.labels(outcome).inc()
        self._items.inc(items)
        self._new.inc(new_articles)

    def fetch_error(self, kind: str) -> None:
        self._fetch_errors.labels(kind).inc()

    def store_error(self) -> None:
        self._store_errors.inc()

    def matched(self, topic: str) -> None:
        self._matches.labels(topic).inc()

    def delivered(self, channel: str, status: str, count: int = 1) -> None:
        self._deliveries.labels(channel, status).inc(count)

    def duration(self, stage: str, seconds: float) -> None:
        self._stages.labels(stage).observe(seconds)

    def scheduler_lag(self, seconds: float) -> None:
        self._lag.observe(seconds)

    def backlog(self, read: Callable[[], Backlog]) -> None:
        self._read_backlog = read

    def exposition(self, counts: Mapping[str, int] | None) -> bytes:
        """The text format, with the queue gauges from ``counts`` (``Store.queue_sizes()``; None:
        the database did not answer, and the queue gauges keep their last values); the
        scheduler's backlog as it is now."""
        self._database_up.set(0 if counts is None else 1)
        waiting = self._read_backlog()
        self._waiting.set(waiting.waiting)
        self._overdue.set(waiting.overdue)
        self._oldest.set(waiting.oldest)
        if counts is not None:
            self._pending.set(counts.get("deliveries_pending", 0))
            self._dead.set(counts.get("deliveries_dead", 0))
        return generate_latest(self.registry)
