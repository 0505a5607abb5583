"""monitor.scheduler: the daemon's jobs, driven against an in-memory pipeline (no network, no
database, no wall-clock waits: every step is awaited as an event)."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from monitor.config import (
    ClusterSettings,
    DeliverySettings,
    HttpSettings,
    RetentionSettings,
    Settings,
    SourceSettings,
    WatchlistPattern,
    WatchlistWarning,
)
from monitor.database_watch import DatabaseHealth
from monitor.errors import StoreError
from monitor.metrics import Metrics
from monitor.notify import Notifier
from monitor.pipeline import PollResult
from monitor.scheduler import Daemon, _first_run, _skipped_runs_at_debug, _stamp
from monitor.slots import Backlog
from monitor.store import Pruned, SourceState
from monitor.types import Topic
from tests.feedserver import Route, running_feed_server

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def source(source_id: str, **changes: object) -> SourceSettings:
    base = SourceSettings(
        source_id, source_id, "feed", f"https://{source_id}.example/rss", 60.0, 0.0
    )
    return replace(base, **changes)  # type: ignore[arg-type]  # SourceSettings' own fields


def settings(*sources: SourceSettings) -> Settings:
    return Settings(
        path="/nonexistent/monitor.yaml",
        database_url="sqlite://",
        timezone="UTC",
        http=HttpSettings("test"),
        sources=sources,
        channels=(),
        topics=(),
        delivery=DeliverySettings(),
    )


@dataclass
class FakeStore:
    states: list[SourceState] = field(default_factory=list)

    def source_states(self) -> list[SourceState]:
        return self.states


@dataclass
class FakePipeline:
    """Records what the daemon asks; each poll answers with ``outcomes[source id]``."""

    settings: Settings
    outcomes: dict[str, str] = field(default_factory=dict)
    store: FakeStore = field(default_factory=FakeStore)
    polls: list[str] = field(default_factory=list)
    deliveries: int = 0
    stopped_sending: bool = False
    polled: asyncio.Event = field(default_factory=asyncio.Event)
    delivered: asyncio.Event = field(default_factory=asyncio.Event)
    by_source: dict[str, asyncio.Event] = field(default_factory=dict)
    #: settings whose topics fail to train (as a bug or a hostile query would)
    unlearnable: Settings | None = None
    relearned: asyncio.Event = field(default_factory=asyncio.Event)
    refused: asyncio.Event = field(default_factory=asyncio.Event)

    def polled_source(self, source_id: str) -> asyncio.Event:
        """Set once ``source_id`` was polled."""
        return self.by_source.setdefault(source_id, asyncio.Event())

    async def poll(self, source: SourceSettings) -> PollResult:
        self.polls.append(source.id)
        self.polled.set()
        self.polled_source(source.id).set()
        outcome = self.outcomes.get(source.id, "new")
        # the next check far away: a second poll in this test would be the scheduler's bug
        later = datetime.now(UTC) + timedelta(hours=1)
        return PollResult(source.id, outcome, new_matches=1, next_check=later)

    async def deliver(self, *, wait: bool = True) -> None:
        self.deliveries += 1
        self.delivered.set()

    def stop_sending(self) -> None:
        self.stopped_sending = True

    async def drain_sends(self, grace: float) -> None:
        pass

    async def relearn(self) -> None:
        """No learned filters in these scenarios: only whether the settings' topics train."""
        self._train(self.settings)
        self.relearned.set()

    async def use_settings(self, settings: Settings, notifier: Notifier) -> None:
        """As the pipeline: the new settings are trained before they are put in use."""
        try:
            self._train(settings)
        except RuntimeError:
            self.refused.set()
            raise
        self.settings = settings

    def _train(self, settings: Settings) -> None:
        if settings == self.unlearnable:
            raise RuntimeError("a topic failed to train")


