"""Shared fixtures: database URLs for SQLite files and the local PostgreSQL server.

PostgreSQL tests get a fresh database each, created on the server at 127.0.0.1:5432 and dropped
afterwards; they skip with the reason when no server is reachable (CI starts one in ``.ci/run``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

PG_ADMIN_URLS = (
    os.environ.get("MONITOR_TEST_PG_ADMIN", ""),
    "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
    "host=127.0.0.1 port=5432 user=root dbname=postgres",
)


def _pg_admin() -> str | None:
    for dsn in filter(None, PG_ADMIN_URLS):
        try:
            with psycopg.connect(dsn, connect_timeout=3):
                return dsn
        except psycopg.Error:
            continue
    return None


@pytest.fixture(scope="session")
def pg_admin_dsn() -> str:
    dsn = _pg_admin()
    if dsn is None and os.environ.get("MONITOR_REQUIRE_POSTGRES"):
        pytest.fail("MONITOR_REQUIRE_POSTGRES is set but no PostgreSQL server is reachable")
    if dsn is None:
        pytest.skip("no PostgreSQL server reachable at 127.0.0.1:5432 (users postgres, root)")
    return dsn


@pytest.fixture
def postgres_url(pg_admin_dsn: str) -> Iterator[str]:
    """A SQLAlchemy URL to a new, empty PostgreSQL database, dropped after the test."""
    name = f"monitor_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # A commit need not wait for its WAL flush here: the tests kill our processes, never
        # the server, and what a commit wrote is visible at once either way. Waiting on disk
        # made the database tests slow on a busy machine (an outage test: 49 s, 5 s of CPU).
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    params = dict(part.split("=", 1) for part in pg_admin_dsn.split())
    yield f"postgresql+psycopg://{params['user']}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(pg_admin_dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'monitor.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs once on a SQLite file and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow end-to-end tests first (otherwise in their order): pytest-xdist hands out the
    ``xdist_group`` units first, then single tests in this order, so the longest tests start
    early and the short ones fill the workers around them; one started last ran alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than cores. About a third of the suite's time is spent
    waiting on real daemons, receivers and timeouts (measured idle on 2 cores: user + system
    CPU 7:19 over 4:47 wall with 3 workers, against 5:23 wall with 2), and a third worker
    fills those waits; the tests judge behaviour, not speed, so the extra contention under
    load only lengthens them."""
    return len(os.sched_getaffinity(0)) + 1
