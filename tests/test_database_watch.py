"""monitor.database_watch: the one record of the database every job reports to (pure transitions,
and the watch's two log lines and its count, on an injected clock). A real database going away
under the daemon's jobs: ``tests/test_database_outage.py``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from monitor.database_watch import (
    DatabaseHealth,
    DatabaseWatch,
    after_failure,
    after_success,
)
from monitor.errors import LeaseLost, StoreError
from monitor.metrics import Metrics

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Counted(Metrics):
    def __init__(self) -> None:
        self.store_errors = 0

    def store_error(self) -> None:
        self.store_errors += 1


def test_an_outage_begins_at_the_first_failure_and_ends_with_the_last_failing_job() -> None:
    """Failing jobs are kept by name; a job that never failed reaching the database ends
    nothing; the outage ends when the last failing one works again, and the totals stay."""
    t1 = T0 + timedelta(seconds=5)
    health = after_failure(DatabaseHealth(), "poll", "locked", T0)
    health = after_failure(health, "deliver", "gone", t1)
    health = after_failure(health, "poll", "gone", t1)
    assert (health.failing_since, health.failing_jobs) == (T0, ("deliver", "poll"))
    assert (health.failures, health.failed_polls, health.last_error) == (3, 2, "gone")
    assert after_success(health, "learn") == health
    health = after_success(health, "poll")
    assert (health.ok, health.failing_jobs, health.failed_jobs) == (
        False,
        ("deliver",),
        ("deliver", "poll"),
    )
    back = after_success(health, "deliver")
    assert back == DatabaseHealth(total_failures=3, total_failed=2, last_error="gone")


def test_the_watch_logs_an_outage_once_and_its_end_once_and_counts_every_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Forty failed runs of three jobs: one ERROR line naming the error's class, forty counted;
    back: one WARNING line with the outage's length and the jobs that failed."""
    clock, metrics = Clock(), Counted()
    watch = DatabaseWatch(clock, metrics)
    error = StoreError("claiming sources failed (postgresql+psycopg://u@db:5432/news): down")
    with caplog.at_level(logging.INFO, logger="monitor.database"):
        for n in range(40):
            watch.failed(("deliver", "heartbeat", "claim")[n % 3], error)
            clock.now += timedelta(seconds=1)
        failing = watch.health
        for job in ("deliver", "heartbeat", "claim"):
            watch.reached(job)
    lines = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert len(lines) == 2, lines
    (level, began), (back_level, ended) = lines
    assert level == "ERROR" and began.startswith("database unavailable job=deliver: StoreError: ")
    assert "@db:5432/news): down" in began  # the user masked when a redactor is installed
    assert back_level == "WARNING"
    assert ended.startswith(
        "database reachable again after 40 s; jobs that failed: claim, deliver, heartbeat"
    )
    assert (failing.failing_since, failing.failures) == (T0, 40)
    assert failing.failing_jobs == ("claim", "deliver", "heartbeat")
    assert metrics.store_errors == 40 and watch.health.ok and watch.health.total_failures == 40


def test_a_lost_lease_is_the_database_answering() -> None:
    """``LeaseLost``: another node holds the lease; the database answered: no outage."""
    metrics = Counted()
    watch = DatabaseWatch(Clock(), metrics)
    watch.failed("poll", LeaseLost("lease lost: source 'a' (epoch 3)"))
    assert watch.health == DatabaseHealth() and metrics.store_errors == 0
