"""Tests of monitor.store on a SQLite file and on PostgreSQL (the ``database_url`` fixture)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, DateTime, bindparam, event, inspect, text

from monitor.errors import StoreError
from monitor.snippet import article_snippet, matched_words
from monitor.store import (
    NO_LANGUAGE,
    ArticlePage,
    Candidate,
    MatchFilter,
    MatchOrder,
    NewArticle,
    NewDigest,
    Placing,
    SourceState,
    Store,
    _convert,
    _engine,
)
from monitor.store._tables import metadata
from monitor.story import band_keys, fingerprint, story_for
from monitor.types import Hit, Item, Match, Validators
from tests import hostile
from tests.test_story import COPY, OTHER, SEED_TEXT

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TABLES = {"source", "article", "match", "delivery"}


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store.open(database_url) as opened:
        yield opened


def state(source_id: str = "src-a", **changes: object) -> SourceState:
    base = SourceState(
        source_id=source_id,
        url=f"https://{source_id}.example/feed",
        validators=Validators(etag='"v1"', last_modified="Sat, 01 Mar 2025 12:00:00 GMT"),
        last_check=T0,
        next_check=T0 + timedelta(minutes=10),
        last_success=T0,
        failures=0,
        last_error=None,
        items_seen=1,
        status="ok",
        baselined=True,
    )
    # ``changes`` are SourceState fields of mixed types; replace() checks the names at run time
    return replace(base, **changes)  # type: ignore[arg-type]


def article(
    key: str,
    *,
    source_id: str = "src-a",
    topics: tuple[tuple[str, tuple[str, ...]], ...] = (("asean", ("chat", "mail")),),
    notify: bool = True,
    published: datetime | None = T0,
    summary: str = "Summary of the article.",
) -> NewArticle:
    item = Item(
        key=key,
        url=key,
        guid=None,
        title=f"Title of {key}",
        summary=summary,
        published=published,
        author="A. Writer",
        language="en",
    )
    hits = (Hit(term="ASEAN", field="title", position=2, matched="ASEAN"),)
    matches = tuple(
        (Match(topic=topic, score=0.75, hits=hits), f"Topic {topic}", channels)
        for topic, channels in topics
    )
    return NewArticle(
        item=item,
        source_id=source_id,
        source_name=f"Source {source_id}",
        matches=matches,
        notify=notify,
    )


def head_revision() -> str:
    # the script directory needs no database: no connection, though the parameter wants one
    script = ScriptDirectory.from_config(_engine.alembic_config(connection=None))  # type: ignore[arg-type]
    head = script.get_current_head()
    assert head is not None
    return head


def db_revision(url: str) -> str | None:
    engine = _engine.create(_engine.parse_url(url))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = _engine.create(_engine.parse_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_sessions_end_when_idle_and_a_new_one_takes_over(postgres_url: str) -> None:
    """A node's connections ask the server to end them once idle for 10 minutes (so idle
    nodes do not hold connections for good); one the server ended is replaced unseen."""
    engine = _engine.create(_engine.parse_url(postgres_url))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW idle_session_timeout")).scalar() == "10min"
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        # the pool keeps it; the server ends it (as after 10 idle minutes), the pool asks again
        ender = _engine.create(_engine.parse_url(postgres_url))
        with ender.connect() as outside:
            outside.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        ender.dispose()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()


# --- migrations ---------------------------------------------------------------------------------


def test_fresh_database_migrates_to_head(database_url: str) -> None:
    """Opening an empty database creates every table at the head revision."""
    Store.open(database_url).close()
    assert db_revision(database_url) == head_revision()
    assert table_names(database_url) >= TABLES


def test_open_twice_keeps_data(database_url: str) -> None:
    """A second open finds the schema at head and leaves the data alone."""
    with Store.open(database_url) as first:
        first.save_poll(state(), [article("https://a.example/1")], T0)
    with Store.open(database_url) as second:
        assert len(list(second.stored_articles())) == 1
    assert db_revision(database_url) == head_revision()


def test_upgrade_from_empty_revision_history(database_url: str) -> None:
    """After a downgrade to base (empty alembic_version), open upgrades again."""
    Store.open(database_url).close()
    engine = _engine.create(_engine.parse_url(database_url))
    with engine.begin() as connection:
        command.downgrade(_engine.alembic_config(connection), "base")
    engine.dispose()
    assert db_revision(database_url) is None
    assert not TABLES & table_names(database_url)
    with Store.open(database_url) as store:
        assert len(list(store.stored_articles())) == 0
    assert db_revision(database_url) == head_revision()


def test_upgrade_keeps_data_written_by_the_first_schema(database_url: str) -> None:
    """A database with rows written at revision 0001 upgrades to head with its data intact."""
    engine = _engine.create(_engine.parse_url(database_url))
    _engine.upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO source (id, url, failures, items_seen, status, baselined)"
                " VALUES ('old', 'https://old.example/feed', 2, 7, 'failing', :yes)"
            ),
            {"yes": True},
        )
        connection.execute(
            text(
                "INSERT INTO article"
                " (key, url, title, summary, source_id, source_name, first_seen) VALUES"
                " ('https://old.example/a', 'https://old.example/a', 'Old', '', 'old', 'Old',"
                " :seen)"
            ).bindparams(bindparam("seen", type_=DateTime())),
            {"seen": T0.replace(tzinfo=None)},
        )
    engine.dispose()
    with Store.open(database_url) as store:
        old = store.source_state("old")
        assert old is not None
        expected = ("https://old.example/feed", 2, 7, "failing")
        assert (old.url, old.failures, old.items_seen, old.status) == expected
        assert store.unseen_keys(["https://old.example/a", "https://new.example/b"]) == {
            "https://new.example/b"
        }
    assert db_revision(database_url) == head_revision()


def test_sources_stored_at_0009_upgrade_without_a_warning(database_url: str) -> None:
    """Migration 0010: sources stored at 0009 keep their state, have no warning until a poll
    reads them, and take one; a downgrade to 0009 drops the column again."""
    engine = _engine.create(_engine.parse_url(database_url))
    _engine.upgrade(engine, "0009")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO source (id, url, failures, items_seen, status, baselined,"
                " last_error) VALUES ('old', 'https://old.example/feed', 0, 7, 'ok', :yes, NULL)"
            ),
            {"yes": True},
        )
    engine.dispose()
    with Store.open(database_url) as store:
        old = store.source_state("old")
        assert old is not None
        assert (old.url, old.items_seen, old.status, old.warning) == (
            "https://old.example/feed", 7, "ok", None
        )  # fmt: skip
        store.save_source_state(replace(old, warning="no article links found"))
        assert [s.warning for s in store.source_states()] == ["no article links found"]
    assert db_revision(database_url) == head_revision()
    engine = _engine.create(_engine.parse_url(database_url))
    with engine.begin() as connection:
        command.downgrade(_engine.alembic_config(connection), "0009")
    columns = {c["name"] for c in inspect(engine).get_columns("source")}
    engine.dispose()
    assert "warning" not in columns and "reported_at" in columns


def test_matches_stored_at_0011_take_their_articles_source_and_language(database_url: str) -> None:
    """Migration 0012: matches stored at 0011 get their article's source and language, which the
    dashboard's filters read from indexes in page order; ``ix_match_created`` (a prefix of
    ``ix_match_created_id``) is dropped; a downgrade to 0011 restores the old schema."""
    engine = _engine.create(_engine.parse_url(database_url))
    _engine.upgrade(engine, "0011")
    insert_article = text(
        "INSERT INTO article (id, key, title, summary, language, source_id, source_name,"
        " first_seen) VALUES (:id, :key, 'T', '', :language, :source, 'S', :seen)"
    ).bindparams(bindparam("seen", type_=DateTime()))
    insert_match = text(
        'INSERT INTO "match" (article_id, topic_id, topic_name, score, hits, created)'
        " VALUES (:id, 'asean', 'ASEAN', 0.5, '[]', :seen)"
    ).bindparams(bindparam("seen", type_=DateTime()))
    old = [(1, "old-a", "th"), (2, "old-b", None)]
    with engine.begin() as connection:
        for article_id, source, language in old:
            values = {"id": article_id, "source": source, "language": language}
            seen = {"seen": T0.replace(tzinfo=None)}
            connection.execute(insert_article, {**values, "key": f"k{article_id}", **seen})
            connection.execute(insert_match, {"id": article_id, **seen})
    engine.dispose()
    with Store.open(database_url) as store:
        by_source = store.match_page(MatchFilter(source="old-a"))
        assert [(m.match.source_id, m.language) for m in by_source] == [("old-a", "th")]
        by_language = store.match_page(MatchFilter(language="th"))
        assert [m.match.article_key for m in by_language] == ["k1"]
        assert len(store.match_page(MatchFilter())) == 2
    engine = _engine.create(_engine.parse_url(database_url))
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("match")}
    assert indexes["ix_match_source_created_id"] == ["source_id", "created", "id"]
    assert indexes["ix_match_language_created_id"] == ["language", "created", "id"]
    assert "ix_match_created" not in indexes
    with engine.begin() as connection:
        command.downgrade(_engine.alembic_config(connection), "0011")
    columns = {c["name"] for c in inspect(engine).get_columns("match")}
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("match")}
    engine.dispose()
    assert not {"source_id", "language"} & columns
    assert indexes["ix_match_created"] == ["created"]


def test_filtered_pages_read_the_match_indexes(sqlite_url: str) -> None:
    """A page filtered by source or language is read from its index in page order, not by
    scanning every match newest first and looking up each one's article (SQLite's plan)."""
    with Store.open(sqlite_url) as store:
        store.save_poll(state(), [article("https://a.example/1")], T0)
        executed: list[tuple[str, Any]] = []
        event.listen(
            store._engine, "before_cursor_execute", lambda *a: executed.append((a[2], a[3]))
        )
        for where, index in (
            (MatchFilter(source="src-a"), "ix_match_source_created_id"),
            (MatchFilter(language="en"), "ix_match_language_created_id"),
        ):
            executed.clear()
            assert len(store.match_page(where)) == 1
            page, parameters = next((s, p) for s, p in executed if "ORDER BY" in s)
            with store._engine.connect() as connection:
                plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + page, parameters)
                details = " | ".join(row[-1] for row in plan)
            assert f"SEARCH match USING INDEX {index}" in details, details
            assert "TEMP B-TREE" not in details, details  # no sort: the index gives the order


def test_matches_stored_at_0013_take_their_articles_published_time(database_url: str) -> None:
    """Migration 0014: matches stored at 0013 get their article's published time (NULL when
    it gives none), which the list by published time reads from its indexes; a downgrade to
    0013 drops the column and the indexes again."""
    engine = _engine.create(_engine.parse_url(database_url))
    _engine.upgrade(engine, "0013")
    insert_article = text(
        "INSERT INTO article (id, key, title, summary, source_id, source_name, first_seen,"
        " published) VALUES (:id, :key, 'T', '', 's', 'S', :seen, :published)"
    ).bindparams(bindparam("seen", type_=DateTime()), bindparam("published", type_=DateTime()))
    insert_match = text(
        'INSERT INTO "match" (article_id, topic_id, topic_name, score, hits, created)'
        " VALUES (:id, 'asean', 'ASEAN', 0.5, '[]', :seen)"
    ).bindparams(bindparam("seen", type_=DateTime()))
    seen = T0.replace(tzinfo=None)
    old = [(1, seen - timedelta(days=3)), (2, None), (3, seen - timedelta(days=1))]
    with engine.begin() as connection:
        for article_id, published in old:
            values = {"id": article_id, "key": f"k{article_id}", "seen": seen}
            connection.execute(insert_article, {**values, "published": published})
            connection.execute(insert_match, {"id": article_id, "seen": seen})
    engine.dispose()
    with Store.open(database_url) as store:
        page = store.match_page(MatchFilter(), order="published")
        assert [(m.match.article_key, m.match.published) for m in page] == [
            ("k3", T0 - timedelta(days=1)), ("k1", T0 - timedelta(days=3)), ("k2", None)
        ]  # fmt: skip
    engine = _engine.create(_engine.parse_url(database_url))
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("match")}
    assert indexes["ix_match_published_id"] == ["published", "id"]
    assert indexes["ix_match_language_published_id"] == ["language", "published", "id"]
    with engine.begin() as connection:
        command.downgrade(_engine.alembic_config(connection), "0013")
    columns = {c["name"] for c in inspect(engine).get_columns("match")}
    indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("match")}
    engine.dispose()
    assert "published" not in columns and not [n for n in indexes if "published" in (n or "")]


@pytest.mark.parametrize(
    ("where", "index"),
    [
        (MatchFilter(), "ix_match_published_id"),
        (MatchFilter(topic="asean"), "ix_match_topic_published_id"),
        (MatchFilter(source="src-a"), "ix_match_source_published_id"),
        (MatchFilter(language="en"), "ix_match_language_published_id"),
    ],
)
def test_pages_by_published_time_read_the_match_indexes(
    sqlite_url: str, where: MatchFilter, index: str
) -> None:
    """Both parts of a page by published time (the dated, then the undated) are read from an
    index in page order, alone or under a filter: no sort of the matches (SQLite's plan)."""
    with Store.open(sqlite_url) as store:
        store.save_poll(state(), [article("https://a.example/1", published=None)], T0)
        executed: list[tuple[str, Any]] = []
        event.listen(
            store._engine, "before_cursor_execute", lambda *a: executed.append((a[2], a[3]))
        )
        assert len(store.match_page(where, order="published")) == 1
        pages = [(s, p) for s, p in executed if "LIMIT" in s]
        assert len(pages) == 2  # nothing dated: the undated part is read too
        for page, parameters in pages:
            with store._engine.connect() as connection:
                plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + page, parameters)
                details = " | ".join(row[-1] for row in plan)
            assert f"SEARCH match USING INDEX {index}" in details, details
            assert "TEMP B-TREE" not in details, details


