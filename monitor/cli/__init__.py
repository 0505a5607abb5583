"""The command line and composition root: builds settings, store, clients and pipeline.

Owns: argument parsing, logging set-up, wiring the real clients together, exit codes, and what
each command prints. Exit codes: 0 success, 1 invalid config (or failed examples, or a failed
test message), 2 usage error (a file named on the command line that cannot be read included),
3 database unreachable, 4 every source failed (``once``), 130 interrupted.
Does not own: any stage's logic; each command is a few lines over the modules that do the work.

This module holds ``main``, the parser and logging; the commands live beside it, grouped by
whom they serve: ``daemon`` (``run``, ``once`` and the pipeline wiring), ``inspection``
(``check``, ``matches``, ``sources``, ``deliveries``, ``notify-test``), ``topics`` (``match``,
``explain``, ``eval``), ``rematch``, ``retention`` (``prune``), ``learning`` (``feedback``,
``topics``, ``suggest``), ``nodes``, ``extract`` and ``opml``; ``common`` holds what they
share. A command's module is imported only when that command runs, so ``--help`` and
``--version`` start at once.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from monitor import redact
from monitor.cli.common import EXIT_CONFIG, EXIT_STORE, EXIT_USAGE, days, duration
from monitor.cli.logs import LOG_FORMATS, LOG_LEVELS, setup_logging
from monitor.errors import ConfigError, InputError, StoreError
from monitor.langtag import language_error

DESCRIPTION = (
    "News monitor: polls news feeds, listings and sitemaps, matches every article against the "
    "watch topics in your watchlists, stores the matches and alerts chat and email channels."
)
EPILOG = (
    "Every command takes --config, --log-level and --log-format, before or after its name. "
    "Run 'monitor COMMAND --help' for a command's options."
)
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(
        args.log_level or os.environ.get("MONITOR_LOG_LEVEL", "INFO"),
        args.log_format or os.environ.get("MONITOR_LOG_FORMAT", "text"),
    )
    try:
        return int(_handler(args.command)(args, os.environ))
    except ConfigError as error:
        print(f"config error: {redact.install().redact(str(error))}", file=sys.stderr)
        return EXIT_CONFIG
    except StoreError as error:
        print(f"database error: {redact.install().redact(str(error))}", file=sys.stderr)
        return EXIT_STORE
    except InputError as error:
        print(f"input error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`monitor matches | head`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


def entry() -> int:
    """The ``monitor`` command (and ``python -m monitor``): ``main``, then a quick exit."""
    code = main()
    # The process ends next, so its objects need no collection: the interpreter's final
    # collections of a daemon's heap (the lexicon, SQLAlchemy, apprise) took about 1 s at every
    # stop. Whatever holds a resource (store, workers, sockets) was closed explicitly.
    gc.freeze()
    return code


def _handler(spec: str) -> Callable[[argparse.Namespace, Any], int]:
    """``"module:function"`` -> the function, importing the module only now."""
    module, name = spec.split(":")
    handler: Callable[[argparse.Namespace, Any], int] = getattr(
        importlib.import_module(f"monitor.cli.{module}"), name
    )
    return handler


class _Version(argparse.Action):
    """``--version``: the installed version, looked up only when asked (importlib.metadata is
    slow to import, and every command builds this parser)."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        print(f"monitor {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("news-monitor")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _global_options(suppress: bool) -> argparse.ArgumentParser:
    """--config, --log-level and --log-format, valid before and after the command's name.

    After the name they default to SUPPRESS, so they never overwrite a value given before it.
    """
    options = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else None
    options.add_argument(
        "--config", default=default,
        help="monitor.yaml (default: $MONITOR_CONFIG or ./config/monitor.yaml)",
    )  # fmt: skip
    options.add_argument(
        "--log-level", default=default, type=str.upper, choices=LOG_LEVELS,
        help="DEBUG, INFO (default; or $MONITOR_LOG_LEVEL), WARNING, ERROR",
    )  # fmt: skip
    options.add_argument(
        "--log-format", default=default, choices=LOG_FORMATS,
        help="text (default; or $MONITOR_LOG_FORMAT) or json: one JSON object a line",
    )  # fmt: skip
    return options


def parser() -> argparse.ArgumentParser:
    """The whole command line (also the source of ``monitor completion``)."""
    root = argparse.ArgumentParser(
        prog="monitor", description=DESCRIPTION, epilog=EPILOG,
        parents=[_global_options(suppress=False)],
    )  # fmt: skip
    root.add_argument("--version", action=_Version, help="show the version and exit")
    commands = root.add_subparsers(required=True, metavar="COMMAND", title="commands")
    after = _global_options(suppress=True)

    def command(name: str, handler: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help, parents=[after])
        sub.set_defaults(command=handler)
        return sub

    _add_daemon_commands(command)
    _add_inspection_commands(command)
    _add_sources_commands(command)
    _add_topic_commands(command)
    _add_learning_commands(command)
    _add_extract_command(command)
    return root


def _add_daemon_commands(command) -> None:
    command("run", "daemon:cmd_run", "run the daemon in the foreground until SIGTERM/SIGINT")
    once = command(
        "once", "daemon:cmd_once", "poll, match, store and deliver once, then print a summary"
    )
    once.add_argument(
        "--source", action="append", metavar="ID", help="only this source (repeatable)"
    )
    once.add_argument("--json", action="store_true", help="JSON Lines: one line per source")


def _add_inspection_commands(command) -> None:
    command(
        "check", "inspection:cmd_check",
        "validate monitor.yaml and the watchlists and run topic examples",
    )  # fmt: skip
    matches = command("matches", "inspection:cmd_matches", "list stored matches, newest first")
    matches.add_argument("--topic", help="only this topic id")
    matches.add_argument(
        "--since", type=duration, help="only matches newer than this (e.g. 24h, 7d)"
    )
    matches.add_argument("--limit", type=int, default=100)
    matches.add_argument("--json", action="store_true", help="JSON Lines output")
    deliveries = command("deliveries", "inspection:cmd_deliveries", "list deliveries, newest first")
    deliveries.add_argument("--status", choices=("pending", "sent", "dead"), help="only these")
    deliveries.add_argument("--limit", type=int, default=100)
    deliveries.add_argument("--json", action="store_true", help="JSON Lines output")
    nodes = command(
        "nodes", "nodes:cmd_nodes", "the daemons sharing the database: heartbeats, holdings"
    )
    nodes.add_argument("--json", action="store_true", help="JSON Lines output")
    test = command(
        "notify-test", "inspection:cmd_notify_test", "send a test message through a channel"
    )
    test.add_argument("channel")


def _add_sources_commands(command) -> None:
    sources = command(
        "sources",
        "inspection:cmd_sources",
        "one row per source: status, checks, items, last error, warning",
    )
    output = sources.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="JSON Lines output")
    output.add_argument(
        "--opml", action="store_true", help="the configured sources as OPML (for feed readers)"
    )
    opml = command(
        "import-opml", "opml:cmd_import_opml",
        "turn an OPML subscription list into a `sources:` section to paste into monitor.yaml",
    )  # fmt: skip
    opml.add_argument("file", help="an OPML file (- for standard input)")
    completion = command(
        "completion", "opml:cmd_completion", "print a shell completion script (bash, zsh, tcsh)"
    )
    completion.add_argument("shell", choices=("bash", "zsh", "tcsh"))


