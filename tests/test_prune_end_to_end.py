"""End to end on loopback: ``monitor once`` stores and alerts a feed's items, they grow old,
``monitor prune`` deletes them, and the feed, which still lists them, does not alert them again;
a new item is alerted as before. Also what ``monitor prune`` prints, its dry run, its usage
errors, the sizes ``--vacuum`` prints, and the databases it cannot use (exit 3, one line). On a
SQLite file and on PostgreSQL (``database_url``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlmodel import col

from monitor.cli import main
from monitor.cli.retention import size, vacuum_line
from monitor.store import Store, sqlite_file
from monitor.store._engine import upgrade
from monitor.store._tables import ArticleRow, DeliveryRow, MatchRow
from tests.feedserver import FeedServer, running_feed_server
from tests.receivers import WebhookReceiver
from tests.test_store import head_revision

#: the schema this version needs (a message names it)
HEAD = head_revision()
WATCHLIST = """\
topics:
  - id: asean
    name: ASEAN security
    query: ASEAN AND (security OR keamanan)
    threshold: 0.1
"""
ITEMS = {
    "first": ("ASEAN security talks open", "/news/1"),
    "second": ("ASEAN security pact signed", "/news/2"),
    "third": ("ASEAN keamanan summit ends", "/news/3"),
}


def rss(feeds: FeedServer, names: list[str]) -> bytes:
    body = "".join(
        f"<item><title>{escape(ITEMS[name][0])}</title>"
        f"<link>{escape(feeds.url(ITEMS[name][1]))}</link>"
        f"<description>{escape(ITEMS[name][0])}.</description></item>"
        for name in names
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>Wire</title>"
        f"<link>https://wire.example/</link>{body}</channel></rss>"
    ).encode()


@dataclass
class World:
    feeds: FeedServer
    webhook: WebhookReceiver
    config: Path
    database_url: str

    def run(self, *args: str) -> int:
        return main(["--config", str(self.config), *args])

    def serve(self, *names: str) -> None:
        self.feeds.serve("/rss", rss(self.feeds, list(names)))

    def age(self, days: int) -> None:
        """Everything stored is ``days`` older (as if the daemon had run that long ago)."""
        shift = timedelta(days=days)
        with Store.open(self.database_url) as store, store._engine.begin() as connection:
            for table, column in (
                (ArticleRow, ArticleRow.first_seen), (MatchRow, MatchRow.created),
                (DeliveryRow, DeliveryRow.created),
            ):  # fmt: skip
                key = col(table.id)  # type: ignore[attr-defined]  # each of them has an id
                for row_id, when in connection.execute(select(key, col(column))).all():
                    change = update(table).where(key == row_id).values({column: when - shift})
                    connection.execute(change)

    def count(self, table: str) -> int:
        with Store.open(self.database_url) as store, store._engine.connect() as connection:
            return int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


@pytest.fixture
def world(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with running_feed_server() as feeds, WebhookReceiver() as webhook:
        monkeypatch.setenv("TEST_WEBHOOK_URL", webhook.url)
        monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "asean.yaml").write_text(WATCHLIST, encoding="utf-8")
        config = tmp_path / "monitor.yaml"
        config.write_text(
            f"""\
database: {database_url}
web: {{listen: off}}
watchlists: ["watchlists/*.yaml"]
http:
  user_agent: "news-monitor-tests/0.1 (+https://example.org/contact)"
  allow_private_networks: true  # the test feed is served on loopback
  per_host_interval: 0s
defaults: {{every: 10m, jitter: 0s}}
sources:
  - id: wire
    feed: {feeds.url("/rss")}
    follow: false
channels:
  webhook:
    urls: ["${{TEST_WEBHOOK_URL}}"]
""",
            encoding="utf-8",
        )
        yield World(feeds, webhook, config, database_url)


def alerted(world: World) -> list[str]:
    return [hook.json()["alert"]["title"] for hook in world.webhook.received]


def test_an_old_item_still_in_the_feed_is_not_alerted_again_after_a_prune(world: World) -> None:
    """Both items are pruned at 100 days; the feed lists them still and the next poll stores
    and alerts neither; a new item is alerted."""
    world.serve("first")
    assert world.run("once") == 0  # the baseline: stored, not alerted
    world.serve("first", "second")
    assert world.run("once") == 0
    assert alerted(world) == [ITEMS["second"][0]]

    world.age(days=100)
    assert world.run("prune", "--older-than", "30") == 0
    assert world.count("article") == 0

    world.serve("second", "first")  # the feed changed (not a 304), and lists both still
    assert world.run("once") == 0
    assert world.count("article") == 0 and alerted(world) == [ITEMS["second"][0]]
    world.serve("first", "second", "third")
    assert world.run("once") == 0
    assert alerted(world) == [ITEMS["second"][0], ITEMS["third"][0]]


def test_prune_prints_counts_a_dry_run_deletes_nothing_bad_days_are_usage_errors(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """The dry run prints what would go and leaves it; the prune prints the same and deletes;
    ``--older-than`` must be a whole number of days from 1 (exit 2, as every usage error)."""
    world.serve("first")
    assert world.run("once") == 0
    world.serve("first", "second")
    assert world.run("once") == 0
    world.age(days=100)
    capsys.readouterr()

    assert world.run("prune", "--older-than", "30", "--dry-run") == 0
    dry = capsys.readouterr().out
    assert world.count("article") == 2
    assert world.run("prune", "--older-than", "30") == 0
    done = capsys.readouterr().out
    assert world.count("article") == 0

    for out in (dry, done):
        lines = [line.split() for line in out.splitlines()]
        assert ["article", "2", "(0", "with", "page", "text)"] in lines
        assert ["match", "2"] in lines and ["delivery", "1"] in lines
    assert "would delete" in dry and "dry run: nothing deleted" in dry
    assert "deleted" in done and "dry run" not in done
    for bad in ("0", "2.5", "30d"):
        with pytest.raises(SystemExit) as exited:
            world.run("prune", "--older-than", bad)
        assert exited.value.code == 2


VACUUM_LINE = re.compile(
    r"^vacuum: ([\d.,]+ (?:bytes|kB|MB|GB)) \u2192 ([\d.,]+ (?:bytes|kB|MB|GB)) \((.+)\)$",
    re.MULTILINE,
)


def test_vacuum_prints_the_size_before_and_after(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--vacuum`` prints the database's size before and after it, in plain words: the file
    and its write-ahead log on SQLite, ``pg_database_size`` on PostgreSQL (it printed nothing)."""
    world.serve("first", "second")
    assert world.run("once") == 0
    world.age(days=100)
    capsys.readouterr()
    assert world.run("prune", "--older-than", "30", "--vacuum") == 0
    found = VACUUM_LINE.search(capsys.readouterr().out)
    assert found is not None
    with Store.open(world.database_url) as store:
        assert found.group(2) == size(store.database_size())
    path = sqlite_file(world.database_url)
    if path is not None:  # rewritten and checkpointed: the file alone, smaller than before
        assert found.group(2) == size(Path(path).stat().st_size)
        assert found.group(3).endswith(" freed") and found.group(3) != "nothing freed"


