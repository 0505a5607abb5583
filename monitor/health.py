"""Source health, the pure half: a poll's outcome -> the source's next state, and the rules.

Owns: the state transitions of a source (``after_success``, ``after_failure``, ``during_outage``,
``for_config``: state and outcome in, next state out), the warning a source keeps from a poll that
read it (``kept_warning``: one line, bounded, secret-free), when a permanent redirect is stable
enough to follow for good, when failures are a network-wide outage rather than the source's fault,
and when a failing source is reported through the channels (once per run of failures), with the
report's text. Pure: values in, values out; ``now`` and the next check time are passed in.
Does not own: the I/O that applies these decisions, the other half (``monitor.pipeline._health_io``:
reads the outcome, saves the state, sends the report), the back-off arithmetic
(``monitor.policy``), sending (``monitor.notify``), storing (``monitor.store``), the database's
own health (``monitor.database_watch``).

Naming: a pure decision module is named for its subject (``monitor.health``, ``monitor.follow``);
the pipeline module that applies it carries ``_io`` (``pipeline/_health_io.py``,
``pipeline/_follow_io.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from monitor.identity import without_credentials
from monitor.redact import Redactor, url_secrets
from monitor.types import Validators

if TYPE_CHECKING:  # the store's value, used here as a value only (no store import at run time)
    from monitor.store import SourceState

#: a permanent redirect replaces the polled URL once seen this often, over at least this long
MOVE_STABLE_SEEN = 3
MOVE_STABLE_AFTER = timedelta(days=1)
#: longest warning a source keeps (as its last error is cut)
WARNING_MAX = 300
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


# --- state transitions -------------------------------------------------------------------------


def after_success(
    state: SourceState, final_url: str, permanent: bool, now: datetime
) -> SourceState:
    """The state after a successful poll (or a 304) that ended at ``final_url``: failures
    cleared, a stable permanent move followed."""
    current = Moves(state.url, state.moved_to, state.moved_seen, state.moved_since)
    moves = follow_moves(current, final_url, permanent, now)
    return replace(
        state,
        url=moves.url,
        moved_to=moves.moved_to,
        moved_seen=moves.seen,
        moved_since=moves.since,
        last_check=now,
        last_success=now,
        failures=0,
        last_error=None,
        status="ok",
        failing_since=None,
        reported_at=None,
    )


def after_failure(
    state: SourceState, error: str, gone: bool, next_check: datetime, now: datetime
) -> SourceState:
    """The state after a failed poll: counted, ``gone`` on a 410, else ``failing``."""
    return replace(
        state,
        last_check=now,
        next_check=next_check,
        failures=state.failures + 1,
        last_error=error[:300],
        status="gone" if gone else "failing",
        failing_since=state.failing_since or now,
    )


def kept_warning(warning: str | None, source_url: str) -> str | None:
    """A poll's warning (``ParsedFeed.warning``) as the source's state keeps it, to be shown in
    ``monitor sources``, on the dashboard and in the log: one line of at most ``WARNING_MAX``
    characters, with the secrets of the source's URL and every secret-shaped part of a URL
    masked (``http://***@host/feed?token=***``, as ``monitor.redact.masked_url`` shows a URL). It
    may quote what the server sent (a Content-Type, an XML error): the dashboard escapes it."""
    if not warning or not warning.strip():
        return None
    redactor = Redactor()
    redactor.remember(url_secrets(source_url))
    # masked before it is cut: a cut would leave a secret's prefix no mask recognises
    return redactor.redact(" ".join(warning.split()))[:WARNING_MAX]


def outage_note(error: str) -> str:
    """A failure's error as recorded during a network-wide outage."""
    return f"{error} (network-wide outage: not counted against the source)"


def during_outage(
    state: SourceState, note: str, next_check: datetime, now: datetime
) -> SourceState:
    """The state after a failure during a network-wide outage: not counted against the source
    (no back-off, no report); ``note`` (``outage_note``) is kept as its last error."""
    return replace(state, last_check=now, next_check=next_check, last_error=note[:300])


def report_text(state: SourceState, error: str, gone: bool, since: datetime) -> str:
    """What the report of a gone or day-long failing source says."""
    if gone:
        return "answered 410 Gone: it is no longer polled until its URL changes in the config"
    return (
        f"failing since {since:%Y-%m-%d %H:%M} UTC ({state.failures} polls in a row);"
        f" last error: {error}"
    )


def for_config(state: SourceState, configured_url: str) -> SourceState:
    """The state for the source as configured now (at ``configured_url``): an edited URL starts
    over (a stored move, validators and a 410 belonged to the old one). URLs compare without
    credentials: the store keeps none."""
    configured = without_credentials(configured_url)
    if state.configured_url is not None and without_credentials(state.configured_url) == configured:
        return state
    if state.configured_url is None and without_credentials(state.url) == configured:
        return replace(state, configured_url=configured_url)  # stored before moves were recorded
    return replace(
        state,
        url=configured_url,
        configured_url=configured_url,
        validators=Validators(),
        status="ok" if state.status == "gone" else state.status,
        moved_to=None,
        moved_seen=0,
        moved_since=None,
        reported_at=None,
        warning=None,  # what the old URL's polls worked around
    )