async def _run_until(
    pipeline: FakePipeline,
    *events: asyncio.Event,
    reload: Callable[[], Settings] | None = None,
    reload_every: float = 15.0,
    metrics: Metrics | None = None,
    meanwhile: Callable[[], Coroutine[object, object, None]] | None = None,
) -> None:
    """Run a daemon until ``meanwhile`` returned and each event happened, then stop it as
    SIGTERM would."""
    daemon = Daemon(
        pipeline,  # type: ignore[arg-type]  # the fake has what the daemon uses
        reload=reload or (lambda: pipeline.settings),
        make_notifier=lambda s: Notifier(()),
        reload_every=reload_every,
        metrics=metrics or Metrics(),
    )
    running = asyncio.create_task(daemon.run())
    if meanwhile is not None:
        await asyncio.wait_for(meanwhile(), 60)  # bounds a failing test only
    for event in events:
        await asyncio.wait_for(event.wait(), 60)
    daemon.stop()
    await asyncio.wait_for(running, 60)


def test_enabled_sources_are_polled_new_matches_delivered_and_a_stop_is_clean() -> None:
    """Each enabled source is polled at start (a disabled one never); a poll with new matches
    brings the delivery forward; a stop stops sending and returns."""

    async def scenario() -> FakePipeline:
        pipeline = FakePipeline(settings(source("a"), source("off", enabled=False)))
        await _run_until(pipeline, pipeline.polled, pipeline.delivered)
        return pipeline

    pipeline = asyncio.run(scenario())
    assert pipeline.polls == ["a"]
    assert pipeline.deliveries >= 1 and pipeline.stopped_sending


def test_a_gone_source_is_not_polled_again() -> None:
    """A 410 removes the source's job: the daemon keeps running without it."""

    async def scenario() -> FakePipeline:
        pipeline = FakePipeline(settings(source("dead")), outcomes={"dead": "gone"})
        await _run_until(pipeline, pipeline.polled, pipeline.delivered)
        return pipeline

    assert asyncio.run(scenario()).polls == ["dead"]


def test_first_run_is_the_stored_next_check_or_now_staggered() -> None:
    """A source is polled when its stored next check comes, or now (staggered) if overdue."""
    assert _first_run(None, T0, stagger=0.4) == T0 + timedelta(seconds=0.4)
    assert _first_run(T0 - timedelta(hours=1), T0, stagger=0.2) == T0 + timedelta(seconds=0.2)
    assert _first_run(T0 + timedelta(hours=1), T0, stagger=0.2) == T0 + timedelta(hours=1)


def test_an_edited_config_is_reloaded_and_a_new_source_polled(tmp_path: Path) -> None:
    """When monitor.yaml changes, the daemon reloads it and polls the source it gained."""
    config = tmp_path / "monitor.yaml"
    config.write_text("first")
    before = replace(settings(source("a")), path=str(config))
    after = replace(settings(source("a"), source("b")), path=str(config))

    async def scenario() -> FakePipeline:
        pipeline = FakePipeline(before)

        async def edit_when_a_was_polled() -> None:
            await pipeline.polled_source("a").wait()
            os.utime(config, (1, 1))  # another modification time: the file changed

        editing = asyncio.create_task(edit_when_a_was_polled())
        b_polled = pipeline.polled_source("b")
        await _run_until(pipeline, b_polled, reload=lambda: after, reload_every=0.05)
        await editing
        return pipeline

    pipeline = asyncio.run(scenario())
    assert pipeline.polls == ["a", "b"] and pipeline.settings == after


