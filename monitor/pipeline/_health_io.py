"""Source health, the I/O half: records a poll's outcome in the source's state and reports.

Owns: applying the pure transitions of ``monitor.health`` to a poll's outcome (a success, a 304, a
failure, a failure during a network-wide outage) with the next check time from ``monitor.policy``:
saving the new state, the warning a poll that read the source leaves (kept in its state; logged when
it appears, changes or clears, not on every poll that repeats it), the memory of recent outcomes
that tells an outage (``OutageWatch``), and sending the once-only report of a gone or day-long
failing source through every channel of the configuration in use.
Does not own: the decisions (``monitor.health``, the pure half: transitions, moves, outages,
when a report is due, its text), back-off arithmetic (``monitor.policy``), rendering and sending
(``monitor.notify``), the tables (``monitor.store``), nor the order of a poll
(``monitor.pipeline``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime

from monitor import health, policy
from monitor.config import SourceSettings
from monitor.errors import DeliveryError, FetchError, MonitorError
from monitor.notify import render_source_notice
from monitor.pipeline._result import PollResult
from monitor.runtime import Runtime
from monitor.store import SourceState
from monitor.types import Fetched

log = logging.getLogger("monitor.pipeline")


class SourceHealth:
    """Records each poll's outcome in the source's state; watches for network-wide outages."""

    def __init__(self, runtime: Runtime) -> None:
        """``runtime``: the store, clock and random source; reports go through the channels of
        the configuration in use when they are made."""
        self._runtime = runtime
        self._store = runtime.store
        self._rng = runtime.rng
        self._outages = health.OutageWatch()

    def healthy(
        self, source: SourceSettings, state: SourceState, fetched: Fetched, now: datetime
    ) -> SourceState:
        """The state after a successful poll: failures cleared, a stable move followed."""
        self._outages.record(source.id, now, network_failure=False)
        new_state = health.after_success(state, fetched.url, fetched.moved_permanently, now)
        if new_state.url != state.url:
            log.warning("source=%s moved permanently: now polled at its new URL", source.id)
        return new_state

    def read(
        self,
        source: SourceSettings,
        state: SourceState,
        fetched: Fetched,
        warning: str | None,
        now: datetime,
    ) -> SourceState:
        """The state after a successful poll that read the source (not a 304): as ``healthy``,
        with the poll's warning kept, or the one before cleared."""
        new_state = replace(
            self.healthy(source, state, fetched, now),
            warning=health.kept_warning(warning, source.url),
        )
        _log_warning(source.id, state.warning, new_state.warning)
        return new_state

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
        gone = isinstance(error, FetchError) and error.status == 410
        retry_after = error.retry_after if isinstance(error, FetchError) else None
        next_check = policy.next_check_after_failure(
            now, source.every, state.failures + 1, retry_after, self._rng
        )
        new_state = health.after_failure(state, str(error), gone, next_check, now)
        due = health.should_report(new_state.failing_since, state.reported_at, gone, now)
        if due and await self._report(source, new_state, error, gone):
            new_state = replace(new_state, reported_at=now)
        await asyncio.to_thread(self._store.save_source_state, new_state)
        log.warning(
            "poll failed source=%s failures=%d error=%s", source.id, new_state.failures, error
        )
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
        note = health.outage_note(str(error))
        new_state = health.during_outage(state, note, next_check, now)
        await asyncio.to_thread(self._store.save_source_state, new_state)
        log.warning("poll failed source=%s during a network-wide outage: %s", source.id, error)
        return PollResult(source.id, "failed", error=note, next_check=next_check)

    async def _report(
        self, source: SourceSettings, state: SourceState, error: MonitorError, gone: bool
    ) -> bool:
        """Tell every channel about a gone or day-long failing source; True if one accepted it
        (or there is none to tell), so the report is recorded and never repeated."""
        since = state.failing_since or self._runtime.now()
        problem = health.report_text(state, str(error), gone, since)
        log.error("source=%s %s", source.id, problem)
        notice_id = f"source-{source.id}-{since:%Y%m%dT%H%M%SZ}"
        loaded = self._runtime.loaded
        reached = not loaded.settings.channels
        for channel in loaded.settings.channels:
            message = render_source_notice(notice_id, source.name, problem, channel.format)
            try:
                await loaded.notifier.send(channel.name, message)
                reached = True
            except DeliveryError as failure:
                log.warning("source notice not delivered channel=%s: %s", channel.name, failure)
        return reached


def _log_warning(source_id: str, before: str | None, after: str | None) -> None:
    """One line when a source's warning appears or changes, one when it clears; none while it
    stays the same (with hundreds of sources, a line per poll would drown the log)."""
    if after == before:
        return
    if after is None:
        log.info("source=%s warning cleared (was: %s)", source_id, before)
    else:
        log.warning("source=%s warning: %s", source_id, after)
