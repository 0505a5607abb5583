"""Next-check and retry arithmetic."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor import policy
from monitor.types import Item

NOW = datetime(2021, 12, 7, 13, 33, tzinfo=UTC)


class NoJitter(random.Random):
    """A Random whose uniform(a, b) is always b: the worst case, so bounds are exact."""

    def uniform(self, a: float, b: float) -> float:
        return b


def minutes(when: datetime) -> float:
    return (when - NOW).total_seconds() / 60


@pytest.mark.parametrize(
    ("hints", "expected_minutes"),
    [
        ((), 10),
        ((None, None), 10),
        ((60.0,), 10),
        ((3600.0,), 60),
        ((None, 1800.0), 30),
        ((10 * 86400.0,), 24 * 60),
    ],
)
def test_success_hints_lengthen_never_shorten(hints, expected_minutes) -> None:
    """TTL/max-age below the interval change nothing; above it they lengthen, up to a day."""
    got = policy.next_check_after_success(NOW, 600, 0, hints, NoJitter())
    assert minutes(got) == expected_minutes


def test_success_jitter_is_bounded() -> None:
    """Jitter adds between 0 and ``jitter`` seconds."""
    got = policy.next_check_after_success(NOW, 600, 60, (), NoJitter())
    assert minutes(got) == 11


@pytest.mark.parametrize(
    ("failures", "expected_minutes"),
    [(1, 10), (2, 20), (3, 40), (6, 320), (7, 360), (30, 360), (1_025, 360), (10**6, 360)],
)
def test_failure_backoff_doubles_to_a_cap(failures: int, expected_minutes: float) -> None:
    """Exponential back-off from the interval, capped at six hours (plus at most 10% jitter),
    however long the source has been failing."""
    got = policy.next_check_after_failure(NOW, 600.0, failures, None, NoJitter())
    assert minutes(got) == pytest.approx(expected_minutes * 1.1)


def test_failure_honours_retry_after() -> None:
    """A server's Retry-After longer than the back-off wins."""
    got = policy.next_check_after_failure(NOW, 600, 1, 7200, NoJitter())
    assert minutes(got) == pytest.approx(132)


def test_delivery_retry_grows_and_is_capped() -> None:
    """Retries of a send back off exponentially up to the cap."""
    waits = [
        minutes(policy.next_delivery_attempt(NOW, n, 60.0, 3600.0, None, NoJitter()))
        for n in (1, 2, 3, 10, 5_000)
    ]
    assert waits == [1, 2, 4, 60, 60]


def item(published: datetime | None) -> Item:
    return Item(key="k", url=None, guid="g", title="t", summary="", published=published)


@pytest.mark.parametrize(
    ("published", "backfill", "expected"),
    [
        (NOW - timedelta(hours=1), 86400.0, True),
        (NOW - timedelta(days=2), 86400.0, False),
        (NOW - timedelta(hours=1), None, False),
        (None, 86400.0, False),
        # a date in the future is no date: "now - published" is negative, always "inside"
        (datetime(2099, 1, 1, tzinfo=UTC), 86400.0, False),
        (NOW + timedelta(days=2), 86400.0, False),
        # within a day ahead: a zone written wrong or a clock ahead, still believed
        (NOW + timedelta(hours=3), 86400.0, True),
    ],
)
def test_first_poll_notifies_only_backfill(published, backfill, expected) -> None:
    """A first poll is a silent baseline unless the item is inside the backfill window."""
    assert policy.notify_on_first_poll(item(published), NOW, backfill) is expected