def test_a_reload_says_which_changes_wait_for_a_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by an operator: an edited `database:` was "reloaded" without a word while the
    daemon went on writing to the old database. The rest of the reload is applied; the keys
    read at start are named in a warning."""
    config = tmp_path / "monitor.yaml"
    config.write_text("first")
    before = replace(settings(source("a")), path=str(config))
    after = replace(
        settings(source("a"), source("b")),
        path=str(config),
        database_url="sqlite:////elsewhere/monitor.db",
        web=replace(before.web, listen=("127.0.0.1", 9999)),
    )

    async def scenario() -> FakePipeline:
        pipeline = FakePipeline(before)

        async def edit_when_a_was_polled() -> None:
            await pipeline.polled_source("a").wait()
            os.utime(config, (1, 1))

        editing = asyncio.create_task(edit_when_a_was_polled())
        await _run_until(pipeline, pipeline.polled_source("b"), reload=lambda: after,
                         reload_every=0.05)  # fmt: skip
        await editing
        return pipeline

    caplog.set_level(logging.INFO, logger="monitor")
    pipeline = asyncio.run(scenario())
    warned = [r.getMessage() for r in caplog.records if "restart" in r.getMessage()]
    assert pipeline.polls == ["a", "b"]
    assert warned == ["config reload: database, web changed: takes effect on a restart"]


def test_a_reload_that_fails_to_train_keeps_the_last_good_config(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A reload whose topics fail to train is refused whole: the old settings and sources stay,
    the failure is logged once (not retried every check, not left in a task), and the watcher
    goes on."""
    config = tmp_path / "monitor.yaml"
    config.write_text("first")
    before = replace(settings(source("a")), path=str(config))
    after = replace(settings(source("a"), source("b")), path=str(config))
    loads: list[Settings] = []

    def reload() -> Settings:
        loads.append(after)
        return after

    async def scenario() -> FakePipeline:
        pipeline = FakePipeline(before, unlearnable=after)
        watched = asyncio.Event()

        async def edit_then_watch() -> None:
            await pipeline.polled_source("a").wait()
            os.utime(config, (1, 1))  # another modification time: the file changed
            await pipeline.refused.wait()
            pipeline.relearned.clear()
            await pipeline.relearned.wait()  # the watcher's next check, which did not reload
            watched.set()

        watching = asyncio.create_task(edit_then_watch())
        await _run_until(pipeline, watched, reload=reload, reload_every=0.05)
        await watching
        return pipeline

    pipeline = asyncio.run(scenario())
    refused = [r.getMessage() for r in caplog.records if "keeping the last good" in r.message]
    expected = (before, ["a"], 1, 1)
    assert expected == (pipeline.settings, pipeline.polls, len(loads), len(refused))


@pytest.mark.parametrize(
    ("left", "stopped"),
    [((), "1 of 1"), (("tin",), "1 of 2")],  # a tester found the second: 4 of 5 went silent
)
def test_a_reload_that_loses_topics_to_a_renamed_watchlist_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, left: tuple[str, ...], stopped: str
) -> None:
    """Found by testers: ``nickel.yaml`` renamed ``nickel.yml`` under ``watchlists/*.yaml``
    reloaded without its topics, with only a warning, whether other patterns still read some
    or none. The reload is refused as a broken edit is: the topics keep running, the error
    names the pattern and the file, once."""
    config = tmp_path / "monitor.yaml"
    config.write_text("first")
    nickel = replace(Topic("nickel", "nickel", "nickel", 0.5), file="watchlists/nickel.yaml")
    others = tuple(replace(Topic(i, i, i, 0.5), file=f"more/{i}.yaml") for i in left)
    patterns = (
        WatchlistPattern("watchlists/*.yaml", ("watchlists/nickel.yaml",)),
        WatchlistPattern("more/*.yaml", tuple(t.file for t in others)),
    )
    before = replace(
        settings(source("a")),
        path=str(config),
        topics=(nickel, *others),
        watchlist_patterns=patterns,
    )
    missed = WatchlistWarning("watchlists/*.yaml", True, ("watchlists/nickel.yml",), "x")
    after = replace(
        before,
        topics=others,
        watchlist_patterns=(WatchlistPattern("watchlists/*.yaml", ()), patterns[1]),
        watchlist_warnings=(missed,),
    )
    loads: list[Settings] = []
    loaded = asyncio.Event()

    def reload() -> Settings:
        loads.append(after)
        loaded.set()
        return after

    async def scenario() -> FakePipeline:
        pipeline = FakePipeline(before)
        watched = asyncio.Event()

        async def edit_then_watch() -> None:
            await pipeline.polled_source("a").wait()
            os.utime(config, (1, 1))  # another modification time: the file changed
            await loaded.wait()
            pipeline.relearned.clear()
            await pipeline.relearned.wait()  # the watcher's next check, which did not reload
            watched.set()

        watching = asyncio.create_task(edit_then_watch())
        await _run_until(pipeline, watched, reload=reload, reload_every=0.05)
        await watching
        return pipeline

    pipeline = asyncio.run(scenario())
    refused = [r.getMessage() for r in caplog.records if "keeping the last good" in r.message]
    expected = (
        before,
        1,
        [
            "config reload (file change) failed, keeping the last good config: the reload would"
            f" stop {stopped} topics: watchlists/*.yaml matches no watchlist file:"
            " watchlists/nickel.yml is not matched by watchlists/*.yaml (to stop topics on"
            " purpose, comment them out or take the pattern out of `watchlists`)"
        ],
    )
    assert expected == (pipeline.settings, len(loads), refused)


