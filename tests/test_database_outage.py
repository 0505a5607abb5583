"""Issue 11, finding 15: a database outage is the daemon's recorded state, not tracebacks.

Every job that touches the store reports to one record (``monitor.database_watch``): a
PostgreSQL database going away under a node's delivery ticks, heartbeats and polls is one ERROR
line, ``/healthz`` naming the failing jobs and ``/metrics`` counting every failure, then one line
when it is back; a lease whose release failed is given back when the database returns (another
node can claim the source); a reload that failed on the database (a SIGHUP) is tried again.

A real ``monitor run`` whose SQLite file another connection locks for a while: its polls end
as ``store:`` failures, ``/healthz`` says the database is failing (since when, how many polls
were not saved, why: scheme and path kept), ``/metrics`` counts them, the log has one line when
the outage begins and one when it ends, and the daemon keeps polling and recovers by itself.
On PostgreSQL, a database renamed away under ``Pipeline.poll`` (its connections cut) does the
same to the pipeline's state, and the error names the server and database, not
``***ql+psycopg://***``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import psycopg
import pytest

from monitor.config import ClusterSettings
from monitor.database_watch import DatabaseWatch
from monitor.fetch import Fetcher
from monitor.node import Node
from monitor.notify import Notifier
from monitor.pipeline import Pipeline, PollResult
from monitor.scheduler import Daemon as Scheduler
from monitor.store import SourceState, Store
from monitor.web.app import build_app
from monitor.web.context import WebContext
from monitor.web.metrics import PrometheusMetrics
from monitor.workers import WorkerLimits, Workers
from tests.addresses import stub_resolver
from tests.feedserver import running_feed_server
from tests.hostile import GOOD, HTTP, LIMITS, settings, source
from tests.webdaemon import Daemon, running_daemon, write_config


def _until(what: str, check: Callable[[], Any], daemon: Daemon, timeout: float = 120) -> Any:
    """Wait for ``check()`` to be truthy (the deadline only bounds a failing test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        assert daemon.process.poll() is None, f"the daemon exited:\n{daemon.log.read_text()}"
        time.sleep(0.1)
    raise AssertionError(f"never saw {what}:\n{daemon.log.read_text()}")


def _health(daemon: Daemon) -> dict[str, Any]:
    with daemon.client() as client:
        return dict(client.get("/healthz").json())


def _store_errors(daemon: Daemon) -> float:
    with daemon.client() as client:
        text = client.get("/metrics").text
    found = re.search(r"^monitor_store_errors_total (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.mark.slow
def test_a_locked_sqlite_file_is_daemon_state_and_the_daemon_recovers(tmp_path: Path) -> None:
    """Locked: polls fail as ``store:``, /healthz 503 with the outage, /metrics counts it.
    Unlocked: the next polls save again, /healthz is ok; the daemon never stopped."""
    db = tmp_path / "monitor.db"
    with running_feed_server() as feeds:
        feeds.serve("/feed.xml", GOOD)
        sources = f"sources:\n  - id: feed\n    feed: {feeds.url('/feed.xml')}\n"
        config = write_config(tmp_path, f"sqlite:///{db}", extra=sources)
        with running_daemon(config, env={"MONITOR_POLL_EVERY": "1s"}) as daemon:
            _until("a first poll", lambda: "polled source=feed" in daemon.log.read_text(), daemon)
            locker = sqlite3.connect(db, isolation_level=None)
            try:
                locker.execute("BEGIN EXCLUSIVE")  # no other connection writes until released
                failing = _until(
                    "the outage in /healthz",
                    lambda: (h := _health(daemon))["database"]["polls_not_saved"] >= 2 and h,
                    daemon,
                )
                assert _store_errors(daemon) >= 2
            finally:
                locker.execute("ROLLBACK")
                locker.close()
            recovered = _until(
                "the database back in /healthz",
                lambda: (h := _health(daemon))["database"]["ok"] and h,
                daemon,
            )
            assert daemon.process.poll() is None
            log = daemon.log.read_text()
    database = failing["database"]
    assert failing["status"] == "unhealthy" and database["ok"] is False
    assert database["failing_since"] is not None
    assert "locked" in database["last_error"] and f"sqlite:///{db}" in database["last_error"]
    assert recovered["status"] == "ok" and recovered["database"]["polls_not_saved"] == 0
    assert recovered["database"]["polls_not_saved_total"] >= 2
    assert log.count("database unavailable job=") == 1, log
    assert log.count("database reachable again after ") == 1, log
    assert "Traceback" not in log, log


@pytest.mark.postgres
def test_a_postgresql_database_gone_is_pipeline_state(postgres_url: str, pg_admin_dsn: str) -> None:
    """The database renamed away (its connections cut): the poll is a ``store:`` failure,
    the pipeline's database state says so, naming server and database; renamed back, the
    next poll saves and the state is ok again, with the count kept."""
    name = postgres_url.rsplit("/", 1)[1]
    workers = Workers(WorkerLimits(1, LIMITS.worker_memory, LIMITS.worker_timeout))
    store = Store.open(postgres_url)
    try:
        with running_feed_server() as feeds:
            feeds.serve("/control.xml", GOOD)
            feed = source("feed", f"http://feeds.test:{feeds.port}/control.xml", True)

            async def run() -> tuple[list[PollResult], list[Any]]:
                fetcher = Fetcher(HTTP, resolver=stub_resolver)
                pipeline = Pipeline(
                    settings(), store=store, fetcher=fetcher, notifier=Notifier(()),
                    workers=workers, now=lambda: datetime.now(UTC),
                )  # fmt: skip
                results, states = [], []
                try:
                    for step in ("up", "gone", "back"):
                        if step != "up":
                            _rename(pg_admin_dsn, name, back=step == "back")
                        results.append(await pipeline.poll(feed))
                        states.append(pipeline.database.health)
                finally:
                    await fetcher.aclose()
                return results, states

            (up, gone, back), (healthy, failing, recovered) = asyncio.run(run())
    finally:
        _rename(pg_admin_dsn, name, back=True)
        store.close()
        workers.close()
    assert up.outcome == "new" and healthy.ok
    assert gone.outcome == "failed" and (gone.error or "").startswith("store: "), gone
    assert not failing.ok and failing.failed_polls == 1
    # the user is no more shown than the password: /healthz is open to anyone
    assert f"postgresql+psycopg://***@127.0.0.1:5432/{name}" in (failing.last_error or "")
    assert back.outcome in ("new", "not_modified") and recovered.ok
    assert recovered.total_failed == 1


def _rename(admin: str, name: str, *, back: bool) -> None:
    """Rename the test's database away (cutting its connections), or back."""
    away = f"{name}_gone"
    old, new = (away, name) if back else (name, away)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (old,)).fetchone()
        if not exists:
            return
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (old,)
        )
        conn.execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')


