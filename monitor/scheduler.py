"""The daemon's clock: the only module that imports APScheduler.

Owns: one job per enabled source (interval with jitter, coalesced, never overlapping itself, and
moved to the next check the pipeline computed after each poll), the delivery job, the config
watcher (hot reload on change and on SIGHUP, keeping the last good configuration), and a clean
stop on SIGTERM/SIGINT.
Does not own: what a poll or a delivery does (``monitor.pipeline``), nor how settings are read
(``monitor.config``); both are injected.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Settings, SourceSettings
from monitor.errors import ConfigError
from monitor.notify import Notifier
from monitor.pipeline import Pipeline
from monitor.systemd import Notifier as ServiceManager

log = logging.getLogger("monitor.scheduler")

#: how often the config files are checked for changes
RELOAD_EVERY = 15.0
#: how long a stop waits for running polls and sends before cancelling them
STOP_GRACE = 7.0


class Daemon:
    """Schedules polls and deliveries on the running event loop until told to stop."""

    def __init__(
        self,
        pipeline: Pipeline,
        reload: Callable[[], Settings],
        make_notifier: Callable[[Settings], Notifier],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        service_manager: ServiceManager | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._service = service_manager or ServiceManager({})
        self._reload = reload
        self._make_notifier = make_notifier
        self._now = now
        self._stopping = asyncio.Event()
        self._running: set[asyncio.Task[object]] = set()
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._sources: dict[str, SourceSettings] = {}
        self._config_stamp = _stamp(pipeline.settings)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stopping.set)
        loop.add_signal_handler(signal.SIGHUP, lambda: self._track(self._reload_now("SIGHUP")))
        self._scheduler.start()
        await self._sync_sources(self._pipeline.settings)
        self._scheduler.add_job(
            self._deliver,
            IntervalTrigger(seconds=self._pipeline.settings.delivery.every),
            id="deliver",
            coalesce=True,
            max_instances=1,
            next_run_time=self._now(),
        )
        self._scheduler.add_job(
            self._watch_config,
            IntervalTrigger(seconds=RELOAD_EVERY),
            id="reload",
            coalesce=True,
            max_instances=1,
        )
        self._start_watchdog()
        self._service.notify("READY=1")
        log.info(
            "daemon started sources=%d topics=%d",
            len(self._sources),
            len(self._pipeline.settings.topics),
        )
        await self._stopping.wait()
        await self._stop()

    async def _stop(self) -> None:
        self._service.notify("STOPPING=1")
        log.info("stopping: waiting up to %.0fs for running jobs", STOP_GRACE)
        self._scheduler.pause()
        running = set(self._running)
        # sends in flight finish and are recorded; no new one starts
        self._pipeline.stop_sending()
        delivering = asyncio.ensure_future(self._pipeline.drain_sends(STOP_GRACE))
        if running:
            _done, pending = await asyncio.wait(running, timeout=STOP_GRACE)
            for task in pending:
                task.cancel()
        await delivering
        self._scheduler.shutdown(wait=False)
        log.info("stopped")

    def _start_watchdog(self) -> None:
        """Ping systemd's watchdog from the scheduler itself: a stuck loop stops the pings."""
        every = self._service.watchdog_every
        if every is None:
            return
        self._scheduler.add_job(
            self._service.notify,
            IntervalTrigger(seconds=every),
            args=("WATCHDOG=1",),
            id="watchdog",
            coalesce=True,
            max_instances=1,
            next_run_time=self._now(),
        )

    # --- jobs ---------------------------------------------------------------------------------

    async def _poll(self, source_id: str) -> None:
        self._track_current()
        source = self._sources.get(source_id)
        if source is None or self._stopping.is_set():
            return
        try:
            result = await self._pipeline.poll(source)
        except asyncio.CancelledError:
            if not self._stopping.is_set():
                raise
            # cancelled by the stop after its grace: nothing half-written (a poll's store write
            # is one transaction), and the source keeps its stored next check. Ending the job
            # normally keeps APScheduler from logging the cancellation as a failed job.
            log.info("source=%s poll cancelled by the stop", source_id)
            return
        if result.outcome == "gone":
            log.error("source=%s answered 410 Gone: disabled until its URL changes", source_id)
            self._scheduler.remove_job(_job_id(source_id))
        elif result.next_check is not None and not self._stopping.is_set():
            self._scheduler.modify_job(_job_id(source_id), next_run_time=result.next_check)
        # deliver new matches now rather than at the next delivery tick
        if result.new_matches:
            self._scheduler.modify_job("deliver", next_run_time=self._now())

    async def _deliver(self) -> None:
        self._track_current()
        if not self._stopping.is_set():
            # channel rounds run on their own: a hanging channel never holds up the next tick
            await self._pipeline.deliver(wait=False)

    async def _watch_config(self) -> None:
        stamp = _stamp(self._pipeline.settings)
        if stamp != self._config_stamp:
            await self._reload_now("file change")

    async def _reload_now(self, why: str) -> None:
        try:
            settings = await asyncio.to_thread(self._reload)
            notifier = self._make_notifier(settings)
        except ConfigError as error:
            log.error("config reload (%s) failed, keeping the last good config: %s", why, error)
            self._config_stamp = _stamp(self._pipeline.settings)
            return
        self._pipeline.use_settings(settings, notifier)
        self._config_stamp = _stamp(settings)
        await self._sync_sources(settings)
        log.info(
            "config reloaded (%s): sources=%d topics=%d",
            why,
            len(self._sources),
            len(settings.topics),
        )

    async def _sync_sources(self, settings: Settings) -> None:
        """Add, change and remove source jobs so they mirror ``settings.sources``."""
        wanted = {s.id: s for s in settings.sources if s.enabled}
        stored = await asyncio.to_thread(self._pipeline.store.source_states)
        next_checks = {state.source_id: state.next_check for state in stored}
        # jobs may start as soon as they are added: the new sources must be visible first
        old, self._sources = self._sources, wanted
        for source_id in set(old) - set(wanted):
            if self._scheduler.get_job(_job_id(source_id)):
                self._scheduler.remove_job(_job_id(source_id))
        now = self._now()
        for n, (source_id, source) in enumerate(wanted.items()):
            if old.get(source_id) == source:
                continue
            first_run = _first_run(next_checks.get(source_id), now, stagger=n * 0.2)
            self._scheduler.add_job(
                self._poll,
                IntervalTrigger(seconds=source.every, jitter=source.jitter or None),
                args=(source_id,),
                id=_job_id(source_id),
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
                next_run_time=first_run,
            )

    def _track_current(self) -> None:
        """Remember the running job's task so a stop can wait for it to finish."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    def _track(self, coroutine: Coroutine[object, object, object]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._running.add(task)
        task.add_done_callback(self._running.discard)


def _first_run(next_check: datetime | None, now: datetime, stagger: float) -> datetime:
    """A source is polled when its stored next check comes, or now (staggered) if overdue."""
    if next_check is None or next_check <= now:
        return now + timedelta(seconds=stagger)
    return next_check


def _job_id(source_id: str) -> str:
    return f"poll:{source_id}"


def _stamp(settings: Settings) -> tuple[tuple[str, float], ...]:
    """Modification times of monitor.yaml, the watchlists and their folders.

    A folder's time changes when a watchlist is added or removed there.
    """
    files = (settings.path, *settings.watchlist_files)
    paths = sorted({*files, *(os.path.dirname(os.path.abspath(f)) for f in files)})
    return tuple((path, _mtime(path)) for path in paths)


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0