def _plan(connection: Connection, statement: str, parameters: Any) -> str:
    """The database's plan of ``statement``, one line (SQLite's details, PostgreSQL's nodes)."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return " | ".join(row[-1] for row in rows)
    # a few rows: without these PostgreSQL reads the whole table, whatever the indexes
    connection.exec_driver_sql("SET enable_seqscan = off")
    connection.exec_driver_sql("SET enable_bitmapscan = off")
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
    return " | ".join(row[0].strip() for row in rows)


@pytest.mark.parametrize("order", ["matched", "published"])
def test_matches_with_no_language_are_read_from_the_language_index(
    database_url: str, order: MatchOrder
) -> None:
    """``MatchFilter(language=NO_LANGUAGE)`` lists the matches whose article has no language
    (NULL), read from the language index in page order on both databases: PostgreSQL does not
    sort them (it reads ``IS NULL`` as no equality, and would sort every such match)."""
    with Store.open(database_url) as store:
        english, unknown, undated = (article(f"https://a.example/{n}") for n in range(3))
        unknown = replace(unknown, item=replace(unknown.item, language=None))
        undated = replace(undated, item=replace(undated.item, language=None, published=None))
        store.save_poll(state(), [english, unknown, undated], T0)
        executed: list[tuple[str, Any]] = []
        event.listen(
            store._engine, "before_cursor_execute", lambda *a: executed.append((a[2], a[3]))
        )
        page = store.match_page(MatchFilter(language=NO_LANGUAGE), order=order)
        assert sorted(m.match.article_key for m in page) == [
            "https://a.example/1", "https://a.example/2"
        ]  # fmt: skip
        index = f"ix_match_language_{'created' if order == 'matched' else 'published'}_id"
        pages = [(s, p) for s, p in executed if "LIMIT" in s]
        assert len(pages) == (1 if order == "matched" else 2)
        for statement, parameters in pages:
            with store._engine.connect() as connection:
                details = _plan(connection, statement, parameters)
            assert index in details, details
            assert "TEMP B-TREE" not in details and "Sort" not in details, details


def test_an_upgrade_logs_before_and_after_with_the_time_taken(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A migration may take long: one line before, one after with its time (from the clock
    given); a new database says it is created; a current one logs nothing."""
    ticks = iter([10.0, 12.5, 20.0, 31.0])
    head = _engine._scripts().get_current_head()
    engine = _engine.create(_engine.parse_url(sqlite_url))
    caplog.set_level(logging.INFO, logger="monitor.store")
    try:
        _engine.upgrade(engine, "0013", clock=lambda: next(ticks))
        _engine.upgrade(engine, clock=lambda: next(ticks))
        _engine.upgrade(engine, clock=lambda: next(ticks))  # current: no clock read, no line
    finally:
        engine.dispose()
    assert [r.getMessage() for r in caplog.records if r.name == "monitor.store"] == [
        "store: creating the database schema (0013) ...",
        "store: creating the database schema (0013): done in 2.5 s",
        f"store: upgrading the database schema from 0013 to {head} ...",
        f"store: upgrading the database schema from 0013 to {head}: done in 11.0 s",
    ]


