"""Source health as a poll records it: the outcome of a poll -> the source's next state.

Owns: the state after a success or a 304 (failures cleared, a stable permanent move followed),
after a failure (counted and backed off; ``gone`` on a 410) and during a network-wide outage (not
counted against the source); the once-only report of a gone or day-long failing source through
every channel; the state a source starts from (``fresh_state``) and starts over from when its
configured URL changes (``for_config``).
Does not own: the rules (``monitor.health``: moves, outages, when a report is due), back-off
arithmetic (``monitor.policy``), rendering and sending (``monitor.notify``), the tables
(``monitor.store``), nor the order of a poll (``monitor.pipeline``).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from monitor import health, policy
from monitor.config import Settings, SourceSettings
from monitor.errors import DeliveryError, FetchError, MonitorError
from monitor.identity import without_credentials
from monitor.notify import Notifier, render_source_notice
from monitor.pipeline._result import PollResult
from monitor.store import SourceState, Store
from monitor.types import Fetched, Validators

log = logging.getLogger("monitor.pipeline")


class SourceHealth:
    """Records each poll's outcome in the source's state; watches for network-wide outages."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: Store,
        notifier: Notifier,
        now: Callable[[], datetime],
        rng: random.Random,
    ) -> None:
        self._store = store
        self._notifier = notifier
        self._settings = settings
        self._now = now
        self._rng = rng
        self._outages = health.OutageWatch()

    def use(self, settings: Settings, notifier: Notifier) -> None:
        """Report through the channels of a newly loaded configuration (hot reload)."""
        self._notifier = notifier
        self._settings = settings

    def healthy(
        self, source: SourceSettings, state: SourceState, fetched: Fetched, now: datetime
    ) -> SourceState:
        """The state after a successful poll: failures cleared, a stable move followed."""
        self._outages.record(source.id, now, network_failure=False)
        current = health.Moves(state.url, state.moved_to, state.moved_seen, state.moved_since)
        moves = health.follow_moves(current, fetched.url, fetched.moved_permanently, now)
        if moves.url != state.url:
            log.warning("source=%s moved permanently: now polled at its new URL", source.id)
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

    async def record_unchanged(
        self, source: SourceSettings, state: SourceState, fetched: Fetched, now: datetime
    ) -> PollResult:
        next_check = policy.next_check_after_success(
            now, source.every, source.jitter, (fetched.max_age,), self._rng
        )
        new_state = replace(self.healthy(source, state, fetched, now), next_check=next_check)
        await asyncio.to_thread(self._store.save_source_state, new_state)
        log.info("polled source=%s not_modified", source.id)
        return PollResult(source.id, "not_modified", next_check=next_check)

    async def record_failure(
        self, source: SourceSettings, state: SourceState, error: MonitorError, now: datetime
    ) -> PollResult:
        network = isinstance(error, FetchError) and error.kind in health.NETWORK_KINDS
        self._outages.record(source.id, now, network_failure=network)
        if network and self._outages.is_outage(now):
            return await self._record_outage(source, state, error, now)
        failures = state.failures + 1
        gone = isinstance(error, FetchError) and error.status == 410
        retry_after = error.retry_after if isinstance(error, FetchError) else None
        next_check = policy.next_check_after_failure(
            now, source.every, failures, retry_after, self._rng
        )
        new_state = replace(
            state,
            last_check=now,
            next_check=next_check,
            failures=failures,
            last_error=str(error)[:300],
            status="gone" if gone else "failing",
            failing_since=state.failing_since or now,
        )
        due = health.should_report(new_state.failing_since, state.reported_at, gone, now)
        if due and await self._report(source, new_state, error, gone):
            new_state = replace(new_state, reported_at=now)
        await asyncio.to_thread(self._store.save_source_state, new_state)
        log.warning("poll failed source=%s failures=%d error=%s", source.id, failures, error)
        return PollResult(
            source.id, "gone" if gone else "failed", error=str(error), next_check=next_check
        )

    async def _record_outage(
        self, source: SourceSettings, state: SourceState, error: MonitorError, now: datetime
    ) -> PollResult:
        """Most sources fail at the network level at once: the network is down, not this source.
        The failure is not counted (no back-off, no report); the source is tried on schedule."""
        next_check = policy.next_check_after_success(
            now, source.every, source.jitter, (), self._rng
        )
        note = f"{error} (network-wide outage: not counted against the source)"
        new_state = replace(state, last_check=now, next_check=next_check, last_error=note[:300])
        await asyncio.to_thread(self._store.save_source_state, new_state)
        log.warning("poll failed source=%s during a network-wide outage: %s", source.id, error)
        return PollResult(source.id, "failed", error=note, next_check=next_check)

    async def _report(
        self, source: SourceSettings, state: SourceState, error: MonitorError, gone: bool
    ) -> bool:
        """Tell every channel about a gone or day-long failing source; True if one accepted it
        (or there is none to tell), so the report is recorded and never repeated."""
        since = state.failing_since or self._now()
        problem = (
            "answered 410 Gone: it is no longer polled until its URL changes in the config"
            if gone
            else f"failing since {since:%Y-%m-%d %H:%M} UTC ({state.failures} polls in a row);"
            f" last error: {error}"
        )
        log.error("source=%s %s", source.id, problem)
        notice_id = f"source-{source.id}-{since:%Y%m%dT%H%M%SZ}"
        reached = not self._settings.channels
        for channel in self._settings.channels:
            message = render_source_notice(notice_id, source.name, problem, channel.format)
            try:
                await self._notifier.send(channel.name, message)
                reached = True
            except DeliveryError as failure:
                log.warning("source notice not delivered channel=%s: %s", channel.name, failure)
        return reached


def for_config(state: SourceState, source: SourceSettings) -> SourceState:
    """The state for the source as configured now: an edited URL starts over (a stored move,
    validators and a 410 belonged to the old one). URLs compare without credentials: the store
    keeps none."""
    configured = without_credentials(source.url)
    if state.configured_url is not None and without_credentials(state.configured_url) == configured:
        return state
    if state.configured_url is None and without_credentials(state.url) == configured:
        return replace(state, configured_url=source.url)  # stored before moves were recorded
    return replace(
        state,
        url=source.url,
        configured_url=source.url,
        validators=Validators(),
        status="ok" if state.status == "gone" else state.status,
        moved_to=None,
        moved_seen=0,
        moved_since=None,
        reported_at=None,
    )


def fresh_state(source: SourceSettings) -> SourceState:
    """The state of a source never polled before."""
    return SourceState(
        source_id=source.id,
        url=source.url,
        configured_url=source.url,
        validators=Validators(),
        last_check=None,
        next_check=None,
        last_success=None,
        failures=0,
        last_error=None,
        items_seen=0,
        status="ok",
        baselined=False,
    )