def test_sources_names_the_database_it_cannot_reach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`monitor sources` during an outage: exit 3 and an error naming scheme, host, port and
    database, with the password masked and nothing else (not ``***ql+psycopg://***``)."""
    from monitor.cli import main
    from tests.receivers import closed_port

    port = closed_port()
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"database: postgresql://postgres:Sekret-4242@127.0.0.1:{port}/news\nwatchlists: []\n"
        "sources:\n  - id: a\n    feed: http://127.0.0.1:9/x\n",
        encoding="utf-8",
    )
    assert main(["--config", str(config), "sources"]) == 3
    error = capsys.readouterr().err
    assert f"postgresql+psycopg://***@127.0.0.1:{port}/news" in error, error
    assert "Sekret" not in error and "***ql" not in error


class Clock:
    """The daemon's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def _get(ctx: WebContext, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=build_app(ctx))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return await client.get(path)


def _counted(metrics_text: str) -> float:
    found = re.search(r"^monitor_store_errors_total (\S+)$", metrics_text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.mark.postgres
def test_an_outage_under_a_nodes_jobs_is_one_record_and_two_lines(
    postgres_url: str, pg_admin_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The database renamed away under a node: five delivery ticks, heartbeats and polls each
    fail without raising (nothing reaches APScheduler) and log one ERROR line in all;
    /healthz is 503 with since when and the failing jobs, /metrics counts all 15. Renamed back,
    42 s later: one line naming the jobs, and /healthz is ok."""
    name = postgres_url.rsplit("/", 1)[1]
    clock, metrics = Clock(), PrometheusMetrics()
    began = clock.now
    watch = DatabaseWatch(clock, metrics)
    workers = Workers(WorkerLimits(1, LIMITS.worker_memory, LIMITS.worker_timeout))
    store = Store.open(postgres_url)
    node = Node(store, ClusterSettings(), clock, name="node-a", database=watch)
    ctx = WebContext(
        store, lambda: settings(), metrics, clock, clock, database=lambda: watch.health
    )
    try:
        with running_feed_server() as feeds, caplog.at_level(logging.INFO):
            feeds.serve("/feed.xml", GOOD)
            feed = source("feed", f"http://feeds.test:{feeds.port}/feed.xml", True)

            async def run() -> tuple[httpx.Response, str, httpx.Response]:
                fetcher = Fetcher(HTTP, resolver=stub_resolver)
                pipeline = Pipeline(
                    settings(), store=store, fetcher=fetcher, notifier=Notifier(()),
                    workers=workers, now=clock, metrics=metrics, leases=node, database=watch,
                )  # fmt: skip
                daemon = Scheduler(
                    pipeline, reload=lambda: pipeline.settings,
                    make_notifier=lambda s: Notifier(()), now=clock, metrics=metrics,
                    node=node, database=watch,
                )  # fmt: skip
                try:
                    _rename(pg_admin_dsn, name, back=False)
                    for _ in range(5):
                        await daemon._deliver()
                        await daemon._beat()
                        await pipeline.poll(feed)
                    failing = await _get(ctx, "/healthz")
                    counted = (await _get(ctx, "/metrics")).text
                    _rename(pg_admin_dsn, name, back=True)
                    clock.now += timedelta(seconds=42)
                    await daemon._deliver()
                    await daemon._beat()
                    await pipeline.poll(feed)
                    return failing, counted, await _get(ctx, "/healthz")
                finally:
                    await fetcher.aclose()

            failing, counted, recovered = asyncio.run(run())
    finally:
        _rename(pg_admin_dsn, name, back=True)
        store.close()
        workers.close()
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(said) == 2, said
    assert said[0][0] == "ERROR" and said[0][1].startswith("database unavailable job=deliver: ")
    assert f"127.0.0.1:5432/{name}): OperationalError: " in said[0][1]
    assert said[1] == (
        "WARNING",
        "database reachable again after 42 s; jobs that failed: deliver, heartbeat, poll"
        " (15 failures, 5 polls not saved)",
    )
    database = failing.json()["database"]
    assert failing.status_code == 503 and database["ok"] is False
    assert database["failing_since"] == began.isoformat(timespec="seconds")
    assert database["failing_jobs"] == ["deliver", "heartbeat", "poll"]
    assert (database["failures"], database["polls_not_saved"]) == (15, 5)
    assert _counted(counted) == 15
    assert recovered.status_code == 200, recovered.json()
    assert recovered.json()["database"]["failures_total"] == 15


