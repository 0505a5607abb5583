"""The command line and composition root: builds settings, store, clients and pipeline.

Owns: argument parsing, logging set-up, wiring the real clients together, exit codes, and what
each command prints. Exit codes: 0 success, 1 invalid config (or failed examples, or a failed
test message), 2 usage error, 3 database unreachable.
Does not own: any stage's logic; each command is a few lines over the modules that do the work.

This module holds ``main``, the parser and logging; the commands live beside it, grouped by
whom they serve: ``daemon`` (``run``, ``once`` and the pipeline wiring), ``inspection``
(``check``, ``matches``, ``sources``, ``deliveries``, ``notify-test``), ``topics`` (``match``,
``explain``, ``eval``), ``learning`` (``feedback``, ``topics``, ``suggest``) and ``extract``;
``common`` holds what they share.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from monitor import redact
from monitor.cli.common import EXIT_CONFIG, EXIT_STORE
from monitor.cli.daemon import _pipeline as _pipeline  # re-exported: tests/crash_driver.py
from monitor.cli.daemon import cmd_once, cmd_run
from monitor.cli.extract import cmd_extract
from monitor.cli.inspection import (
    cmd_check,
    cmd_deliveries,
    cmd_matches,
    cmd_notify_test,
    cmd_sources,
)
from monitor.cli.learning import cmd_feedback, cmd_suggest, cmd_topics
from monitor.cli.topics import cmd_eval, cmd_explain, cmd_match
from monitor.errors import ConfigError, StoreError


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _setup_logging(args.log_level or os.environ.get("MONITOR_LOG_LEVEL", "INFO"))
    try:
        return int(args.command(args, os.environ))
    except ConfigError as error:
        print(f"config error: {redact.install().redact(str(error))}", file=sys.stderr)
        return EXIT_CONFIG
    except StoreError as error:
        print(f"database error: {redact.install().redact(str(error))}", file=sys.stderr)
        return EXIT_STORE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="monitor", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--config", help="monitor.yaml (default: $MONITOR_CONFIG or ./config/monitor.yaml)"
    )
    parser.add_argument("--log-level", help="DEBUG, INFO (default), WARNING, ERROR")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, handler, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(command=handler)
        return sub

    command("run", cmd_run, "run the daemon in the foreground until SIGTERM/SIGINT")
    once = command("once", cmd_once, "poll, match, store and deliver once, then print a summary")
    once.add_argument(
        "--source", action="append", metavar="ID", help="only this source (repeatable)"
    )
    command("check", cmd_check, "validate monitor.yaml and the watchlists and run topic examples")
    matches = command("matches", cmd_matches, "list stored matches, newest first")
    matches.add_argument("--topic", help="only this topic id")
    matches.add_argument("--since", help="only matches newer than this (e.g. 24h, 7d)")
    matches.add_argument("--limit", type=int, default=100)
    matches.add_argument("--json", action="store_true", help="JSON Lines output")
    command("sources", cmd_sources, "one row per source: status, checks, items, last error")
    deliveries = command("deliveries", cmd_deliveries, "list deliveries, newest first")
    deliveries.add_argument("--status", choices=("pending", "sent", "dead"), help="only these")
    deliveries.add_argument("--limit", type=int, default=100)
    test = command("notify-test", cmd_notify_test, "send a test message through a channel")
    test.add_argument("channel")
    match = command(
        "match", cmd_match, "match JSON Lines articles against a watchlist (no fetching)"
    )
    match.add_argument("--watchlist", required=True, help="a watchlist YAML file")
    match.add_argument("--input", help="JSON Lines input (default: stdin)")
    match.add_argument("--output", help="JSON Lines output (default: stdout)")
    match.add_argument("--workers", type=int, help="worker processes (default: automatic)")
    _add_extract_command(command)
    match.add_argument("--feedback", metavar="FILE", help="learn from this feedback file first")
    _lexicon_option(match)
    _add_topic_commands(command)
    _add_learning_commands(command)
    return parser


def _lexicon_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--lexicon", action="append", default=[], metavar="FILE",
        help="an extra lexicon YAML file (repeatable; default: the shipped lexicon only)",
    )  # fmt: skip


def _add_extract_command(command) -> None:
    extract = command(
        "extract", cmd_extract, "extract article pages (saved files or URLs): text, title, date"
    )
    extract.add_argument("inputs", nargs="+", metavar="FILE_OR_URL")
    extract.add_argument("--json", action="store_true", help="JSON Lines, one per input, in order")
    extract.add_argument("--language", help="language hint (ISO 639-1), as a source's language")
    extract.add_argument("--workers", type=int, help="worker processes (default: automatic)")


def _add_topic_commands(command) -> None:
    """``explain`` and ``eval``: the analyst's tools for writing and tuning topics."""
    explain = command(
        "explain", cmd_explain, "show a topic's expanded query and how it scores a text"
    )
    explain.add_argument("topic", help="the topic id")
    explain.add_argument("--watchlist", help="a watchlist file (default: the configured ones)")
    explain.add_argument("--title", default="", help="the headline to score")
    explain.add_argument("--text", default="", help="the body to score")
    explain.add_argument("--file", help="a text file: first line headline, the rest body")
    explain.add_argument("--article", metavar="ID", help="a stored article: number or key")
    _lexicon_option(explain)
    evaluate = command(
        "eval", cmd_eval, "score a watchlist against relevance judgments (JSON Lines)"
    )
    evaluate.add_argument("--watchlist", required=True, help="a watchlist YAML file")
    evaluate.add_argument("--labels", required=True, help="judgments, JSON Lines")
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    evaluate.add_argument("--feedback", metavar="FILE", help="learn from this feedback file first")
    _lexicon_option(evaluate)


def _add_learning_commands(command) -> None:
    """``feedback``, ``topics`` and ``suggest``: the analyst teaches topics (issue 12)."""
    feedback = command(
        "feedback", cmd_feedback, "judge a stored match (relevant, not-relevant, undo) or import"
    )
    feedback.add_argument("match", nargs="?", help="the match id (monitor matches shows it)")
    feedback.add_argument(
        "verdict", nargs="?", choices=("relevant", "not-relevant", "undo"),
        help="the verdict; undo takes back the latest; none: show the verdict",
    )  # fmt: skip
    feedback.add_argument(
        "--import", dest="import_file", metavar="FILE",
        help="judgments made elsewhere, JSON Lines: {id, title, text, lang?, topics: {id: 0|1|2}}",
    )  # fmt: skip
    command("topics", cmd_topics, "per topic: judgments, the precision they imply, learned filter")
    suggest = command("suggest", cmd_suggest, "query edits a topic's judgments suggest")
    suggest.add_argument("topic", help="the topic id")


def _setup_logging(level: str) -> None:
    redact.install()  # every record, from every logger, is masked before it is formatted
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    if logging.getLogger().level > logging.DEBUG:
        # their INFO lines are one per request; at DEBUG they show (masked) for diagnosis
        for noisy in ("httpx", "httpcore", "apscheduler", "apprise", "alembic"):
            logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
