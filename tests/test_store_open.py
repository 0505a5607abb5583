"""Opening the database from several processes, and from commands that only look.

Two processes opening one new SQLite file race in the migration unless it is serialised; a
command that only reads must neither create a database at a mistyped path nor migrate one.
"""

from __future__ import annotations

import errno
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from monitor.errors import StoreError
from monitor.store import Store
from monitor.store._engine import upgrade

OPEN_AND_COUNT = """
import sys
from monitor.store import Store
store = Store.open(sys.argv[1])
print(len(list(store.stored_articles())))
store.close()
"""


def test_processes_opening_a_new_sqlite_file_migrate_in_turn(tmp_path: Path) -> None:
    """Four processes open one fresh file at once: every one of them gets a working store."""
    for attempt in range(3):
        url = f"sqlite:///{tmp_path}/fresh-{attempt}/monitor.db"
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AND_COUNT, url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        results = [p.communicate(timeout=300) for p in processes]
        assert [p.returncode for p in processes] == [0] * 4, [err for _, err in results]
        assert [out.strip() for out, _ in results] == ["0"] * 4


def test_reading_a_missing_sqlite_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "monitor.db"
    with pytest.raises(StoreError, match=r"no database at .*monitor once"):
        Store.open(f"sqlite:///{path}", migrate=False)
    assert not path.parent.exists()


def test_reading_an_old_schema_does_not_migrate_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    engine = create_engine(url)
    upgrade(engine, "0001")
    engine.dispose()
    with pytest.raises(StoreError, match=r"is at schema 0001.*monitor run"):
        Store.open(url, migrate=False)
    Store.open(url).close()  # the daemon's open migrates it
    Store.open(url, migrate=False).close()


@pytest.mark.parametrize(
    "refusal",
    [
        PermissionError(errno.EACCES, "Permission denied"),
        OSError(errno.EROFS, "Read-only file system"),
    ],
    ids=["permission", "read-only-mount"],
)
def test_a_reader_who_may_not_write_beside_the_file_still_reads(
    tmp_path: Path, refusal: OSError
) -> None:
    """An analyst's account reads the daemon's database but may not create the lock file
    beside it, or the file is on a read-only mount (found by an operator and a tester: a
    traceback, exit 1): reading goes on without the lock (it only waits out a migration);
    migrating says what it could not do. The tests run as root, whom file modes do not stop,
    on a writable disk: opening the lock file is refused instead."""
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder}/monitor.db"
    Store.open(url).close()
    (folder / "monitor.db-migrate.lock").unlink()
    lock_path = str(folder / "monitor.db-migrate.lock")

    def refuse(path: str, *args: Any, **kwargs: Any) -> Any:
        if str(path) == lock_path:
            raise type(refusal)(refusal.errno, refusal.strerror, path)
        return real_open(path, *args, **kwargs)

    real_open = open
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("builtins.open", refuse)
        Store.open(url, migrate=False).close()
        with pytest.raises(StoreError, match="cannot write beside the database"):
            upgrade(create_engine(url))


def test_cli_listing_on_a_missing_database_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from monitor.cli import main

    config = tmp_path / "monitor.yaml"
    config.write_text(f"database: sqlite:///{tmp_path}/nowhere/monitor.db\nwatchlists: []\n")
    assert main(["--config", str(config), "matches"]) == 3
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()


def test_fingerprints_of_the_old_minhash_constants_are_cleared(database_url: str) -> None:
    """Migration 0006: a fingerprint stored before the constants changed is set to NULL."""
    from datetime import UTC, datetime

    from sqlalchemy import DateTime, bindparam, text

    engine = create_engine(database_url)
    upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO article (key, title, summary, source_id, source_name, first_seen,"
                " story_id, fingerprint) VALUES ('k', 't', 's', 'src', 'Src', :now, 'story', :fp)"
            ).bindparams(bindparam("now", type_=DateTime(timezone=True))),
            {"now": datetime(2026, 1, 1, tzinfo=UTC), "fp": b"\x01" * 256},
        )
    upgrade(engine)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT story_id, fingerprint FROM article")).one()
    engine.dispose()
    assert tuple(row) == ("story", None)


@pytest.mark.postgres
def test_a_url_without_password_connects_with_pgpassword(
    postgres_url: str, pg_admin_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """contrib/compose.yaml gives the password as PGPASSWORD and a URL without one: libpq
    reads it. The test server trusts 127.0.0.1, so it accepts any password; what is checked
    is that libpq took PGPASSWORD as the password it would send (a scram-sha-256 server was
    tried by hand: right password opens, wrong one and none are refused)."""
    import uuid

    import psycopg
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    role, password = f"monitor_pw_{uuid.uuid4().hex[:8]}", "p@ss/w?rd#1-from-env"
    database = make_url(postgres_url).database
    with psycopg.connect(pg_admin_dsn, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        admin.execute(f'ALTER DATABASE "{database}" OWNER TO "{role}"')
    url = make_url(postgres_url).set(username=role).render_as_string(hide_password=False)
    monkeypatch.setenv("PGPASSWORD", password)
    try:
        store = Store.open(url, migrate=True)  # the migrations run as the role
        store.close()
        engine = create_engine(url)
        with engine.connect() as connection:
            user = connection.execute(text("SELECT current_user")).scalar()
            info = connection.connection.dbapi_connection.info  # type: ignore[union-attr]
            sent = info.password
        engine.dispose()
    finally:
        with psycopg.connect(pg_admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'DROP ROLE "{role}"')
    assert (user, sent) == (role, password)


def test_the_readmes_schema_examples_name_the_newest_migration() -> None:
    """The README quotes the messages of an upgrade; their newer schema is the current head
    (an example naming an old one reads as if that were what this version needs)."""
    root = Path(__file__).parent.parent
    head = max(p.name[:4] for p in (root / "monitor/migrations/versions").glob("[0-9]*.py"))
    readme = (root / "README.md").read_text(encoding="utf-8")
    quoted = re.findall(r"this version needs (\d{4})|schema from \d{4} to (\d{4})", readme)
    assert [head] * len(quoted) == ["".join(q) for q in quoted] and quoted