def test_migrations_agree_with_tables(database_url: str) -> None:
    """The schema the migrations build is the one the table classes describe."""
    Store.open(database_url).close()
    engine = _engine.create(_engine.parse_url(database_url))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_database_newer_than_code_is_a_store_error(sqlite_url: str) -> None:
    """A revision this version does not know (a newer monitor wrote it) is refused clearly."""
    Store.open(sqlite_url).close()
    engine = _engine.create(_engine.parse_url(sqlite_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    newer = r"at schema 9999, written by a newer version of monitor: run that version"
    for migrate in (True, False):  # the daemon's open and a reading command's say the same
        with pytest.raises(StoreError, match=newer):
            Store.open(sqlite_url, migrate=migrate)


# --- opening ------------------------------------------------------------------------------------


def test_sqlite_pragmas_and_parent_folder(tmp_path: Path) -> None:
    """A SQLite file gets its folder created, WAL, a busy timeout and enforced foreign keys."""
    url = f"sqlite:///{tmp_path / 'data' / 'deep' / 'monitor.db'}"
    Store.open(url).close()
    assert (tmp_path / "data" / "deep" / "monitor.db").is_file()
    engine = _engine.create(_engine.parse_url(url))
    with engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }
    engine.dispose()
    assert pragma == {"journal_mode": "wal", "busy_timeout": 5000, "foreign_keys": 1}


def test_unreachable_database_error_hides_password() -> None:
    """Connection refused -> StoreError naming the host, never the password."""
    with pytest.raises(StoreError) as caught:
        Store.open("postgresql+psycopg://u:SECRETPW@127.0.0.1:1/x")
    message = str(caught.value)
    assert "SECRETPW" not in message
    assert "127.0.0.1" in message


@pytest.mark.parametrize(
    "url",
    [
        "not a url at all SECRETPW",
        "mysql://u:SECRETPW@127.0.0.1/x",
        "postgresql+psycopg://u:SECRETPW@127.0.0.1:notaport/x",
    ],
)
def test_bad_url_is_a_store_error_without_password(url: str) -> None:
    """Unparseable or unsupported URLs -> StoreError, password not echoed."""
    with pytest.raises(StoreError) as caught:
        Store.open(url)
    assert "SECRETPW" not in str(caught.value)


def test_plain_postgresql_url_uses_psycopg() -> None:
    """``postgresql://`` means the psycopg 3 driver we ship, not psycopg2."""
    assert _engine.parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


# --- saving polls -------------------------------------------------------------------------------


def test_save_poll_stores_articles_matches_and_deliveries(store: Store) -> None:
    """Two new articles, one topic each, two channels: 2 articles, 2 matches, 4 deliveries."""
    saved = store.save_poll(
        state(), [article("https://a.example/1"), article("https://a.example/2")], T0
    )
    assert (saved.new_articles, saved.new_matches, saved.new_deliveries) == (2, 2, 4)
    assert len(list(store.stored_articles())) == 2
    assert len(list(store.matches())) == 2
    assert [d.status for d in store.deliveries()] == ["pending"] * 4
    assert store.source_state("src-a") == state()


def test_save_poll_is_one_transaction(store: Store) -> None:
    """A value that fails late (a naive datetime in the last article) leaves nothing behind."""
    bad = article("https://a.example/3", published=datetime(2025, 3, 1, 12, 0))
    good = [article("https://a.example/1"), article("https://a.example/2")]
    with pytest.raises(StoreError, match="naive datetime"):
        store.save_poll(state(), [*good, bad], T0)
    assert len(list(store.stored_articles())) == 0
    assert store.queue_sizes()["deliveries_pending"] == 0
    assert store.source_state("src-a") is None


def test_same_key_in_one_poll_is_stored_once(store: Store) -> None:
    """A feed listing one item twice stores and notifies it once."""
    saved = store.save_poll(state(), [article("https://a.example/1")] * 2, T0)
    assert (saved.new_articles, saved.new_matches, saved.new_deliveries) == (1, 1, 2)


def test_same_key_in_two_polls_is_stored_once(store: Store) -> None:
    """The second poll carrying a stored key adds nothing."""
    store.save_poll(state(), [article("https://a.example/1")], T0)
    again = store.save_poll(state(), [article("https://a.example/1")], T0 + timedelta(hours=1))
    assert (again.new_articles, again.new_matches, again.new_deliveries) == (0, 0, 0)
    assert store.queue_sizes()["deliveries_pending"] == 2


def test_same_key_from_two_sources_is_stored_once(store: Store) -> None:
    """Whichever source stores an article first owns it; the other adds no match or delivery."""
    store.save_poll(state("src-a"), [article("https://x.example/1", source_id="src-a")], T0)
    other = article(
        "https://x.example/1",
        source_id="src-b",
        topics=(("asean", ("chat",)), ("other", ("chat",))),
    )
    saved = store.save_poll(state("src-b"), [other], T0)
    assert (saved.new_articles, saved.new_matches, saved.new_deliveries) == (0, 0, 0)
    assert [m.source_id for m in store.matches()] == ["src-a"]
    assert [s.source_id for s in store.source_states()] == ["src-a", "src-b"]


def test_concurrent_polls_of_one_article_store_it_once(store: Store) -> None:
    """Eight threads saving the same article at once: one article, one delivery per channel."""
    barrier = threading.Barrier(8)
    results = []

    def poll(n: int) -> None:
        barrier.wait()
        new = article("https://x.example/race", source_id=f"src-{n}")
        results.append(store.save_poll(state(f"src-{n}"), [new], T0))

    threads = [threading.Thread(target=poll, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.new_articles for r in results) == [0] * 7 + [1]
    assert store.queue_sizes()["deliveries_pending"] == 2
    assert len(store.source_states()) == 8


def test_baseline_poll_stores_matches_without_deliveries(store: Store) -> None:
    """notify=False (a source's first poll) keeps the matches and announces nothing."""
    saved = store.save_poll(state(), [article("https://a.example/1", notify=False)], T0)
    assert (saved.new_articles, saved.new_matches, saved.new_deliveries) == (1, 1, 0)
    assert store.deliveries() == []
    assert len(list(store.matches())) == 1


def test_duplicate_channels_give_one_delivery(store: Store) -> None:
    """A channel named twice for a match still gets one delivery."""
    new = article("https://a.example/1", topics=(("asean", ("chat", "chat")),))
    assert store.save_poll(state(), [new], T0).new_deliveries == 1


def test_unseen_keys(store: Store) -> None:
    """Stored keys are filtered out, across more keys than one query takes."""
    store.save_poll(state(), [article("https://a.example/1"), article("https://a.example/7")], T0)
    keys = [f"https://a.example/{n}" for n in range(1200)]
    expected = set(keys) - {"https://a.example/1", "https://a.example/7"}
    assert store.unseen_keys(keys) == expected
    assert store.unseen_keys([]) == set()


def test_save_source_state_upserts(store: Store) -> None:
    """A failed poll's state replaces the stored one field by field."""
    store.save_source_state(state())
    failing = state(
        failures=3, last_error="timeout: read", status="failing", validators=Validators()
    )
    store.save_source_state(failing)
    assert store.source_state("src-a") == failing
    assert store.source_state("nope") is None


# --- deliveries ---------------------------------------------------------------------------------


def test_channel_queue_order_and_filter(store: Store) -> None:
    """Only deliveries due by ``now``, the oldest first, with the alert built from the article."""
    for minutes, key in ((20, "late"), (0, "first"), (10, "second")):
        new = article(f"https://a.example/{key}", topics=(("asean", ("chat",)),))
        store.save_poll(state(), [new], T0 + timedelta(minutes=minutes))
    due = store.channel_queue("chat", T0 + timedelta(minutes=10))
    assert [d.alert.url for d in due] == ["https://a.example/first", "https://a.example/second"]
    assert [d.delivery_id for d in due] == [
        _convert.delivery_id("https://a.example/first", "asean", "chat"),
        _convert.delivery_id("https://a.example/second", "asean", "chat"),
    ]
    alert = due[0].alert
    assert (alert.topic_name, alert.source, alert.score) == ("Topic asean", "Source src-a", 0.75)
    assert alert.hits == (Hit(term="ASEAN", field="title", position=2, matched="ASEAN"),)
    assert len(store.channel_queue("chat", T0 + timedelta(minutes=30), limit=1)) == 1


def test_failed_attempt_then_sent(store: Store) -> None:
    """A failure counts an attempt and defers; sending ends the pending life of a delivery."""
    store.save_poll(state(), [article("https://a.example/1", topics=(("asean", ("chat",)),))], T0)
    [due] = store.channel_queue("chat", T0)
    retry = T0 + timedelta(minutes=5)
    store.mark_attempt_failed([due.delivery_id], "http 503\nfrom chat", retry, T0)
    assert store.channel_queue("chat", T0 + timedelta(minutes=4)) == []
    [again] = store.channel_queue("chat", retry)
    assert again.attempts == 1
    [record] = store.deliveries("pending")
    assert (record.last_error, record.last_attempt) == ("http 503 from chat", T0)
    store.mark_sent(due.delivery_id, retry)
    assert store.channel_queue("chat", retry + timedelta(days=1)) == []
    [sent] = store.deliveries("sent")
    assert (sent.sent_at, sent.attempts) == (retry, 1)


def test_mark_dead(store: Store) -> None:
    """A dead delivery is never due again and is listed as dead."""
    store.save_poll(state(), [article("https://a.example/1", topics=(("asean", ("chat",)),))], T0)
    [due] = store.channel_queue("chat", T0)
    store.mark_dead_many([due.delivery_id], "401 unauthorized", T0)
    assert store.channel_queue("chat", T0 + timedelta(days=1)) == []
    assert store.queue_sizes()["deliveries_dead"] == 1
    assert [d.status for d in store.deliveries()] == ["dead"]


def test_queue_sizes_count_only_queued_deliveries(store: Store) -> None:
    """``/metrics``'s gauges count pending and dead deliveries with one statement on the
    delivery table's status, never the sent history nor the articles and matches."""
    topics = (("asean", ("chat", "mail")),)
    store.save_poll(state(), [article(f"https://a.example/{i}", topics=topics) for i in (1, 2)], T0)
    first, second = store.channel_queue("chat", T0)
    store.mark_sent(first.delivery_id, T0)
    store.mark_dead_many([second.delivery_id], "401 unauthorized", T0)
    statements: list[str] = []
    event.listen(store._engine, "before_cursor_execute", lambda *a: statements.append(str(a[2])))
    assert store.queue_sizes() == {"deliveries_pending": 2, "deliveries_dead": 1}
    [counting] = statements
    assert "FROM delivery WHERE delivery.status IN" in " ".join(counting.split())
    assert "article" not in counting and "match" not in counting


def test_marking_an_unknown_delivery_is_an_error(store: Store) -> None:
    with pytest.raises(StoreError, match="no delivery"):
        store.mark_sent("0" * 24, T0)


def test_deliveries_newest_first_and_by_status(store: Store) -> None:
    """``deliveries()`` lists newest first; a status filter narrows it."""
    store.save_poll(state(), [article("https://a.example/old", topics=(("t", ("chat",)),))], T0)
    later = T0 + timedelta(hours=1)
    store.save_poll(state(), [article("https://a.example/new", topics=(("t", ("chat",)),))], later)
    assert [d.url for d in store.deliveries()] == ["https://a.example/new", "https://a.example/old"]
    store.mark_sent(store.deliveries()[0].delivery_id, later)
    assert [d.url for d in store.deliveries("pending")] == ["https://a.example/old"]
    assert store.deliveries(limit=1)[0].url == "https://a.example/new"


# --- matches and time ---------------------------------------------------------------------------


def test_matches_filters_and_order(store: Store) -> None:
    """Newest first; by topic id; since is inclusive; limit caps."""
    two_topics = (("asean", ("chat",)), ("energy", ("chat",)))
    store.save_poll(state(), [article("https://a.example/1", topics=two_topics)], T0)
    store.save_poll(state(), [article("https://a.example/2")], T0 + timedelta(hours=1))
    assert [(m.article_key, m.topic_id) for m in store.matches(topic="asean")] == [
        ("https://a.example/2", "asean"),
        ("https://a.example/1", "asean"),
    ]
    assert [m.topic_id for m in store.matches(topic="energy")] == ["energy"]
    assert [m.article_key for m in store.matches(since=T0 + timedelta(hours=1))] == [
        "https://a.example/2"
    ]
    assert len(list(store.matches(limit=2))) == 2
    assert len(list(store.matches())) == 3


def test_a_lazy_reader_read_after_its_store_closed_is_an_error(database_url: str) -> None:
    """``matches`` and ``stored_articles`` read a page at a time: read past the ``with`` block
    they raise, instead of opening a connection on the closed store (the ResourceWarning
    flake)."""
    with Store.open(database_url) as store:
        store.save_poll(state(), [article("https://a.example/1")], T0)
        matches, articles = store.matches(), store.stored_articles()
    with pytest.raises(ValueError, match="reading matches: the store is closed"):
        next(matches)
    with pytest.raises(ValueError, match="reading articles: the store is closed"):
        next(articles)


def test_matches_are_read_in_pages_without_the_articles_text(store: Store) -> None:
    """Pages of any size give the same matches in the same order (ties on ``created`` broken
    by id, newest first), each page one query that reads no article text or summary."""
    two_topics = (("asean", ("chat",)), ("energy", ("chat",)))
    for hour in range(3):
        keys = [f"https://a.example/{hour}-{i}" for i in range(2)]
        polled = [article(key, topics=two_topics) for key in keys]
        store.save_poll(state(), polled, T0 + timedelta(hours=hour))
    everything = list(store.matches(limit=100))
    assert len(everything) == 12
    order = [(m.created, m.match_id) for m in everything]
    assert order == sorted(order, reverse=True)
    statements: list[str] = []
    event.listen(store._engine, "before_cursor_execute", lambda *a: statements.append(str(a[2])))
    assert list(store.matches(limit=100, page=5)) == everything
    assert list(store.matches(limit=7, page=3)) == everything[:7]
    assert list(store.matches(topic="energy", page=4)) == [
        m for m in everything if m.topic_id == "energy"
    ]
    pages = [s for s in statements if "JOIN article" in s]
    assert len(pages) == 3 + 3 + 2  # 5+5+2 (short: the end); 3+3+1; 4+2 (short)
    for page in pages:
        assert "article.text" not in page and "article.summary" not in page


def test_rematched_matches_carry_the_articles_source_and_language(store: Store) -> None:
    """A match stored by ``monitor rematch`` is found by the dashboard's source and language
    filters like one stored by a poll (both copy them from the article)."""
    store.save_poll(state(), [article("https://a.example/1")], T0)
    [stored] = store.stored_articles()
    energy = Match(topic="energy", score=0.6, hits=())
    store.save_rematch(stored, [(energy, "Energy", ())], notify=False, now=T0)
    found = store.match_page(MatchFilter(source="src-a", language="en"))
    assert sorted(m.match.topic_id for m in found) == ["asean", "energy"]


def test_datetimes_round_trip_as_utc(store: Store) -> None:
    """An aware time in any zone comes back as the same instant, in UTC."""
    jakarta = timezone(timedelta(hours=7))
    published = datetime(2025, 3, 1, 19, 30, 15, 123456, tzinfo=jakarta)
    store.save_poll(
        state(last_check=published), [article("https://a.example/1", published=published)], T0
    )
    [match] = store.matches()
    assert match.published == published
    assert match.published is not None and match.published.tzinfo == UTC
    assert match.created == T0 and match.created.tzinfo == UTC
    stored = store.source_state("src-a")
    assert stored is not None and stored.last_check == published and stored.last_check.tzinfo == UTC


def test_naive_datetime_is_refused(store: Store) -> None:
    """A naive datetime is a bug in the caller: StoreError, not a silent local-time guess."""
    with pytest.raises(StoreError, match="naive"):
        store.channel_queue("chat", datetime(2025, 3, 1, 12, 0))


# --- pure helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "form"),
    [({"form": "Росси*"}, "Росси*"), ({"form": None}, ""), ({"form": ""}, ""), ({}, "")],
)
def test_stored_hit_forms_read_back(stored: dict[str, str | None], form: str) -> None:
    """A stored form reads back as written; null (written now), "" (older rows) and
    none at all (before forms were recorded) are the term as written."""
    hit = Hit("Russia", "text", 3, "России", form=form)
    row = {**{k: v for k, v in hit.as_json().items() if k != "form"}, **stored}
    assert _convert.hits([row]) == (hit,)
    assert hit.as_json()["form"] == (form or None)


def test_delivery_id_is_stable_and_distinct() -> None:
    first = _convert.delivery_id("https://a.example/1", "asean", "chat")
    assert first == _convert.delivery_id("https://a.example/1", "asean", "chat")
    assert len(first) == 24
    assert first != _convert.delivery_id("https://a.example/1", "asean", "mail")


# --- story candidates -----------------------------------------------------------------------


def _printed(key: str, source_id: str, text: str) -> NewArticle:
    print_ = fingerprint(text)
    assert print_ is not None
    page = ArticlePage(text=text, story_id=key, fingerprint=print_, bands=band_keys(print_))
    return replace(article(key, source_id=source_id, topics=()), page=page)


def test_story_candidates_are_other_sources_articles_sharing_a_band(store: Store) -> None:
    """A copy finds the original through the band index; its own source's and old articles,
    and articles sharing no band, are not candidates."""
    store.save_poll(state("src-a"), [_printed("https://a.example/1", "src-a", SEED_TEXT)], T0)
    store.save_poll(state("src-b"), [_printed("https://b.example/1", "src-b", OTHER)], T0)
    print_ = fingerprint(COPY)
    assert print_ is not None
    bands = band_keys(print_)
    [(story, source, stored)] = store.story_candidates(bands, T0, other_than="src-c")
    assert (story, source, stored) == ("https://a.example/1", "src-a", fingerprint(SEED_TEXT))
    assert store.story_candidates(bands, T0, other_than="src-a") == []
    assert store.story_candidates(bands, T0 + timedelta(seconds=1), other_than="src-c") == []


def _story_of(article: NewArticle, candidates: Sequence[Candidate]) -> str:
    return story_for(article.page.fingerprint, article.source_id, candidates) or article.item.key


#: place articles as the pipeline does: a copy of another source's article within a day
PLACING = Placing(T0 - timedelta(days=1), _story_of)


def stories_of(store: Store) -> dict[str, str | None]:
    """Each stored article's key and its story's id (a column no command shows)."""
    with store._engine.connect() as connection:
        rows = connection.execute(text("SELECT key, story_id FROM article")).all()
    return dict(rows)


def _unplaced(key: str, source_id: str, text: str) -> NewArticle:
    new = _printed(key, source_id, text)
    return replace(new, page=replace(new.page, story_id=None))


def test_save_poll_places_each_article_in_its_story(store: Store) -> None:
    """A copy of another source's article joins its story as the poll is saved; a different
    story, and an article without a fingerprint, do not."""
    original = _unplaced("https://a.example/1", "src-a", SEED_TEXT)
    store.save_poll(state("src-a"), [original], T0, PLACING)
    copy = _unplaced("https://b.example/copy", "src-b", COPY)
    other = _unplaced("https://b.example/other", "src-b", OTHER)
    plain = article("https://b.example/plain", source_id="src-b", topics=())
    store.save_poll(state("src-b"), [copy, other, plain], T0, PLACING)
    assert stories_of(store) == {
        "https://a.example/1": "https://a.example/1",
        "https://b.example/copy": "https://a.example/1",
        "https://b.example/other": "https://b.example/other",
        "https://b.example/plain": None,
    }


def test_a_poll_saves_its_articles_by_story_then_key(store: Store) -> None:
    """Whatever the feed's order: two nodes saving polls at once take the rows' locks in one
    order, so neither waits for the other both ways (a deadlock)."""
    keys = ["https://b.example/2", "https://b.example/1", "https://a.example/3"]
    store.save_poll(state("src-b"), [article(key, source_id="src-b") for key in keys], T0)
    with store._engine.connect() as connection:
        saved = connection.execute(text("SELECT key FROM article ORDER BY id")).scalars().all()
    assert saved == sorted(keys)


def test_queued_alerts_name_the_other_outlets_of_their_story(store: Store) -> None:
    """A copy from another source that joined the story after the match was stored is named
    in the alert ("Also in"), queued alone or in a digest left open, as on the dashboard."""
    original = _copy_of("https://a.example/orig", "src-a", SEED_TEXT)
    store.save_poll(state("src-a"), [original], T0, PLACING)
    store.save_poll(
        state("src-b"), [_copy_of("https://b.example/copy", "src-b", COPY)], T0, PLACING
    )
    [queued] = store.channel_queue("chat", T0)
    assert queued.alert.also_in == ("Source src-b",)
    store.compose_digests("chat", [NewDigest("dg-1", "backlog", (queued.delivery_id,))], T0)
    [digest] = store.open_digests("chat")
    assert [m.alert.also_in for m in digest.members] == [("Source src-b",)]


def test_a_queued_alert_has_the_snippet_of_the_page_text_else_of_the_teaser(store: Store) -> None:
    """The page's text when the item was followed (the teaser's caption is not shown), the
    feed's teaser otherwise, with its cut inside a word marked: as the dashboard shows them."""
    teaser = "Photo: a caption. Summary of the article, cut by the fe"
    followed = replace(
        article("https://a.example/1", topics=(("asean", ("chat",)),), summary=teaser),
        page=ArticlePage(text="ASEAN ministers met in Jakarta.\n\nThey agreed on a plan."),
    )
    bare = article("https://a.example/2", topics=(("asean", ("chat",)),), summary=teaser)
    store.save_poll(state(), [followed, bare], T0)
    snippets = {p.alert.url: p.alert.snippet for p in store.channel_queue("chat", T0)}
    assert snippets == {
        "https://a.example/1": "ASEAN ministers met in Jakarta. They agreed on a plan.",
        "https://a.example/2": teaser + "…",
    }
    shown = {
        d.match.url: article_snippet(d.text, d.summary, matched_words(d.match.hits))
        for d in store.match_page(MatchFilter())
    }
    assert shown == snippets


# --- the poll's rows in one batch, or one by one -------------------------------------------


def _copy_of(key: str, source_id: str, text: str, notify: bool = True) -> NewArticle:
    """An article with a fingerprint, matching ``asean`` (to the ``chat`` channel)."""
    new = _unplaced(key, source_id, text)
    matched = article(key, source_id=source_id, topics=(("asean", ("chat",)),), notify=notify)
    return replace(new, matches=matched.matches, notify=notify)


def _blank(key: str, source_id: str) -> NewArticle:
    new = article(key, source_id=source_id, topics=())
    return replace(new, item=replace(new.item, title="", summary=""))


#: (source, articles) of each poll: duplicates, a stored key, two topics, a channel named
#: twice, a copy that joins another source's story (an outlet, not a match), a blank article
#: filled in by another source, a baseline poll
POLLS = [
    ("src-a", [
        article("https://a.example/2", topics=(("asean", ("chat", "chat", "mail")), ("x", ()))),
        article("https://a.example/1"), article("https://a.example/1"),
        _copy_of("https://a.example/orig", "src-a", SEED_TEXT),
        _blank("https://z.example/b", "src-a"),
    ]),
    ("src-b", [
        _copy_of("https://b.example/copy", "src-b", COPY),
        _copy_of("https://b.example/o", "src-b", OTHER),
        article("https://a.example/1", source_id="src-b"),
        article("https://z.example/b", source_id="src-b"),
    ]),
    ("src-c", [article("https://c.example/1", source_id="src-c", notify=False)]),
]  # fmt: skip


def _poll_all(store: Store, poison: bool) -> list[tuple[int, int, int, int]]:
    """Save ``POLLS`` (each with an article the database refuses, if ``poison``): what each
    poll added, and how many articles it refused."""
    saved = []
    for n, (source_id, articles) in enumerate(POLLS):
        extra = [article(f"https://p.example/poison-{n}", source_id=source_id)] if poison else []
        done = store.save_poll(state(source_id), [*articles, *extra], T0, PLACING)
        saved.append((done.new_articles, done.new_matches, done.new_deliveries, len(done.refused)))
    return saved


def _rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row the polls added, by key rather than by number."""
    queries = {
        "article": "SELECT key, source_id, story_id, title FROM article",
        "band": "SELECT a.key, count(*) FROM story_band b JOIN article a ON a.id = b.article_id"
        " GROUP BY a.key",
        "match": "SELECT a.key, m.topic_id, m.story_id FROM match m JOIN article a"
        " ON a.id = m.article_id",
        "outlet": "SELECT a.key, o.url FROM match_outlet o JOIN match m ON m.id = o.match_id"
        " JOIN article a ON a.id = m.article_id",
        "delivery": "SELECT id, channel, status FROM delivery",
    }
    with store._engine.connect() as connection:  # a test reads rows no command shows
        return {
            name: sorted(tuple(row) for row in connection.execute(text(query)))
            for name, query in queries.items()
        }


def _wipe(store: Store) -> None:
    tables = ["delivery", "match_outlet", "match", "story_band", "article", "source"]
    with store._engine.begin() as connection:
        for table in tables:
            connection.execute(text(f"DELETE FROM {table}"))


def test_a_batch_and_one_by_one_add_the_same_rows(store: Store) -> None:
    """A poll's articles go in one statement per table; when the database refuses one of them
    the batch is undone and each article is saved on its own: the rows are the same, and only
    the refused one is missing."""
    batched = _poll_all(store, poison=False)
    rows = _rows(store)
    _wipe(store)
    hostile.refuse_keys_with(store, "poison")
    one_by_one = _poll_all(store, poison=True)
    assert [added[:3] for added in one_by_one] == [added[:3] for added in batched]
    assert [added[3] for added in one_by_one] == [1, 1, 1]
    assert _rows(store) == rows
    assert batched == [(4, 4, 5, 0), (3, 2, 3, 0), (1, 1, 0, 0)]
    assert rows["outlet"] == [("https://a.example/orig", "https://b.example/copy")]
    assert ("https://z.example/b", "src-b", None, "Title of https://z.example/b") in rows["article"]


def test_a_band_already_indexed_costs_the_batch_not_the_article(store: Store) -> None:
    """The batch indexes bands with a plain INSERT (a new article has none yet). A blank
    article that somehow has one: the batch is undone and the poll saved one by one, where
    the band it has adds nothing; nothing is refused."""
    store.save_poll(state("src-a"), [_blank("https://z.example/b", "src-a")], T0)
    filled = _copy_of("https://z.example/b", "src-b", SEED_TEXT)
    with store._engine.begin() as connection:  # a band no write of ours would have added
        connection.execute(
            text("INSERT INTO story_band (band, article_id) SELECT :band, id FROM article"),
            {"band": filled.page.bands[0]},
        )
    saved = store.save_poll(state("src-b"), [filled], T0)
    assert (saved.new_articles, saved.new_matches, saved.refused) == (1, 1, ())
    assert _rows(store)["band"] == [("https://z.example/b", len(set(filled.page.bands)))]


def test_a_refused_article_costs_only_itself(store: Store) -> None:
    """The others of its poll are saved, and the refused one is named with the database's
    reason."""
    hostile.refuse_keys_with(store, "poison")
    keys = ["https://a.example/1", "https://a.example/poison", "https://a.example/2"]
    saved = store.save_poll(state(), [article(key) for key in keys], T0)
    assert (saved.new_articles, saved.new_matches, saved.new_deliveries) == (2, 2, 4)
    [(key, why)] = saved.refused
    assert key == "https://a.example/poison" and why.startswith("store: ")
    assert "value too long for the index" in why
    assert store.unseen_keys(keys) == {"https://a.example/poison"}


def test_a_poll_takes_as_many_statements_for_ten_articles_as_for_two(store: Store) -> None:
    """One statement per table, not a few per article: each is a round trip to the server."""
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(store._engine, "before_cursor_execute", count)
    taken = []
    for n in (2, 10):
        statements.clear()
        polled = [article(f"https://a.example/{n}-{i}") for i in range(n)]
        store.save_poll(state(), [_copy_of(a.item.key, "src-a", SEED_TEXT) for a in polled], T0)
        taken.append(len(statements))
    assert taken[0] == taken[1]


def test_upgrade_indexes_old_fingerprints_then_clears_them(database_url: str) -> None:
    """0005 indexes the bands of fingerprints stored before it; 0009 (MinHash constants from
    BLAKE2b) clears them and their bands: an old fingerprint never resembles a new one."""
    engine = _engine.create(_engine.parse_url(database_url))
    _engine.upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO article (key, url, title, summary, source_id, source_name,"
                " first_seen, fingerprint, story_id) VALUES ('https://old.example/a',"
                " 'https://old.example/a', 'Old', '', 'old', 'Old', :seen, :print, 's1')"
            ).bindparams(bindparam("seen", type_=DateTime(timezone=True))),
            {"seen": T0, "print": fingerprint(SEED_TEXT)},
        )
    counts = []
    for revision in ("0005", "head"):
        _engine.upgrade(engine, revision)
        with engine.connect() as connection:
            bands = connection.execute(text("SELECT count(*) FROM story_band")).scalar_one()
            prints = connection.execute(
                text("SELECT count(*) FROM article WHERE fingerprint IS NOT NULL")
            ).scalar_one()
        counts.append((bands > 0, prints))
    engine.dispose()
    assert counts == [(True, 1), (False, 0)]


def _stored_before_0011(connection: Connection, key: str, seen: datetime, body: str | None) -> None:
    """An article as 0009 left it: a fingerprint of the old MinHash, and one of its band keys."""
    row = connection.execute(
        text(
            "INSERT INTO article (key, title, summary, source_id, source_name, first_seen, text,"
            " story_id, fingerprint) VALUES (:key, 't', '', 'src', 'Src', :seen, :body, :key,"
            " :print) RETURNING id"
        ).bindparams(bindparam("seen", type_=DateTime(timezone=True))),
        {"key": key, "seen": seen, "body": body, "print": b"\x01" * 256},
    )
    connection.execute(
        text("INSERT INTO story_band (band, article_id) VALUES (:band, :id)"),
        {"band": len(key), "id": row.scalar_one()},
    )


def test_upgrade_recomputes_the_story_windows_fingerprints_and_clears_older_ones(
    database_url: str,
) -> None:
    """0011 (independent MinHash values): the fingerprints of the 3 days before the newest
    article are recomputed from the stored text, with their band keys; older ones, and one
    without a text, are cleared, with every old band key; an article without one gets none."""
    engine = _engine.create(_engine.parse_url(database_url))
    _engine.upgrade(engine, "0009")
    with engine.begin() as connection:
        _stored_before_0011(connection, "newest", T0, SEED_TEXT)
        _stored_before_0011(connection, "two-days", T0 - timedelta(days=2), COPY)
        _stored_before_0011(connection, "four-days", T0 - timedelta(days=4), OTHER)
        _stored_before_0011(connection, "no-text", T0, None)
        connection.execute(
            text(
                "INSERT INTO article (key, title, summary, source_id, source_name, first_seen,"
                " text) VALUES ('teaser', 't', '', 'src', 'Src', :seen, :body)"
            ).bindparams(bindparam("seen", type_=DateTime(timezone=True))),
            {"seen": T0, "body": " ".join(["kata"] * 60)},
        )
    _engine.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT key, fingerprint FROM article")).all()
        prints: dict[str, bytes | None] = {key: print_ and bytes(print_) for key, print_ in rows}
        bands = connection.execute(
            text("SELECT a.key, b.band FROM story_band b JOIN article a ON a.id = b.article_id")
        ).all()
    engine.dispose()
    assert prints == {
        "newest": fingerprint(SEED_TEXT),
        "two-days": fingerprint(COPY),
        "four-days": None,
        "no-text": None,
        "teaser": None,
    }
    assert sorted(bands) == sorted(
        [("newest", band) for band in set(band_keys(fingerprint(SEED_TEXT) or b""))]
        + [("two-days", band) for band in set(band_keys(fingerprint(COPY) or b""))]
    )
