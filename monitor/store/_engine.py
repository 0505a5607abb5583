"""Opening the database: engine set-up, schema migrations, and safe error messages.

Owns: turning a database URL into a ready SQLAlchemy engine (SQLite pragmas, PostgreSQL timeouts),
running the Alembic migrations shipped in ``monitor/migrations`` from code (no ``alembic.ini``), and
turning SQLAlchemy and Alembic errors into ``StoreError`` messages that never carry a password.
Does not own: what is read or written (``_store``), the table layout (``_tables``).
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from monitor.errors import StoreError
from monitor.redact import Redactor

log = logging.getLogger("monitor.store")

#: the Alembic script folder, inside the installed package
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SUPPORTED = ("sqlite", "postgresql")
# Any constant works; it makes two processes that open one PostgreSQL database upgrade in turn.
_PG_UPGRADE_LOCK = 0x6D6F6E69
_PG_CONNECT_TIMEOUT = 10
# A transaction of ours is a few statements with no wait between them. One left open longer is
# a node paused (SIGSTOP, a VM frozen) or cut off mid-transaction: the server ends it, so its
# row locks (a lease row it was checking, a host it was reserving) do not stall the other nodes
# until it wakes; so are the story look-up's band locks (``_stories``), held by a poll's write.
_PG_IDLE_IN_TRANSACTION_MS = 15_000
# Connections kept open, and opened beyond those at the busiest (closed when handed back). A
# busy daemon runs a database call in each thread of asyncio's default executor at once (as
# many as cores + 4): with SQLAlchemy's 5 kept, the sixth opened and closed a connection over
# and over, and each new one costs the server a process and cold caches (issue 14: 23 new
# connections for 320 articles). 15 at most, as before. The one handed back last is handed
# out first: the few a node keeps busy run each statement often enough for psycopg to prepare
# it (after 5 runs on one connection), instead of every one of 10 parsing it again and again.
_PG_POOL_SIZE = 10
_PG_MAX_OVERFLOW = 5
# The pool never closes a connection it keeps, so each node would hold its busiest count open
# for good (ten nodes, 100: PostgreSQL's default max_connections). The server ends a session
# idle this long (PostgreSQL 14+); the handed-back-last-out-first pool lets the unused ones
# reach it while the busy few stay warm, and pre-ping opens a new one if an ended one is asked for.
_PG_IDLE_SESSION_MS = 600_000
_MESSAGE_MAX = 300


def parse_url(raw: str) -> URL:
    """The URL to connect to; ``postgresql://`` means psycopg 3 (the driver we ship)."""
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as e:  # ValueError: a port that is not a number
        # The parser's message quotes the whole string, password included: do not pass it on.
        raise StoreError("not a database URL: expected sqlite:///path or postgresql://...") from e
    backend = url.get_backend_name()
    if backend not in SUPPORTED:
        raise StoreError(f"unsupported database {backend!r}: use sqlite or postgresql")
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def sqlite_file(raw: str) -> str | None:
    """The file of a SQLite database URL; None for PostgreSQL and in-memory databases."""
    url = parse_url(raw)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None  # a URI filename: shared-memory and other special cases
    return str(Path(url.database).resolve())


def safe(url: URL) -> str:
    """The URL as it may appear in a message or a log line: no password, and no user name
    either (``/healthz`` shows the last error to anyone, and the log masks it so)."""
    if url.username is None:
        return url.render_as_string(hide_password=True)
    scheme, rest = url._replace(username=None, password=None).render_as_string().split("://", 1)
    return f"{scheme}://***@{rest}"


def create(url: URL, make: bool = True) -> Engine:
    """An engine for ``url`` (no connection is made yet).

    ``make=False`` is for commands that only read: a SQLite file that does not exist is an error
    (a mistyped path must not leave an empty database and its folders behind).
    """
    if url.get_backend_name() == "sqlite":
        if make:
            _make_parent(url)
        else:
            _require_file(url)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, object] = {}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = _PG_CONNECT_TIMEOUT
    if "options" not in url.query:
        connect_args["options"] = (
            f"-c idle_in_transaction_session_timeout={_PG_IDLE_IN_TRANSACTION_MS}"
        )
    # pre-ping: a long-running daemon outlives server restarts and idle-connection reapers
    engine = create_engine(
        url, pool_pre_ping=True, pool_size=_PG_POOL_SIZE, max_overflow=_PG_MAX_OVERFLOW,
        pool_use_lifo=True, connect_args=connect_args,
    )  # fmt: skip
    if "options" not in url.query:  # a URL's own options say what it wants
        event.listen(engine, "connect", _pg_idle_session_timeout)
    return engine


def _pg_idle_session_timeout(dbapi_connection: Any, _record: object) -> None:
    """Let the server end this connection once idle ``_PG_IDLE_SESSION_MS`` (where it can)."""
    if dbapi_connection.info.server_version < 140000:
        return  # no idle_session_timeout before PostgreSQL 14: kept open, as before
    with dbapi_connection.cursor() as cursor:
        cursor.execute(f"SET idle_session_timeout = {_PG_IDLE_SESSION_MS}")
    dbapi_connection.commit()


def _make_parent(url: URL) -> None:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return
    try:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"cannot create the folder of {url.database}: {e.strerror}") from e