def test_the_folder_of_a_pattern_that_matches_no_file_is_watched(tmp_path: Path) -> None:
    """With no watchlist read, a watchlist made where the pattern looks changes the stamp (a
    daemon started with none, or left with none, reads the one that comes)."""
    (tmp_path / "watchlists").mkdir()
    config = tmp_path / "monitor.yaml"
    config.write_text("first")
    missed = WatchlistWarning("watchlists/*.yaml", True, (), str(tmp_path / "watchlists"))
    watched = replace(settings(), path=str(config), watchlist_warnings=(missed,))
    os.utime(tmp_path / "watchlists", (1, 1))
    before = _stamp(watched)
    (tmp_path / "watchlists" / "a.yaml").write_text("topics: []")
    assert before != _stamp(watched)


def test_a_file_beside_monitor_yaml_does_not_reload_a_new_watchlist_does(tmp_path: Path) -> None:
    """The config stamp changes when a watchlist is added to its folder, not when a log or a
    backup is made beside monitor.yaml."""
    (tmp_path / "watchlists").mkdir()
    watchlist = tmp_path / "watchlists" / "a.yaml"
    watchlist.write_text("topics: []")
    config = tmp_path / "monitor.yaml"
    config.write_text("first")
    watched = replace(settings(), path=str(config), watchlist_files=(str(watchlist),))
    for folder in (tmp_path, tmp_path / "watchlists"):
        os.utime(folder, (1, 1))
    before = _stamp(watched)
    (tmp_path / "daemon.log").write_text("a line")
    beside = _stamp(watched)
    (tmp_path / "watchlists" / "b.yaml").write_text("topics: []")
    added = _stamp(watched)
    expected = (True, False)
    assert expected == (before == beside, beside == added)


@dataclass
class SlowDelivery(FakePipeline):
    """A delivery that runs until released; a poll that returns (with a new match, bringing the
    delivery forward) only once that delivery is running: its next run comes while it runs."""

    delivering: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def poll(self, source: SourceSettings) -> PollResult:
        await self.delivering.wait()
        return await super().poll(source)

    async def deliver(self, *, wait: bool = True) -> None:
        self.delivering.set()
        await self.release.wait()
        await super().deliver(wait=wait)


