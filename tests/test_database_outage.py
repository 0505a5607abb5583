"""Issue 11, finding 15: a database outage is the daemon's recorded state, not tracebacks.

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
import re
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from monitor.fetch import Fetcher
from monitor.notify import Notifier
from monitor.pipeline import Pipeline, PollResult
from monitor.store import Store
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
    assert log.count("database unavailable: ") == 1, log
    assert log.count("database available again after ") == 1, log
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
                        states.append(pipeline.database)
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
    assert f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}" in (failing.last_error or "")
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
