"""The daemon's view of its database: the one record every job that touches the store reports to.

A database outage cannot be recorded in the database, so the daemon holds it. Every job that
reads or writes the store (polls, delivery rounds, claims, lease releases, heartbeats, shared
host politeness, config reloads, learned-filter checks, the daily prune) reports to one
``DatabaseWatch``: a failure (``failed``), or that it reached the database again (``reached``).
The watch keeps a
``DatabaseHealth`` value (``/healthz`` shows it), counts every failure
(``monitor_store_errors_total``), and logs two lines per outage: one ERROR when the database
first fails, one WARNING when the last job that failed on it works again. Failures between
them are counted, not logged.

An outage ends when every job that failed during it has reached the database again, not at the
first job that does: a SQLite file locked by another process still answers reads while every
write fails, and a read succeeding in between would end and restart the outage at every tick.

Owns: ``DatabaseHealth`` and its pure transitions (``after_failure``, ``after_success``), and
``DatabaseWatch``, the mutable holder (clock and metrics injected; safe to call from the store's
threads). Does not own: catching the errors (each job reports its own), retrying (the jobs run
again on schedule), the metrics registry (``monitor.web.metrics``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from monitor.errors import LeaseLost, StoreError
from monitor.metrics import NO_METRICS, Metrics

log = logging.getLogger("monitor.database")

#: the job name a poll reports under (its failures are also counted as polls not saved)
POLL = "poll"
#: longest error text kept
ERROR_MAX = 300


@dataclass(frozen=True, slots=True)
class DatabaseHealth:
    """The database as the daemon's jobs found it."""

    #: when the current outage began (None: every job that failed has reached it again)
    failing_since: datetime | None = None
    #: the jobs failing now: failed in this outage and not reached the database since (sorted)
    failing_jobs: tuple[str, ...] = ()
    #: every job that failed in this outage (sorted; the recovery line names them)
    failed_jobs: tuple[str, ...] = ()
    #: failed job runs in this outage
    failures: int = 0
    #: failed job runs since the daemon started
    total_failures: int = 0
    #: polls not saved in this outage
    failed_polls: int = 0
    #: polls not saved since the daemon started
    total_failed: int = 0
    #: why the last run failed (``StoreError``'s text: scheme, host and database, no password)
    last_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.failing_since is None


def after_failure(health: DatabaseHealth, job: str, error: str, now: datetime) -> DatabaseHealth:
    """The health after ``job`` failed on the database with ``error``."""
    poll = 1 if job == POLL else 0
    return DatabaseHealth(
        failing_since=health.failing_since or now,
        failing_jobs=tuple(sorted({*health.failing_jobs, job})),
        failed_jobs=tuple(sorted({*health.failed_jobs, job})),
        failures=health.failures + 1,
        total_failures=health.total_failures + 1,
        failed_polls=health.failed_polls + poll,
        total_failed=health.total_failed + poll,
        last_error=error[:ERROR_MAX],
    )


def after_success(health: DatabaseHealth, job: str) -> DatabaseHealth:
    """The health after ``job`` reached the database: the outage ends with the last failing job."""
    if job not in health.failing_jobs:
        return health
    failing = tuple(j for j in health.failing_jobs if j != job)
    if failing:
        return replace(health, failing_jobs=failing)
    return DatabaseHealth(
        total_failures=health.total_failures,
        total_failed=health.total_failed,
        last_error=health.last_error,
    )


class DatabaseWatch:
    """The daemon's one record of its database (see the module docstring)."""

    def __init__(self, now: Callable[[], datetime], metrics: Metrics = NO_METRICS) -> None:
        self._now = now
        self._metrics = metrics
        self._health = DatabaseHealth()
        self._lock = threading.Lock()  # shared host politeness reports from the store's threads

    @property
    def health(self) -> DatabaseHealth:
        return self._health

    def failed(self, job: str, error: StoreError) -> None:
        """``job`` could not use the database. ``LeaseLost`` is no failure of the database
        (it answered: another node holds the lease) and counts as reaching it."""
        if isinstance(error, LeaseLost):
            self.reached(job)
            return
        self._metrics.store_error()
        with self._lock:
            before = self._health
            self._health = after_failure(before, job, str(error), self._now())
        if before.ok:
            log.error(
                "database unavailable job=%s: %s: %s (jobs go on and retry; further failures"
                " are counted in /healthz and /metrics, not logged, until it answers again)",
                job,
                type(error).__name__,
                str(error)[:ERROR_MAX],
            )

    def reached(self, job: str) -> None:
        """``job`` used the database successfully."""
        with self._lock:
            before = self._health
            self._health = after_success(before, job)
        if not before.ok and self._health.ok and before.failing_since is not None:
            seconds = (self._now() - before.failing_since).total_seconds()
            log.warning(
                "database reachable again after %.0f s; jobs that failed: %s"
                " (%d failures, %d polls not saved)",
                max(0.0, seconds),
                ", ".join(before.failed_jobs),
                before.failures,
                before.failed_polls,
            )