class _Skips(logging.Handler):
    """Records APScheduler's "skipped: maximum number of running instances" lines."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.levels: list[str] = []
        self.seen = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if "maximum number of running instances" in record.getMessage():
            self.levels.append(record.levelname)
            self.seen.set()


def test_a_run_skipped_while_the_last_one_runs_is_no_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A job brought forward while it runs (``max_instances=1``) is skipped: logged at DEBUG."""
    caplog.set_level(logging.DEBUG)
    # as ``--log-level DEBUG`` leaves it (an earlier command in this process may have set it)
    caplog.set_level(logging.DEBUG, logger="apscheduler")

    async def scenario() -> list[str]:
        pipeline = SlowDelivery(settings(source("a")))
        skips = _Skips()
        logging.getLogger().addHandler(skips)
        try:

            async def release_after_the_skip() -> None:
                await skips.seen.wait()
                pipeline.release.set()

            releasing = asyncio.create_task(release_after_the_skip())
            await _run_until(pipeline, pipeline.polled, pipeline.delivered)
            await releasing
        finally:
            logging.getLogger().removeHandler(skips)
        return skips.levels

    assert set(asyncio.run(scenario())) == {"DEBUG"}


@pytest.mark.parametrize(
    ("message", "level", "shown_at_info"),
    [
        (
            'Execution of job "%s" skipped: maximum number of running instances reached (%d)',
            "DEBUG",
            False,
        ),
        ('Run time of job "%s" was missed by %s', "WARNING", True),
        ('Error submitting job "%s" to executor "%s"', "ERROR", True),
    ],
)
def test_only_skipped_runs_leave_warning(message: str, level: str, shown_at_info: bool) -> None:
    """The filter lowers the skipped-run line alone; other APScheduler lines pass as they are."""
    logger = logging.getLogger("apscheduler.scheduler")
    record = logger.makeRecord(
        logger.name, logging.ERROR if level == "ERROR" else logging.WARNING, __file__, 1,
        message, ("job", 1), None,
    )  # fmt: skip
    before = logger.level
    logger.setLevel(logging.INFO)
    try:
        passed = _skipped_runs_at_debug(record)
    finally:
        logger.setLevel(before)
    assert (record.levelname, passed) == (level, shown_at_info)


@dataclass
class FetchingPipeline(FakePipeline):
    """Each poll fetches its source's URL (a loopback server) before it answers."""

    all_polled: asyncio.Event = field(default_factory=asyncio.Event)

    async def poll(self, source: SourceSettings) -> PollResult:
        result = await super().poll(source)
        async with httpx.AsyncClient(trust_env=False) as client:
            await client.get(source.url)
        if len(self.polls) == len(self.settings.sources):
            self.all_polled.set()
        return result


@dataclass
class Lateness(Metrics):
    """What the scheduler tells the metrics about lateness."""

    lags: list[float] = field(default_factory=list)
    read_backlog: Callable[[], Backlog] = Backlog

    def scheduler_lag(self, seconds: float) -> None:
        self.lags.append(seconds)

    def backlog(self, read: Callable[[], Backlog]) -> None:
        self.read_backlog = read


async def _until(condition: Callable[[], bool]) -> None:
    """Wait for a state of the daemon that no event announces (the caller bounds the wait)."""
    while not condition():
        await asyncio.sleep(0.01)