def _require_file(url: URL) -> None:
    if _sqlite_file(url) and not Path(str(url.database)).is_file():
        raise StoreError(
            f"no database at {url.database}: `monitor once` or `monitor run` creates it"
        )


def _sqlite_file(url: URL) -> bool:
    name = url.database
    return bool(name) and name != ":memory:" and not str(name).startswith("file:")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the CLI read while the daemon writes; busy_timeout makes writers wait, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(connection: Connection) -> Config:
    """An Alembic config that runs the packaged migrations on ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(
    engine: Engine, revision: str = "head", clock: Callable[[], float] = time.monotonic
) -> None:
    """Migrate the schema to ``revision``, in one transaction (PostgreSQL DDL is transactional).

    Two processes opening one new database upgrade in turn: PostgreSQL by an advisory lock, a
    SQLite file by an exclusive lock on a file beside it (the second finds the schema current).
    A migration may take long on a big database (0014 over 100,000 matches: 11 s on SQLite,
    22 s on PostgreSQL): one log line says it starts, one how long it took; a schema already
    at ``revision`` logs nothing.
    """
    with (
        guard("migrating the database", engine.url),
        _sqlite_upgrade_lock(engine.url),
        engine.begin() as connection,
    ):
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_UPGRADE_LOCK}
            )
        current = MigrationContext.configure(connection).get_current_revision()
        _refuse_newer(current, engine.url)
        target = _scripts().get_revision(revision).revision
        if current == target:
            return
        what = (
            f"upgrading the database schema from {current} to {target}"
            if current
            else f"creating the database schema ({target})"
        )
        log.info("store: %s ...", what)
        started = clock()
        command.upgrade(alembic_config(connection), revision)
        log.info("store: %s: done in %.1f s", what, clock() - started)


def require_current(engine: Engine) -> None:
    """Fail unless the schema is at the newest revision (for commands that never migrate).

    A migration in progress (another process opening a new file) is waited for, not reported.
    """
    with (
        guard("reading the database", engine.url),
        _sqlite_upgrade_lock(engine.url, exclusive=False),
        engine.connect() as connection,
    ):
        current = MigrationContext.configure(connection).get_current_revision()
    _refuse_newer(current, engine.url)
    head = _scripts().get_current_head()
    if current != head:
        raise StoreError(
            f"the database ({safe(engine.url)}) is at schema {current or 'none'}, this version"
            f" needs {head}: start `monitor run` (or `monitor once`) to upgrade it"
        )


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def _refuse_newer(current: str | None, url: URL) -> None:
    """A schema revision this version does not know was written by a newer one: say so (Alembic
    says "Can't locate revision", and the upgrade advice would be wrong)."""
    if current is None:
        return
    try:
        _scripts().get_revision(current)
    except CommandError:
        raise StoreError(
            f"the database ({safe(url)}) is at schema {current}, written by a newer version of"
            " monitor: run that version, or restore a backup taken before it ran"
        ) from None


@contextmanager
def _sqlite_upgrade_lock(url: URL, exclusive: bool = True) -> Iterator[None]:
    """Held exclusively while migrating a SQLite file, shared while checking its schema.

    A reader who may not write beside the file (an analyst's account reading the daemon's
    database, a file on a read-only mount) reads without the shared lock: it only waits out a
    migration in progress, and nobody can migrate a file where no lock can be made."""
    if url.get_backend_name() != "sqlite" or not _sqlite_file(url):
        yield
        return
    try:
        # any OSError, not only PermissionError: a read-only file system says EROFS
        lock = open(f"{url.database}-migrate.lock", "a")  # noqa: SIM115 (closed below)
        locked = _flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)  # freed on close
    except OSError as error:
        if exclusive:
            raise StoreError(f"cannot write beside the database ({safe(url)}): {error}") from None
        yield
        return
    with locked:
        yield


def _flock(lock: IO[str], how: int) -> IO[str]:
    """``lock``, locked; closed if locking fails (NFS without locks: ``ENOLCK``)."""
    try:
        fcntl.flock(lock, how)
    except OSError:
        lock.close()
        raise
    return lock


@contextmanager
def guard(action: str, url: URL) -> Iterator[None]:
    """Turn database errors raised inside into one ``StoreError`` naming ``action``."""
    try:
        yield
    except SQLAlchemyError as e:
        raise StoreError(f"{action} failed ({safe(url)}): {describe(e, url)}") from e
    except CommandError as e:
        # e.g. the database is at a revision this version does not know (written by a newer one)
        raise StoreError(f"{action} failed ({safe(url)}): {_scrub(str(e), url)}") from e


def describe(error: SQLAlchemyError, url: URL) -> str:
    """A one-line, password-free account of ``error`` (the driver's words, not the SQL)."""
    cause: BaseException = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    first = lines[0] if lines else ""
    return _scrub(f"{type(cause).__name__}: {first}", url)[:_MESSAGE_MAX]


def _scrub(message: str, url: URL) -> str:
    """``message`` with the password masked as the log masker does: a short one only as a whole
    word (a password ``pe`` replaced anywhere made ``OperationalError`` ``O***rationalError``)."""
    if not url.password:
        return message
    masker = Redactor()
    masker.remember([str(url.password)])
    return masker.redact(message)
