"""Source health: pure decisions about sources that move, fail, or sit behind a dead network.

Owns: when a permanent redirect is stable enough to follow for good, when failures are a
network-wide outage rather than the source's fault, when a failing source is reported
through the channels (once per run of failures), and the daemon's view of its database
(``DatabaseHealth``: polls that could not be saved, since when, why).
Pure: values in, values out; ``now`` is passed.
Does not own: the back-off arithmetic (``monitor.policy``), sending (``monitor.notify``), storing
(``monitor.store``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: a permanent redirect replaces the polled URL once seen this often, over at least this long
MOVE_STABLE_SEEN = 3
MOVE_STABLE_AFTER = timedelta(days=1)
#: a source failing this long is reported through the channels (once)
REPORT_FAILING_AFTER = timedelta(days=1)
#: failures of these kinds can be the network's, not the source's
NETWORK_KINDS = frozenset({"connect", "dns", "timeout"})
#: an outage: within the window, at least ``OUTAGE_MIN_SOURCES`` polled and this share failed
OUTAGE_WINDOW = timedelta(minutes=15)
OUTAGE_MIN_SOURCES = 3
OUTAGE_SHARE = 0.75


@dataclass(frozen=True, slots=True)
class Moves:
    """Where a source is polled, and a permanent redirect seen on the way there."""

    #: the URL polled
    url: str
    #: where permanent redirects have led, how many polls in a row, since when
    moved_to: str | None = None
    seen: int = 0
    since: datetime | None = None


def follow_moves(current: Moves, final_url: str, permanent: bool, now: datetime) -> Moves:
    """The moves after a successful poll that ended at ``final_url``.

    A temporary redirect or none starts the count over: a site that moves back and forth, or
    an attacker who controls one answer, never rewrites the stored URL.
    """
    if not permanent or final_url == current.url:
        return Moves(current.url)
    if current.moved_to != final_url or current.since is None:
        return Moves(current.url, final_url, 1, now)
    seen = current.seen + 1
    if seen >= MOVE_STABLE_SEEN and now - current.since >= MOVE_STABLE_AFTER:
        return Moves(final_url)
    return Moves(current.url, final_url, seen, current.since)


def should_report(
    failing_since: datetime | None, reported_at: datetime | None, gone: bool, now: datetime
) -> bool:
    """Whether to tell the channels about this source now: gone, or failing for a day; once."""
    if reported_at is not None:
        return False
    return gone or (failing_since is not None and now - failing_since >= REPORT_FAILING_AFTER)


class OutageWatch:
    """The latest poll outcome per source, to tell a network-wide outage from one bad source.

    Mutable by design (it is the memory of recent polls), but it does no I/O: the pipeline
    records each outcome with its time and asks ``is_outage``.
    """

    def __init__(self) -> None:
        self._latest: dict[str, tuple[datetime, bool]] = {}

    def record(self, source_id: str, now: datetime, network_failure: bool) -> None:
        self._latest[source_id] = (now, network_failure)

    def is_outage(self, now: datetime) -> bool:
        recent = [failed for when, failed in self._latest.values() if now - when <= OUTAGE_WINDOW]
        return len(recent) >= OUTAGE_MIN_SOURCES and sum(recent) >= OUTAGE_SHARE * len(recent)


@dataclass(frozen=True, slots=True)
class DatabaseHealth:
    """The daemon's view of its database, from the polls' reads and saves: a database outage
    cannot be recorded in the database, so the daemon holds it (``/healthz``, ``/metrics``)."""

    #: when the current run of failed polls began (None: the last poll reached the database)
    failing_since: datetime | None = None
    #: polls not saved in the current run of failures
    failed_polls: int = 0
    #: polls not saved since the daemon started
    total_failed: int = 0
    #: why the last poll was not saved (``StoreError``'s text: scheme and host, no password)
    last_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.failing_since is None


def database_after(health: DatabaseHealth, error: str | None, now: datetime) -> DatabaseHealth:
    """The database's health after a poll that reached it (``error`` None) or did not."""
    if error is None:
        return DatabaseHealth(total_failed=health.total_failed, last_error=health.last_error)
    return DatabaseHealth(
        failing_since=health.failing_since or now,
        failed_polls=health.failed_polls + 1,
        total_failed=health.total_failed + 1,
        last_error=error,
    )