@pytest.mark.postgres
def test_a_lease_whose_release_failed_is_given_back_when_the_database_returns(
    postgres_url: str, pg_admin_dsn: str
) -> None:
    """Node A polled a source and its release failed in an outage shorter than the lease. Its
    heartbeat renews every lease it holds, so the source stayed A's for good, polled by nobody;
    A's first heartbeat after the outage gives it back, and node B claims it."""
    name = postgres_url.rsplit("/", 1)[1]
    clock = Clock()
    first, second = Store.open(postgres_url), Store.open(postgres_url)
    a = Node(first, ClusterSettings(lease=300.0), clock, name="node-a")
    b = Node(second, ClusterSettings(lease=300.0), clock, name="node-b")
    first.register_sources([SourceState.fresh("s", "http://feeds.test/s.xml")])

    async def run() -> tuple[list[Any], list[Any], list[Any]]:
        await a.beat()
        await b.beat()
        (lease,) = await a.claim(["s"], 1)
        _rename(pg_admin_dsn, name, back=False)
        try:
            await a.release(lease)  # the poll ended, the database is away: not given back
            await a.beat()
        finally:
            _rename(pg_admin_dsn, name, back=True)
        unreleased = sorted(a.unreleased, key=str)
        await b.beat()
        before = await b.claim(["s"], 1)  # still A's until A gives it back
        await a.beat()
        return unreleased, before, await b.claim(["s"], 1)

    try:
        unreleased, before, after = asyncio.run(run())
    finally:
        _rename(pg_admin_dsn, name, back=True)
        first.close()
        second.close()
    assert [lease.name for lease in unreleased] == ["s"] and before == []
    assert [(lease.name, lease.owner) for lease in after] == [("s", "node-b")]
    assert a.unreleased == set() and a.database.health.ok


def test_a_sighup_reload_that_met_an_unreadable_sqlite_file_is_tried_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGHUP while the SQLite file cannot be read (its header overwritten): the reload waits
    (one line), the config check tries it again while the file is still bad, and once the file
    is back, the next check reloads; the watch recorded the failing reload, then its end."""
    from tests.test_scheduler import FakePipeline
    from tests.test_scheduler import settings as scheduler_settings
    from tests.test_scheduler import source as scheduler_source

    db = tmp_path / "monitor.db"
    store = Store.open(f"sqlite:///{db}")
    clock = Clock()
    watch = DatabaseWatch(clock)
    old = scheduler_settings(scheduler_source("a"))
    new = scheduler_settings(scheduler_source("a"), scheduler_source("b"))
    pipeline = FakePipeline(old, store=cast(Any, store))

    async def run() -> Any:
        daemon = Scheduler(
            pipeline,  # type: ignore[arg-type]  # the fake has what the daemon uses
            reload=lambda: new, make_notifier=lambda s: Notifier(()), now=clock,
            database=watch,
        )  # fmt: skip
        header = _unreadable(db, store)
        await daemon._reload_now("SIGHUP")
        await daemon._watch_config()
        failing = watch.health
        with db.open("r+b") as file:
            file.write(header)
        await daemon._watch_config()
        return failing

    try:
        with caplog.at_level(logging.INFO):
            failing = asyncio.run(run())
    finally:
        store.close()
    assert failing.failing_jobs == ("config reload",) and failing.failures == 2
    assert pipeline.settings == new and watch.health.ok
    said = [r.getMessage() for r in caplog.records]
    assert sum("waits for the database" in line for line in said) == 1, said
    assert any(line.startswith("config reloaded (SIGHUP, tried again)") for line in said), said


def _unreadable(db: Path, store: Store) -> bytes:
    """Overwrite the SQLite file's header (new connections read "file is not a database"):
    the store's pooled connections are dropped first (not ``close``: a closed store refuses to
    read, where this one must meet the damaged file). Returns the header, to put it back."""
    store._engine.dispose()
    with db.open("r+b") as file:
        header = file.read(100)
        file.seek(0)
        file.write(b"x" * 100)
    return header