def _lexicon_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--lexicon", action="append", default=[], metavar="FILE",
        help="an extra lexicon YAML file (repeatable; default: the shipped lexicon only)",
    )  # fmt: skip


def _add_extract_command(command) -> None:
    extract = command(
        "extract", "extract:cmd_extract",
        "extract article pages (saved files or URLs): text, title, date",
    )  # fmt: skip
    extract.add_argument("inputs", nargs="+", metavar="FILE_OR_URL")
    extract.add_argument("--json", action="store_true", help="JSON Lines, one per input, in order")
    extract.add_argument(
        "--language", type=_language_code, help="language hint (ISO 639-1), as a source's language"
    )
    extract.add_argument("--workers", type=int, help="worker processes (default: automatic)")


def _language_code(text: str) -> str:
    """An argparse type: a language code, refused as a source's ``language:`` is (``indonesian``
    read as a language of its own would keep every form kept to ``id`` out)."""
    error = language_error(text)
    if error is not None:
        raise argparse.ArgumentTypeError(error)
    return text


def _add_topic_commands(command) -> None:
    """``match``, ``explain``, ``eval`` and ``rematch``: the analyst's tools for topics."""
    match = command(
        "match", "topics:cmd_match", "match JSON Lines articles against a watchlist (no fetching)"
    )
    match.add_argument(
        "--watchlist", required=True, action="append", help="a watchlist YAML file (repeatable)"
    )
    match.add_argument("--input", help="JSON Lines input (default: stdin)")
    match.add_argument("--output", help="JSON Lines output (default: stdout)")
    match.add_argument("--workers", type=int, help="worker processes (default: automatic)")
    match.add_argument("--feedback", metavar="FILE", help="learn from this feedback file first")
    _lexicon_option(match)
    explain = command(
        "explain", "topics:cmd_explain", "show a topic's expanded query and how it scores a text"
    )
    explain.add_argument("topic", help="the topic id")
    explain.add_argument("--watchlist", help="a watchlist file (default: the configured ones)")
    explain.add_argument("--title", default="", help="the headline to score")
    body = explain.add_mutually_exclusive_group()
    body.add_argument("--text", default="", help="the body to score")
    body.add_argument(
        "--file", help="a text file: the body (with --title), else first line headline, rest body"
    )
    body.add_argument("--article", metavar="ID", help="a stored article: number or key")
    explain.add_argument(
        "--lang",
        metavar="CODE",
        type=_language_code,
        help="the text's language (default: identified from the text)",
    )
    _lexicon_option(explain)
    evaluate = command(
        "eval", "topics:cmd_eval", "score a watchlist against relevance judgments (JSON Lines)"
    )
    evaluate.add_argument(
        "--watchlist", required=True, action="append", help="a watchlist YAML file (repeatable)"
    )
    evaluate.add_argument("--labels", required=True, help="judgments, JSON Lines")
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    evaluate.add_argument(
        "--show-errors", action="store_true", help="list false positives and misses with scores"
    )
    evaluate.add_argument("--feedback", metavar="FILE", help="learn from this feedback file first")
    _lexicon_option(evaluate)
    rematch = command(
        "rematch", "rematch:cmd_rematch", "match stored articles against new or edited topics"
    )
    rematch.add_argument("--topic", help="only this topic id (default: every topic)")
    rematch.add_argument(
        "--since", type=duration, help="only articles first seen this recently (e.g. 30d)"
    )
    rematch.add_argument(
        "--dry-run", action="store_true", help="print what would match; store nothing"
    )
    rematch.add_argument(
        "--notify", action="store_true", help="queue deliveries for the new matches (default: none)"
    )
    _add_prune_command(command)


