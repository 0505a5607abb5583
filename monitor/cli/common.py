"""What every command shares: exit codes, loading settings, the clock, the store, files, tables.

Owns: the exit codes, turning ``--config`` into validated settings (and teaching the log masker
their secrets), the warnings about their topics' queries (``query_warnings``), a store opened
for the length of one command, opening the files named on the command line (``open_file``,
``-`` read as standard input, text as UTF-8 with or without a BOM; ``readable``: one that cannot
be read is an ``InputError``, exit 2), the plain-text table (its cells cleaned of what a terminal
would act on) and time formats the commands print, and the warning for judged topic ids no
watchlist defines.
Does not own: any command, the argument parser (``monitor.cli``) or the daemon's wiring
(``monitor.cli.daemon``).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from monitor import redact
from monitor.display import one_line
from monitor.errors import InputError

if TYPE_CHECKING:  # imported when used: `monitor --help` must not load the store or the config
    from monitor.config import Checks, Settings
    from monitor.match.lint import QueryWarning
    from monitor.store import Store

EXIT_CONFIG, EXIT_USAGE, EXIT_STORE = 1, 2, 3


def settings_from(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    """The settings ``--config`` (or the environment's default) names; their secrets are masked."""
    from monitor.config import default_config_path, load_settings

    path = Path(args.config) if args.config else default_config_path(env)
    settings = load_settings(path, env, full_checks())
    secrets = redact.settings_secrets(settings)
    if env.get(
        "PGPASSWORD"
    ):  # libpq reads it when the database URL has none (contrib/compose.yaml)
        secrets.add(env["PGPASSWORD"])
    redact.install().remember(secrets)
    return settings


def full_checks() -> Checks:
    """The cron and URL checks the config takes: APScheduler and apprise, imported on first use."""
    from monitor.config import Checks

    def cron(expression: str) -> str:
        from monitor.deliver.schedule import check_cron

        return check_cron(expression)

    def url(value: str) -> str | None:
        from monitor.notify.send import url_problem

        # apprise logs what it could not load, parts and all ("'password': '...'"): its
        # secrets are masked before apprise sees it, not once the settings have loaded
        redact.install().remember(redact.url_secrets(value, token_host=True))
        return url_problem(value)

    return Checks(cron=cron, url=url)


def query_warnings(settings: Settings) -> tuple[QueryWarning, ...]:
    """What the topics' queries do that their authors probably do not mean (``match.lint``):
    ``monitor check`` prints it, the daemon logs it."""
    from monitor.match import lexicon_for, parse_query
    from monitor.match.inflect import english_word
    from monitor.match.lint import lint_topics, vocabulary
    from monitor.match.specificity import background

    words = vocabulary(lexicon_for(settings.lexicon), background(), english_word)
    return lint_topics(((t, parse_query(t.query)) for t in settings.topics), words)


def duration(text: str) -> float:
    """An argparse type: seconds in ``90s``, ``24h``, ``7d``; a bad value is a usage error."""
    from monitor.yamlsafe import parse_duration

    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def days(text: str) -> int:
    """An argparse type: a whole number of days (``retention.days``' range); else a usage error."""
    from monitor.config.settings import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text!r}") from None
    if not MIN_RETENTION_DAYS <= value <= MAX_RETENTION_DAYS:
        raise argparse.ArgumentTypeError(
            f"must be between {MIN_RETENTION_DAYS} and {MAX_RETENTION_DAYS} days, got {value}"
        )
    return value


def now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def open_store(settings: Settings, migrate: bool = False) -> Iterator[Store]:
    """The store for one command; commands that only look neither create nor migrate it."""
    from monitor.store import Store

    store = Store.open(settings.database_url, migrate=migrate)
    try:
        yield store
    finally:
        store.close()


def iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None


def local_time(when: datetime | None, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when else "-"


def print_json(value: object) -> None:
    """One JSON Lines record (non-ASCII kept as is)."""
    print(json.dumps(value, ensure_ascii=False))


@contextmanager
def open_file(path: str, mode: str = "r") -> Iterator[IO[Any]]:
    """A file named on the command line, opened in ``mode``; ``-`` read as text is standard input.

    Text is read as UTF-8, a byte order mark at its start dropped (Windows editors write one;
    ``json.loads`` refuses it), and written as UTF-8 without one. One that cannot be opened
    (missing, a directory, no permission), or text read from it that is not UTF-8, is an
    ``InputError`` naming the path and the reason, which ``main`` prints as one line with exit
    2 instead of a traceback. A caller that catches ``ValueError`` does it outside the ``with``:
    ``UnicodeDecodeError`` is one, and only here does it get the path.
    """
    if path == "-" and mode == "r":
        with _standard_input() as stdin, _decoding("standard input"):
            yield stdin
        return
    encoding = None if "b" in mode else "utf-8-sig" if mode == "r" else "utf-8"
    try:  # opened here and closed by the `with` below: only opening is an InputError
        handle = open(path, mode, encoding=encoding)  # noqa: SIM115
    except OSError as error:
        verb = "read" if mode.startswith("r") else "write"
        raise InputError(f"cannot {verb} {path}: {error.strerror or error}") from error
    with handle:
        if mode != "r":  # a decoding error is not this file's: it is written, or read as bytes
            yield handle
            return
        with _decoding(path):
            yield handle


@contextmanager
def _decoding(name: str) -> Iterator[None]:
    """Text read in the block that is not UTF-8 as an ``InputError`` naming ``name``."""
    try:
        yield
    except UnicodeDecodeError as error:
        raise InputError(f"cannot read {name}: not UTF-8 text ({error.reason})") from error


@contextmanager
def _standard_input() -> Iterator[IO[Any]]:
    """Standard input read as ``open_file`` reads a file (UTF-8, a BOM dropped), left open."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # already text without bytes beneath (a test's StringIO)
        yield sys.stdin
        return
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig")
    try:
        yield text
    finally:
        text.detach()  # closing the wrapper would close the process's stdin


def readable(paths: Iterable[str]) -> None:
    """InputError, as ``open_file`` says it, for the first of ``paths`` that cannot be opened:
    for files another module reads (watchlists and lexicon files are read as config, whose
    errors are exit 1; a path that names nothing is a mistyped argument, exit 2)."""
    for path in paths:
        with open_file(path, "rb"):
            pass


def print_table(header: list[str], rows: list[list[object]]) -> None:
    """``rows`` under ``header`` in aligned columns. Each cell is made one line without control
    or format characters (``display.one_line``, as alerts are): titles and errors come from
    feeds and servers, and a terminal acts on an ESC sequence or a bidi override in them."""
    cells = [header, *[[one_line(str(c)) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def unknown_topics_warning(unknown: Counter[str], outcome: str) -> str:
    """The warning for judgments that name topic ids no watchlist defines (``feedback --import``,
    ``eval --labels``): how many, each id with its count, then ``outcome`` (what becomes of
    them). A misspelt id would otherwise go unnoticed."""
    names = ", ".join(f"{topic} ({count})" for topic, count in sorted(unknown.items()))
    return (
        f"warning: {unknown.total()} judgments name topics no watchlist defines: {names}; {outcome}"
    )