@pytest.mark.parametrize(
    ("before", "after", "postgresql", "expected"),
    [
        (358_200_000, 174_000_000, False, "vacuum: 358.2 MB \u2192 174.0 MB (184.2 MB freed)"),
        (208_896, 77_824, False, "vacuum: 208.9 kB \u2192 77.8 kB (131.1 kB freed)"),
        (4096, 4096, False, "vacuum: 4.1 kB \u2192 4.1 kB (nothing freed)"),
        (
            9_000_000, 9_100_000, True,
            "vacuum: 9.0 MB \u2192 9.1 MB (nothing freed on disk: PostgreSQL reuses the space"
            " for new rows)",
        ),
        (1_234_567_890, 999_950_000, False, "vacuum: 1.2 GB \u2192 1.0 GB (234.6 MB freed)"),
        (999, 0, False, "vacuum: 999 bytes \u2192 0 bytes (999 bytes freed)"),
    ],
)  # fmt: skip
def test_vacuum_line(before: int, after: int, postgresql: bool, expected: str) -> None:
    """What ``--vacuum`` says for sizes in bytes (1 MB is 10^6 bytes, as ``du --si``)."""
    assert vacuum_line(before, after, postgresql) == expected


def _stamped(path: Path, revision: str) -> None:
    """A SQLite file migrated up to ``revision`` only (an older version's database)."""
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, revision)
    engine.dispose()


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"SQLite is not what this is, " * 8)


def _read_only(path: Path) -> None:
    Store.open(f"sqlite:///{path}").close()
    path.chmod(0o444)
    path.parent.chmod(0o555)


def _lock_cannot_be_made(path: Path) -> None:
    """The lock file beside it cannot be opened, not for want of permission (EROFS on a
    read-only mount, found by hand, takes the same path; a folder in its way is testable)."""
    _stamped(path, "0012")
    lock = Path(f"{path}-migrate.lock")
    lock.unlink()
    lock.mkdir()


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (Path.touch, f"is at schema none, this version needs {HEAD}"),
        (lambda path: _stamped(path, "0012"), f"is at schema 0012, this version needs {HEAD}"),
        (lambda path: _stamped(path, "0001"), f"is at schema 0001, this version needs {HEAD}"),
        (_not_a_database, "file is not a database"),
        (Path.mkdir, "no database at"),
        pytest.param(
            _read_only, "attempt to write a readonly database",
            marks=pytest.mark.skipif(
                os.geteuid() == 0, reason="file modes do not stop root from writing"
            ),
        ),
        (_lock_cannot_be_made, f"is at schema 0012, this version needs {HEAD}"),
    ],
    ids=["empty", "at-0012", "at-0001", "not-sqlite", "folder", "read-only", "lock-in-the-way"],
)  # fmt: skip
def test_prune_on_a_database_it_cannot_use_is_exit_3_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, problem: str
) -> None:
    """The README's exit code for a database problem, and one line naming it, never a
    traceback (a tester saw exit 1 on an old database: a lock file that could not be made)."""
    folder = tmp_path / "data"
    folder.mkdir()
    make(folder / "monitor.db")
    try:
        assert _prune(tmp_path, f"sqlite:///{folder / 'monitor.db'}") == 3
    finally:
        folder.chmod(0o755)
    err = capsys.readouterr().err
    assert err.startswith("database error: ") and problem in err
    assert err.count("\n") == 1, err


@pytest.mark.postgres
def test_prune_on_an_older_postgresql_schema_is_exit_3_and_one_line(
    tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """As on SQLite: migrated by an older version, the database is not pruned (exit 3)."""
    engine = create_engine(postgres_url)
    upgrade(engine, "0012")
    engine.dispose()
    assert _prune(tmp_path, postgres_url) == 3
    err = capsys.readouterr().err
    assert err.startswith("database error: ") and err.count("\n") == 1, err
    assert f"is at schema 0012, this version needs {HEAD}" in err


def _prune(folder: Path, database_url: str) -> int:
    config = folder / "monitor.yaml"
    config.write_text(
        f"database: {database_url}\nweb: {{listen: off}}\nwatchlists: []\n"
        'http: {user_agent: "news-monitor-tests/0.1 (+https://example.org/contact)"}\n',
        encoding="utf-8",
    )
    return main(["--config", str(config), "prune", "--older-than", "30"])
