"""The daemon's clock: the only module that imports APScheduler.

Owns: one job per enabled source (interval with jitter, coalesced, never overlapping itself, and
moved to the next check the pipeline computed after each poll) whose poll waits for one of the
``cluster.polls`` slots, the most overdue first (``monitor.slots``), the delivery job, the config
watcher (hot reload on change and on SIGHUP, keeping the last good configuration), and a clean
stop on SIGTERM/SIGINT. As one node of several (PostgreSQL, ``node`` given): no job per source
but a claim loop (claims due sources up to the node's share, polls each under its lease, wakes
when the next source falls due) and a heartbeat job; the delivery job's rounds run under
channel leases (``monitor.node``). APScheduler's line for a run skipped because the last one
still runs is logged at DEBUG, not WARNING (``_skipped_runs_at_debug``): lateness shows in the
metrics instead (a poll's lag counts from its due time; the backlog of due sources waiting).
No job lets a database failure (``StoreError``) reach APScheduler (a traceback per run): each
reports it to the daemon's database watch (``monitor.database_watch``: one line per outage,
``/healthz``, ``/metrics``); a reload that failed on the database is tried again at the next
config check. A stop waits for the jobs under way (a heartbeat, a config check) before the
node leaves, and one its grace cuts off ends with a line, not a traceback.
Does not own: what a poll or a delivery does (``monitor.pipeline``), nor how settings are read
(``monitor.config``), nor leases and fences (``monitor.node``); all are injected.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor import retention
from monitor.cluster import Lease, heartbeat_every
from monitor.config import Settings, SourceSettings, refused_reload, start_only_changes
from monitor.database_watch import POLL, DatabaseWatch
from monitor.errors import ConfigError, StoreError
from monitor.metrics import NO_METRICS, Metrics
from monitor.node import Node
from monitor.notify import Notifier
from monitor.pipeline import Pipeline
from monitor.slots import Backlog, PollSlots, backlog
from monitor.systemd import Notifier as ServiceManager

log = logging.getLogger("monitor.scheduler")

#: how often the config files are checked for changes
RELOAD_EVERY = 15.0
#: how long a stop waits for running polls and sends before cancelling them: 5 of the 10 s a
#: stop may take (docker stop), as the web side (1 s), the workers (1 s) and the database close
#: after them, on a loaded host too (at 7 s a stop took 11.5 s)
STOP_GRACE = 5.0
#: APScheduler's logger, and its words for a run not started because the last one still runs
APSCHEDULER_LOG = "apscheduler.scheduler"
RUN_SKIPPED = "skipped: maximum number of running instances reached"
#: the names the daemon's own jobs report to the database watch under
DELIVER, CLAIM, RELOAD, PRUNE = "deliver", "claim", "config reload", "prune"


def _skipped_runs_at_debug(record: logging.LogRecord) -> bool:
    """Filter on APScheduler's logger: a run skipped while the job's previous run still goes is
    what ``max_instances=1`` is for (a claim or a delivery brought forward while one runs), not
    a warning; it is logged at DEBUG, shown only when APScheduler's logger shows DEBUG. Its
    other warnings pass unchanged."""
    if record.levelno != logging.WARNING or RUN_SKIPPED not in str(record.msg):
        return True
    record.levelno, record.levelname = logging.DEBUG, "DEBUG"
    return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


class Daemon:
    """Schedules polls and deliveries on the running event loop until told to stop."""

    def __init__(
        self,
        pipeline: Pipeline,
        reload: Callable[[], Settings],
        make_notifier: Callable[[Settings], Notifier],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        service_manager: ServiceManager | None = None,
        reload_every: float = RELOAD_EVERY,
        metrics: Metrics = NO_METRICS,
        node: Node | None = None,
        database: DatabaseWatch | None = None,
    ) -> None:
        """``reload_every``: seconds between checks of the config files (tests shorten it);
        ``node``: this daemon is one of several on PostgreSQL (sources are claimed);
        ``database``: the one record of the database its pipeline and node report to."""
        self._pipeline = pipeline
        #: what the store, fetcher, workers, web side and node were made from
        self._started_with = pipeline.settings
        self._service = service_manager or ServiceManager({})
        self._reload_every = reload_every
        self._metrics = metrics
        #: when the scheduler last started a job (``/healthz``: the loop is alive); None before
        self.last_tick: datetime | None = None
        self._node = node
        self._polls: set[asyncio.Task[None]] = set()
        #: one daemon on SQLite: its polls in flight, bounded as a node's (``cluster.polls``)
        self._slots = PollSlots(pipeline.settings.cluster.polls)
        #: when each source whose poll job was started (or is about to be) fell due
        self._due: dict[str, datetime] = {}
        self._claiming = False
        self._claim_again = False
        self._reload = reload
        self._make_notifier = make_notifier
        self._now = now
        self._stopping = asyncio.Event()
        self._reloading = asyncio.Lock()
        #: why a reload that failed on the database was asked for (None: none waits)
        self._reload_waiting: str | None = None
        self._database = database or DatabaseWatch(now, metrics)
        self._running: set[asyncio.Task[object]] = set()
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        logging.getLogger(APSCHEDULER_LOG).addFilter(_skipped_runs_at_debug)  # added once
        self._sources: dict[str, SourceSettings] = {}
        self._config_stamp = _stamp(pipeline.settings)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stopping.set)
        loop.add_signal_handler(signal.SIGHUP, lambda: self._track(self._reload_now("SIGHUP")))
        self._scheduler.add_listener(self._submitted, EVENT_JOB_SUBMITTED)
        self.last_tick = self._now()
        self._scheduler.start()
        if self._node is not None:
            await self._start_node(self._node)
        else:
            self._metrics.backlog(self._backlog)
        await self._pipeline.relearn()  # the learned filters saved, retrained where judged since
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
            IntervalTrigger(seconds=self._reload_every),
            id="reload",
            coalesce=True,
            max_instances=1,
        )
        self._scheduler.add_job(
            self._prune,
            IntervalTrigger(seconds=retention.CHECK_EVERY),
            id="retention",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,  # a late check still runs (once: coalesced)
            next_run_time=self._now(),
        )
        if self._node is not None:
            self._start_claiming(self._node)
        self._start_watchdog()
        self._service.notify("READY=1")
        log.info(
            "daemon started sources=%d topics=%d",
            len(self._sources),
            len(self._pipeline.settings.topics),
        )
        await self._stopping.wait()
        await self._stop()

    def stop(self) -> None:
        """Stop as SIGTERM does: ``run`` finishes running jobs (within the grace) and returns."""
        self._stopping.set()

    async def _stop(self) -> None:
        self._service.notify("STOPPING=1")
        log.info("stopping: waiting up to %.0fs for running jobs", STOP_GRACE)
        self._scheduler.pause()
        self._slots.close()  # sources waiting for a slot give up at once: nothing was fetched
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
        if self._node is not None:
            await self._node.leave()
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
        due = self._due.pop(source_id, None) or self._now()
        source = self._sources.get(source_id)
        if source is None or self._stopping.is_set():
            return
        if not await self._slots.take(source_id, due, source.every):
            return  # the daemon stops
        try:
            # how late the poll starts, its wait for a slot included (APScheduler's own lag
            # is only how late the job was submitted: it stayed under a second at any backlog)
            self._metrics.scheduler_lag(max(0.0, (self._now() - due).total_seconds()))
            await self._poll_now(source_id)
        finally:
            self._slots.give_back()

    async def _poll_now(self, source_id: str) -> None:
        source = self._sources.get(source_id)  # removed or changed while it waited?
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
        self._metrics.polled(source_id, result.outcome, result.items, result.new_articles)
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
        if self._stopping.is_set():
            return
        try:
            # channel rounds run on their own: a hanging channel never holds up the next tick
            await self._pipeline.deliver(wait=False)
        except StoreError as error:
            self._database.failed(DELIVER, error)
            return
        self._database.reached(DELIVER)

    async def _prune(self) -> None:
        """The hourly check of the retention job: with ``retention.days`` set, prune old
        articles once a day across all nodes (``monitor.retention.daily``, in a thread; a stop
        ends it after the current batch)."""
        self._track_current()
        days = self._pipeline.settings.retention.days
        if self._stopping.is_set():
            return
        if days is None:
            # turned off by a reload: a prune that failed before must not hold the outage open
            self._database.reached(PRUNE)
            return
        try:
            await asyncio.to_thread(
                retention.daily, self._pipeline.store, days, self._now(),
                stop=self._stopping.is_set,
            )  # fmt: skip
        except StoreError as error:
            self._database.failed(PRUNE, error)  # tried again at the next hourly check
            return
        self._database.reached(PRUNE)

    async def _watch_config(self) -> None:
        self._track_current()  # a stop waits for a check under way
        await self._unless_stopped("config check", self._check_config())

    async def _check_config(self) -> None:
        """Reload on a change of the files, or when a reload waits for the database."""
        stamp = _stamp(self._pipeline.settings)
        if stamp != self._config_stamp:
            await self._reload_now("file change")
        elif self._reload_waiting is not None:
            await self._reload_now(f"{self._reload_waiting}, tried again")
        else:
            await self._pipeline.relearn()  # judgments given since (the dashboard, the CLI)

    async def _beat(self) -> None:
        """The heartbeat job. A stop waits for a beat under way: the node leaves after it
        (a beat cut off mid-way would log a traceback, and one after the leave would bring
        the node back)."""
        assert self._node is not None
        self._track_current()
        if not self._stopping.is_set():
            await self._unless_stopped("heartbeat", self._node.beat())

    async def _unless_stopped(self, job: str, work: Coroutine[object, object, None]) -> None:
        """Await a job's ``work``; one cut off by the stop's grace ends with a line, not with
        APScheduler's traceback of a cancelled job."""
        try:
            await work
        except asyncio.CancelledError:
            if not self._stopping.is_set():
                raise
            log.info("%s cut off by the stop", job)

    async def _reload_now(self, why: str) -> None:
        """Load the config and put it in use, all or nothing: whatever can fail on the new
        settings (reading them, the notifier, the stored sources, compiling and retraining
        the topics) happens before the daemon switches to them; a failure keeps the last
        good configuration running."""
        async with self._reloading:  # SIGHUP and the watcher: one reload at a time
            try:
                settings = await asyncio.to_thread(self._reload)
                if (refusal := refused_reload(self._pipeline.settings, settings)) is not None:
                    raise ConfigError(refusal)  # a watchlist renamed by mistake, most likely
                kept = self._pipeline.settings.retention
                notifier = self._make_notifier(settings)
                next_checks = await self._prepare_sources(settings)
                await self._pipeline.use_settings(settings, notifier)
            except StoreError as error:
                self._wait_for_database(why, error)
                return
            except ConfigError as error:
                log.error("config reload (%s) failed, keeping the last good config: %s", why, error)
                self._reload_given_up()
                return
            except Exception as error:  # a bug on one hostile file must not end the daemon
                log.error(
                    "config reload (%s) failed, keeping the last good config: %s: %s",
                    why,
                    type(error).__name__,
                    str(error)[:200],
                )
                self._reload_given_up()
                return
            self._config_stamp = _stamp(settings)
            self._reload_waiting = None
            self._database.reached(RELOAD)
            self._schedule_sources(settings, next_checks)
            if settings.retention != kept and settings.retention.days is not None:
                # set or changed by the reload: checked now, not at the next hourly check
                self._scheduler.modify_job("retention", next_run_time=self._now())
        log.info(
            "config reloaded (%s): sources=%d topics=%d",
            why,
            len(self._sources),
            len(settings.topics),
        )
        if restart := start_only_changes(self._started_with, settings):
            log.warning("config reload: %s changed: takes effect on a restart", ", ".join(restart))

    def _wait_for_database(self, why: str, error: StoreError) -> None:
        """A reload failed on the database, not on the files: the stamp stays and the reload
        waits; the next config check tries it again (a SIGHUP's too: its files did not change)."""
        self._database.failed(RELOAD, error)
        if self._reload_waiting is None:
            log.warning(
                "config reload (%s) waits for the database: tried at each config check", why
            )
            self._reload_waiting = why.removesuffix(", tried again")

    def _reload_given_up(self) -> None:
        """The files are at fault: keep the last good config until they change again (a
        reload that waited for the database waits no longer)."""
        self._config_stamp = _stamp(self._pipeline.settings)
        self._reload_waiting = None
        self._database.reached(RELOAD)

    async def _sync_sources(self, settings: Settings) -> None:
        """Add, change and remove source jobs so they mirror ``settings.sources``."""
        self._schedule_sources(settings, await self._prepare_sources(settings))

    async def _prepare_sources(self, settings: Settings) -> dict[str, datetime | None]:
        """The stored next check of each source (``_schedule_sources`` needs them); as one
        node of several, the enabled sources registered (rows to be claimed from) instead."""
        if self._node is not None:
            await self._node.register([s for s in settings.sources if s.enabled])
            return {}
        stored = await asyncio.to_thread(self._pipeline.store.source_states)
        return {state.source_id: state.next_check for state in stored}

    def _schedule_sources(
        self, settings: Settings, next_checks: dict[str, datetime | None]
    ) -> None:
        """Add, change and remove source jobs so they mirror ``settings.sources`` (no I/O: a
        reload has done what can fail before it comes here)."""
        wanted = {s.id: s for s in settings.sources if s.enabled}
        if self._node is not None:
            self._sources = wanted  # claimed, not scheduled
            return
        self._slots.resize(settings.cluster.polls)
        # jobs may start as soon as they are added: the new sources must be visible first
        old, self._sources = self._sources, wanted
        for source_id in set(old) - set(wanted):
            self._due.pop(source_id, None)
            if self._scheduler.get_job(_job_id(source_id)):
                self._scheduler.remove_job(_job_id(source_id))
        now = self._now()
        for n, (source_id, source) in enumerate(_most_overdue_first(wanted, next_checks)):
            if old.get(source_id) == source:
                continue
            next_check = next_checks.get(source_id)
            first_run = _first_run(next_check, now, stagger=n * 0.2)
            if source_id not in old and next_check is not None and next_check < first_run:
                self._due[source_id] = next_check  # overdue since then, not since the start
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

    def _submitted(self, event: JobSubmissionEvent) -> None:
        """A job starts: the loop is alive; how late it starts is the scheduler's lag (a poll's
        is counted when it gets a slot, from when it fell due: kept here until then)."""
        now = self._now()
        self.last_tick = now
        if event.job_id.startswith(_job_id("")) and event.scheduled_run_times:
            source_id = event.job_id.removeprefix(_job_id(""))
            self._due.setdefault(source_id, event.scheduled_run_times[0])
        elif event.scheduled_run_times:
            late = (now - event.scheduled_run_times[0]).total_seconds()
            self._metrics.scheduler_lag(max(0.0, late))

    # --- one node of several ------------------------------------------------------------------

    async def _start_node(self, node: Node) -> None:
        await node.beat()
        log.info("node joined node=%s lease=%gs", node.name, node.settings.lease)
        self._scheduler.add_job(
            self._beat,
            IntervalTrigger(seconds=heartbeat_every(node.settings.lease)),
            id="heartbeat",
            coalesce=True,
            max_instances=1,
        )

    def _start_claiming(self, node: Node) -> None:
        self._scheduler.add_job(
            self._claim,
            IntervalTrigger(seconds=node.settings.claim_every),
            id="claim",
            coalesce=True,
            max_instances=1,
            next_run_time=self._now(),
        )

    async def _claim(self) -> None:
        """Claim due sources up to this node's free poll slots and poll each under its lease."""
        assert self._node is not None
        self._track_current()  # a stop waits for a claim under way (its polls are tracked)
        if self._stopping.is_set():
            return
        self._claiming = True
        next_at = self._now() + timedelta(seconds=self._node.settings.claim_every)
        try:
            claimed = False
            while True:
                self._claim_again = False
                free = self._node.settings.polls - len(self._polls)
                for lease in await self._node.claim(list(self._sources), free):
                    self._start_poll(lease)
                    claimed = True
                if not self._claim_again or self._stopping.is_set():
                    break
            full = len(self._polls) >= self._node.settings.polls
            next_at = await self._node.next_claim(list(self._sources), claimed, full)
        except StoreError as error:
            self._database.failed(CLAIM, error)  # the next try comes in a tick
        else:
            self._database.reached(CLAIM)
        finally:
            self._claiming = False
        if not self._stopping.is_set():
            self._scheduler.modify_job("claim", next_run_time=next_at)

    def _start_poll(self, lease: Lease) -> None:
        task = asyncio.ensure_future(self._poll_leased(lease))
        self._polls.add(task)
        self._running.add(task)
        task.add_done_callback(self._polls.discard)
        task.add_done_callback(self._running.discard)

    async def _poll_leased(self, lease: Lease) -> None:
        assert self._node is not None
        source = self._sources.get(lease.name)
        if source is None or self._stopping.is_set():
            await self._node.release(lease)
            return
        try:
            result = await self._node.poll(self._pipeline, source, lease)
        except asyncio.CancelledError:
            if not self._stopping.is_set():
                raise
            # as in ``_poll``: the stop's grace ran out; nothing half-written, the lease lapses
            log.info("source=%s poll cancelled by the stop", source.id)
            return
        except StoreError as error:
            # the database failed mid-poll: the lease is given back and the source polled again
            self._database.failed(POLL, error)
            result = None
        if result is not None:
            self._metrics.polled(source.id, result.outcome, result.items, result.new_articles)
        if result is not None and result.outcome == "gone":
            log.error("source=%s answered 410 Gone: disabled until its URL changes", source.id)
        if result is not None and result.new_matches and not self._stopping.is_set():
            self._scheduler.modify_job("deliver", next_run_time=self._now())
        self._claim_soon()  # a poll slot is free

    def _claim_soon(self) -> None:
        if self._stopping.is_set():
            return
        if self._claiming:
            self._claim_again = True
        else:
            self._scheduler.modify_job("claim", next_run_time=self._now())

    def _backlog(self) -> Backlog:
        """The due sources waiting for a poll slot now (read at each ``/metrics`` scrape)."""
        return backlog(self._slots.waiting(), self._now())

    def _track_current(self) -> None:
        """Remember the running job's task so a stop can wait for it to finish."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    def _track(self, coroutine: Coroutine[object, object, object]) -> None:
        """Run a job the scheduler did not start (SIGHUP's reload); a stop waits for it."""
        task = asyncio.ensure_future(coroutine)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        task.add_done_callback(_log_failure)


def _log_failure(task: asyncio.Future[object]) -> None:
    """Log a tracked task's exception: retrieved here, never asyncio's "Task exception was
    never retrieved" (APScheduler does the same for the jobs it runs)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("job failed", exc_info=task.exception())


def _first_run(next_check: datetime | None, now: datetime, stagger: float) -> datetime:
    """A source is polled when its stored next check comes, or now (staggered) if overdue."""
    if next_check is None or next_check <= now:
        return now + timedelta(seconds=stagger)
    return next_check


def _most_overdue_first(
    wanted: dict[str, SourceSettings], next_checks: dict[str, datetime | None]
) -> list[tuple[str, SourceSettings]]:
    """The sources in the order their first polls are staggered: the longest overdue first (as
    the nodes of a cluster claim them), never-polled ones after, in config order."""
    never = datetime.max.replace(tzinfo=UTC)
    return sorted(wanted.items(), key=lambda item: next_checks.get(item[0]) or never)


def _job_id(source_id: str) -> str:
    return f"poll:{source_id}"


def _stamp(settings: Settings) -> tuple[tuple[str, float], ...]:
    """Modification times of monitor.yaml, the watchlists and the watchlists' folders.

    A folder's time changes when a watchlist is added or removed there. Not monitor.yaml's own
    folder (unless watchlists live there too): any file made beside it (a log, a backup) would
    reload the configuration every time. The folder of a pattern that matches no file is
    watched too: a watchlist made there is read.
    """
    folders = {os.path.dirname(os.path.abspath(f)) for f in settings.watchlist_files}
    folders |= {os.path.abspath(w.folder) for w in settings.watchlist_warnings if w.unmatched}
    paths = sorted({settings.path, *settings.watchlist_files, *folders})
    return tuple((path, _mtime(path)) for path in paths)


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return -1.0