def _add_prune_command(command) -> None:
    prune = command(
        "prune", "retention:cmd_prune",
        "delete stored articles older than DAYS (judged and undelivered ones are kept)",
    )  # fmt: skip
    prune.add_argument(
        "--older-than", required=True, type=days, metavar="DAYS",
        help="articles first seen more than this many days ago (1-3660)",
    )  # fmt: skip
    then = prune.add_mutually_exclusive_group()
    then.add_argument("--dry-run", action="store_true", help="print what would go; delete nothing")
    then.add_argument(
        "--vacuum", action="store_true",
        help="then give the space back (SQLite: rewrites the file; stop the daemon first)",
    )  # fmt: skip


def _add_learning_commands(command) -> None:
    """``feedback``, ``topics`` and ``suggest``: the analyst teaches topics."""
    feedback = command(
        "feedback", "learning:cmd_feedback",
        "judge a stored match or article (relevant, not-relevant, undo), list near misses, "
        "or import or export judgments",
    )  # fmt: skip
    feedback.add_argument("match", nargs="?", help="the match id (monitor matches shows it)")
    feedback.add_argument(
        "verdict", nargs="?", choices=("relevant", "not-relevant", "undo"),
        help="the verdict; undo takes back the latest; none: show the verdict",
    )  # fmt: skip
    feedback.add_argument(
        "--import", dest="import_file", metavar="FILE",
        help="judgments made elsewhere, JSON Lines: {id, title, text, lang?, topics: {id: 0|1|2}}",
    )  # fmt: skip
    feedback.add_argument(
        "--export", dest="export_file", metavar="FILE",
        help="write every judgment as a feedback file (the --import format; - for stdout)",
    )  # fmt: skip
    feedback.add_argument(
        "--near-misses", metavar="TOPIC",
        help="list the topic's near misses: recent articles its query accepts, scored below it",
    )  # fmt: skip
    feedback.add_argument(
        "--article", metavar="KEY",
        help="judge a stored article (its key or number) for --topic: relevant | not-relevant, "
        "or undo",
    )  # fmt: skip
    feedback.add_argument("--topic", help="the topic id a verdict on --article is about")
    command(
        "topics", "learning:cmd_topics",
        "per topic: judgments, the precision they imply, the learned filter",
    )  # fmt: skip
    suggest = command("suggest", "learning:cmd_suggest", "query edits a topic's judgments suggest")
    suggest.add_argument("topic", help="the topic id")