def test_polls_in_flight_are_bounded_and_the_most_overdue_go_first() -> None:
    """One daemon (SQLite), six overdue sources, ``cluster.polls: 2``, a server holding every
    answer: two requests in flight, the other four wait and show as overdue with the oldest
    one's age; released, all six are polled, the longest overdue first, and each poll's lag
    counts from when it fell due."""
    overdue_minutes = {"s1": 5, "s2": 90, "s3": 2, "s4": 30, "s5": 60, "s6": 10}
    now = datetime.now(UTC)  # the daemon's clock is real: APScheduler runs the jobs on it
    hold = threading.Event()

    async def scenario(pipeline: FetchingPipeline, metrics: Lateness) -> Backlog:
        seen = Backlog()

        async def four_waiting() -> None:
            nonlocal seen
            await _until(lambda: metrics.read_backlog().waiting == 4)
            seen = metrics.read_backlog()
            hold.set()

        await _run_until(pipeline, pipeline.all_polled, metrics=metrics, meanwhile=four_waiting)
        return seen

    with running_feed_server() as server:
        sources = [
            source(s, url=server.route(f"/{s}", Route(body=b"<rss/>", hold=hold)))
            for s in overdue_minutes
        ]
        states = [
            replace(SourceState.fresh(s, ""), next_check=now - timedelta(minutes=n))
            for s, n in overdue_minutes.items()
        ]
        pipeline = FetchingPipeline(
            replace(settings(*sources), cluster=ClusterSettings(polls=2)),
            store=FakeStore(states),
        )
        metrics = Lateness()
        try:
            seen = asyncio.run(scenario(pipeline, metrics))
        finally:
            hold.set()
        in_flight = max(entry.active for entry in server.log)

    most_overdue_first = sorted(overdue_minutes, key=lambda s: -overdue_minutes[s])
    assert in_flight == 2
    assert pipeline.polls == most_overdue_first
    # s2 and s5 are polled; s4 (30 minutes overdue) waits longest
    assert (seen.waiting, seen.overdue) == (4, 4)
    assert 30 * 60 <= seen.oldest < 31 * 60
    # the other jobs (delivery, config watcher) start on time: under a minute late
    lag_minutes = sorted(int(lag // 60) for lag in metrics.lags if lag >= 60)
    assert lag_minutes == sorted(overdue_minutes.values())


@dataclass
class HangingPipeline(FakePipeline):
    """A poll that never ends and a send in flight that takes all the grace it is given."""

    grace: list[float] = field(default_factory=list)
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)

    async def poll(self, source: SourceSettings) -> PollResult:
        self.polled.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        raise AssertionError("never set")

    async def drain_sends(self, grace: float) -> None:
        self.grace.append(grace)
        await asyncio.sleep(grace)


def test_a_stop_leaves_the_rest_of_the_stop_budget_for_closing() -> None:
    """SIGTERM must end the process within 10 s (docker stop); the web side, the workers and
    the database close after the daemon's part, so a poll still running and a send in flight
    get 5 s, not 7 (a stop took 11.5 s under load). Waited in virtual time, not wall time."""
    from monitor.scheduler import STOP_GRACE
    from tests.virtualtime import VirtualTimeLoop

    async def scenario() -> tuple[float, HangingPipeline]:
        pipeline = HangingPipeline(settings(source("slow")))
        daemon = Daemon(
            pipeline,  # type: ignore[arg-type]  # the fake has what the daemon uses
            reload=lambda: pipeline.settings,
            make_notifier=lambda s: Notifier(()),
            metrics=Metrics(),
        )
        running = asyncio.create_task(daemon.run())
        await asyncio.wait_for(pipeline.polled.wait(), 60)  # bounds a failing test only
        loop = asyncio.get_running_loop()
        assert isinstance(loop, VirtualTimeLoop)
        loop.jump()
        stopped_at = loop.time()
        daemon.stop()
        await running
        assert pipeline.cancelled.is_set()
        return loop.time() - stopped_at, pipeline

    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        took, pipeline = runner.run(scenario())
    assert pipeline.grace == [STOP_GRACE] and STOP_GRACE == 5.0
    assert STOP_GRACE <= took < STOP_GRACE + 0.5


@dataclass
class PruningStore(FakeStore):
    """A store that records the daily prune's calls; ``pruned`` is set (from the job's thread)
    once a run has finished."""

    loop: asyncio.AbstractEventLoop | None = None
    pruned: asyncio.Event = field(default_factory=asyncio.Event)
    claims: list[datetime] = field(default_factory=list)
    cutoffs: list[datetime] = field(default_factory=list)

    def claim_run(self, name: str, now: datetime, every: timedelta) -> bool:
        self.claims.append(now)
        return True

    def prune_batch(self, cutoff: datetime, after: int, limit: int) -> tuple[Pruned, None]:
        self.cutoffs.append(cutoff)
        return Pruned(articles=3), None

    def prune_digests(self, cutoff: datetime) -> Pruned:
        return Pruned()

    def kept_count(self, cutoff: datetime) -> int:
        assert self.loop is not None
        self.loop.call_soon_threadsafe(self.pruned.set)
        return 0


def test_the_daemon_checks_the_daily_prune_at_start_by_its_clock() -> None:
    """With ``retention.days``, the daemon's first check (at start) claims the day's run at the
    daemon's own time and prunes what is older than the days before it; without, nothing."""

    start = datetime.now(UTC)  # the daemon's clock, frozen: APScheduler runs on the real one

    async def scenario(days: int | None) -> PruningStore:
        store = PruningStore(loop=asyncio.get_running_loop())
        pipeline = FakePipeline(replace(settings(), retention=RetentionSettings(days)), store=store)
        daemon = Daemon(
            pipeline,  # type: ignore[arg-type]  # the fake has what the daemon uses
            reload=lambda: pipeline.settings,
            make_notifier=lambda s: Notifier(()),
            now=lambda: start,
        )
        running = asyncio.create_task(daemon.run())
        if days is not None:
            await asyncio.wait_for(store.pruned.wait(), 60)  # bounds a failing test only
        else:
            await asyncio.wait_for(pipeline.delivered.wait(), 60)  # started its jobs
        daemon.stop()
        await asyncio.wait_for(running, 60)
        return store

    store = asyncio.run(scenario(30))
    assert store.claims == [start] and store.cutoffs == [start - timedelta(days=30)]
    assert asyncio.run(scenario(None)).claims == []


def test_a_reload_that_sets_retention_checks_the_prune_at_once() -> None:
    """``retention.days`` set by a hot reload is checked then, not at the next hourly check
    (a tester's daemon pruned nothing until it was restarted)."""
    start = datetime.now(UTC)

    async def scenario() -> PruningStore:
        store = PruningStore(loop=asyncio.get_running_loop())
        pipeline = FakePipeline(settings(), store=store)
        daemon = Daemon(
            pipeline,  # type: ignore[arg-type]  # the fake has what the daemon uses
            reload=lambda: replace(settings(), retention=RetentionSettings(30)),
            make_notifier=lambda s: Notifier(()),
            now=lambda: start,
        )
        running = asyncio.create_task(daemon.run())
        await asyncio.wait_for(pipeline.delivered.wait(), 60)  # started its jobs
        assert store.claims == []  # retention off: the check at start did nothing
        await daemon._reload_now("SIGHUP")
        await asyncio.wait_for(store.pruned.wait(), 60)  # bounds a failing test only
        daemon.stop()
        await asyncio.wait_for(running, 60)
        return store

    assert asyncio.run(scenario()).cutoffs == [start - timedelta(days=30)]


@dataclass
class UnreachableStore(PruningStore):
    """A pruning store whose database fails while ``down`` is set."""

    down: bool = True

    def claim_run(self, name: str, now: datetime, every: timedelta) -> bool:
        if self.down:
            raise StoreError("claiming a daily job failed (sqlite:///monitor.db): locked")
        return super().claim_run(name, now, every)


def test_the_daily_prune_reports_a_database_outage_to_the_watch(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Three hourly checks in an outage: one ERROR line (the watch's), /healthz names the job,
    every failure counted; the first check that reaches the database ends the outage with one
    line (the job logged an ERROR of its own at every hourly check)."""
    clock = [datetime(2026, 12, 5, 9, 0, tzinfo=UTC)]

    async def scenario() -> tuple[list[DatabaseHealth], PruningStore]:
        store = UnreachableStore(loop=asyncio.get_running_loop())
        pipeline = FakePipeline(replace(settings(), retention=RetentionSettings(30)), store=store)
        daemon = Daemon(
            pipeline,  # type: ignore[arg-type]  # the fake has what the daemon uses
            reload=lambda: pipeline.settings,
            make_notifier=lambda s: Notifier(()),
            now=lambda: clock[0],
        )
        seen = []
        for _ in range(3):
            await daemon._prune()
            seen.append(daemon._database.health)
            clock[0] += timedelta(hours=1)
        store.down = False
        await daemon._prune()
        return [*seen, daemon._database.health], store

    with caplog.at_level(logging.INFO):
        health, store = asyncio.run(scenario())
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.WARNING]
    assert [level for level, _ in said] == ["ERROR", "WARNING"], said
    assert said[0][1].startswith("database unavailable job=prune: StoreError: claiming a daily")
    assert said[1][1] == (
        "database reachable again after 10800 s; jobs that failed: prune"
        " (3 failures, 0 polls not saved)"
    )
    assert [h.failing_jobs for h in health] == [("prune",)] * 3 + [()]
    assert health[-1].total_failures == 3 and store.claims == [clock[0]]


def test_a_prune_turned_off_in_an_outage_does_not_hold_it_open() -> None:
    """The prune failed, then a reload turned retention off: the job no longer touches the
    database, so it is no longer failing (else /healthz would say 503 until a restart)."""
    start = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)

    async def scenario() -> DatabaseHealth:
        store = UnreachableStore(loop=asyncio.get_running_loop())
        pipeline = FakePipeline(replace(settings(), retention=RetentionSettings(30)), store=store)
        daemon = Daemon(
            pipeline,  # type: ignore[arg-type]  # the fake has what the daemon uses
            reload=lambda: pipeline.settings,
            make_notifier=lambda s: Notifier(()),
            now=lambda: start,
        )
        await daemon._prune()
        assert not daemon._database.health.ok
        pipeline.settings = replace(pipeline.settings, retention=RetentionSettings(None))
        await daemon._prune()
        return daemon._database.health

    assert asyncio.run(scenario()).ok


@dataclass
class HeldBeatNode:
    """A cluster node whose heartbeat, once ``hold`` is given, waits for it (a slow database)."""

    settings: ClusterSettings = field(default_factory=lambda: ClusterSettings(3600.0, 3600.0))
    name: str = "node-1"
    events: list[str] = field(default_factory=list)
    hold: asyncio.Event | None = None
    beating: asyncio.Event = field(default_factory=asyncio.Event)

    async def beat(self) -> None:
        self.events.append("beat")
        if self.hold is not None:
            self.beating.set()
            await self.hold.wait()
        self.events.append("beat done")

    async def register(self, sources: object) -> None:
        pass

    async def claim(self, source_ids: object, free: int) -> list[object]:
        return []

    async def next_claim(self, source_ids: object, claimed: bool, full: bool) -> datetime:
        return datetime.now(UTC) + timedelta(hours=1)

    async def leave(self) -> None:
        self.events.append("left")


def test_a_stop_waits_for_a_heartbeat_under_way_before_the_node_leaves(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """SIGTERM while APScheduler runs a heartbeat: the stop waits for it, the node leaves after
    it, and nothing is logged as a failed job (no traceback of a heartbeat cut off mid-way)."""
    pipeline = FakePipeline(settings(source("a")))
    node = HeldBeatNode()

    async def scenario() -> None:
        daemon = Daemon(
            pipeline,  # type: ignore[arg-type]  # the fake has what the daemon uses
            reload=lambda: pipeline.settings,
            make_notifier=lambda s: Notifier(()),
            node=node,  # type: ignore[arg-type]  # the fake has what the daemon uses
        )
        running = asyncio.create_task(daemon.run())
        await asyncio.wait_for(pipeline.delivered.wait(), 60)  # bounds a failing test only
        node.hold = asyncio.Event()
        daemon._scheduler.modify_job("heartbeat", next_run_time=datetime.now(UTC))
        await asyncio.wait_for(node.beating.wait(), 60)
        daemon.stop()
        await asyncio.wait_for(_until(lambda: pipeline.stopped_sending), 60)
        node.hold.set()
        await asyncio.wait_for(running, 60)

    with caplog.at_level(logging.INFO):
        asyncio.run(scenario())
    assert node.events[-3:] == ["beat", "beat done", "left"], node.events
    failed = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failed == [], [r.getMessage() for r in failed]
