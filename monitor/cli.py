"""The command line and composition root: builds settings, store, clients and pipeline.

Owns: argument parsing, logging set-up, wiring the real clients together, exit codes, and what
each command prints. Exit codes: 0 success, 1 invalid config (or failed examples, or a failed
test message), 2 usage error, 3 database unreachable.
Does not own: any stage's logic; each command is a few lines over the modules that do the work.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from monitor import redact
from monitor.config import (
    Settings,
    default_config_path,
    load_settings,
    load_watchlist,
    parse_duration,
)
from monitor.errors import ConfigError, DeliveryError, StoreError
from monitor.fetch import Fetcher
from monitor.match import Lexicon, Matcher, check_examples, lexicon_for
from monitor.match.bulk import match_stream
from monitor.match.explain import render_explanation
from monitor.notify import Notifier, render_test
from monitor.pipeline import Pipeline, PollResult
from monitor.store import SourceState, Store
from monitor.types import Document, Topic
from monitor.workers import WorkerLimits, Workers

log = logging.getLogger("monitor")

EXIT_CONFIG, EXIT_USAGE, EXIT_STORE = 1, 2, 3


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
    _lexicon_option(match)
    _add_topic_commands(command)
    return parser


def _lexicon_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--lexicon", action="append", default=[], metavar="FILE",
        help="an extra lexicon YAML file (repeatable; default: the shipped lexicon only)",
    )  # fmt: skip


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
    _lexicon_option(evaluate)


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


def _settings(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    path = Path(args.config) if args.config else default_config_path(env)
    settings = load_settings(path, env)
    redact.install().remember(redact.settings_secrets(settings))
    return settings


def _now() -> datetime:
    return datetime.now(UTC)


# --- the daemon and one cycle --------------------------------------------------------------


@asynccontextmanager
async def _pipeline(settings: Settings):
    """Open the store, the HTTP client and the worker pool; close them all on the way out."""
    store = await asyncio.to_thread(Store.open, settings.database_url)
    fetcher = Fetcher(settings.http)
    limits = settings.limits
    workers = Workers(
        WorkerLimits(
            processes=min(2, os.cpu_count() or 1),
            memory=limits.worker_memory,
            timeout=limits.worker_timeout,
        )
    )
    try:
        yield Pipeline(
            settings,
            store=store,
            fetcher=fetcher,
            notifier=Notifier(settings.channels),
            workers=workers,
            now=_now,
        )
    finally:
        workers.close()
        await fetcher.aclose()
        store.close()


def cmd_run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from monitor.scheduler import Daemon  # only the daemon needs APScheduler

    settings = _settings(args, env)

    async def run() -> None:
        async with _pipeline(settings) as pipeline:
            daemon = Daemon(
                pipeline,
                reload=lambda: _settings(args, env),
                make_notifier=lambda s: Notifier(s.channels),
            )
            await daemon.run()

    asyncio.run(run())
    return 0


def cmd_once(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = _settings(args, env)
    sources = [s for s in settings.sources if s.enabled]
    if args.source:
        unknown = set(args.source) - {s.id for s in settings.sources}
        if unknown:
            print(f"unknown source: {', '.join(sorted(unknown))}", file=sys.stderr)
            return EXIT_USAGE
        sources = [s for s in settings.sources if s.id in args.source]

    async def once() -> tuple[list[PollResult], object]:
        async with _pipeline(settings) as pipeline:
            results = await asyncio.gather(*(pipeline.poll(s) for s in sources))
            return list(results), await pipeline.deliver()

    results, report = asyncio.run(once())
    _print_table(
        ["source", "outcome", "items", "new", "matches", "error"],
        [
            [r.source_id, r.outcome, r.items, r.new_articles, r.new_matches, r.error or ""]
            for r in results
        ],
    )
    print(f"deliveries: {report.sent} sent, {report.failed} failed (failed ones are retried)")  # type: ignore[attr-defined]
    return 0


# --- inspection commands -------------------------------------------------------------------


def cmd_check(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = _settings(args, env)
    lexicon = lexicon_for(settings.lexicon)
    failures = [
        f"{topic.file}:{topic.line}: topic {topic.id}: {problem}"
        for topic in settings.topics
        for problem in check_examples(topic, lexicon)
    ]
    for failure in failures:
        print(failure, file=sys.stderr)
    if failures:
        return EXIT_CONFIG
    print(
        f"ok: {len(settings.sources)} sources, {len(settings.topics)} topics, "
        f"{len(settings.channels)} channels, {len(settings.watchlist_files)} watchlist files"
    )
    return 0


def cmd_matches(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = _settings(args, env)
    since = _now() - timedelta(seconds=parse_duration(args.since)) if args.since else None
    with _store(settings) as store:
        found = store.matches(topic=args.topic, since=since, limit=args.limit)
    if args.json:
        for m in found:
            print(
                json.dumps(
                    {
                        "topic": m.topic_id,
                        "score": round(m.score, 4),
                        "title": m.title,
                        "url": m.url,
                        "source": m.source_id,
                        "published": _iso(m.published),
                        "matched_at": _iso(m.created),
                        "terms": list(dict.fromkeys(h.term for h in m.hits)),
                        "hits": [
                            {
                                "term": h.term,
                                "field": h.field,
                                "position": h.position,
                                "matched": h.matched,
                            }
                            for h in m.hits
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        return 0
    tz = ZoneInfo(settings.timezone)
    _print_table(
        ["matched", "topic", "score", "source", "title"],
        [
            [
                m.created.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                m.topic_id,
                f"{m.score:.2f}",
                m.source_id,
                m.title[:70],
            ]
            for m in found
        ],
    )
    return 0


def cmd_sources(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = _settings(args, env)
    with _store(settings) as store:
        states = {s.source_id: s for s in store.source_states()}
    tz = ZoneInfo(settings.timezone)
    rows = []
    for source in settings.sources:
        state = states.get(source.id)
        status = "disabled" if not source.enabled else _status(state)
        rows.append(
            [
                source.id,
                status,
                _local(state.last_check if state else None, tz),
                _local(state.next_check if state else None, tz),
                state.items_seen if state else 0,
                (state.last_error or "") if state else "",
            ]
        )
    _print_table(["source", "status", "last check", "next check", "items", "last error"], rows)
    return 0


def cmd_deliveries(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = _settings(args, env)
    with _store(settings) as store:
        found = store.deliveries(status=args.status, limit=args.limit)
    tz = ZoneInfo(settings.timezone)
    _print_table(
        ["created", "status", "channel", "topic", "tries", "when", "id", "title / last error"],
        [
            [
                _local(d.created, tz),
                d.status,
                d.channel,
                d.topic_id,
                d.attempts,
                _local(d.sent_at if d.status == "sent" else d.last_attempt, tz),
                d.delivery_id + (f" in {d.digest_id}" if d.digest_id else ""),
                (d.last_error if d.status != "sent" and d.last_error else d.title)[:70],
            ]
            for d in found
        ],
    )
    return 0


def cmd_notify_test(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = _settings(args, env)
    channel = next((c for c in settings.channels if c.name == args.channel), None)
    if channel is None:
        print(
            f"unknown channel {args.channel!r}; configured: "
            f"{', '.join(c.name for c in settings.channels) or 'none'}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    message = render_test(channel.name, channel.format, _now())
    try:
        asyncio.run(Notifier(settings.channels).send(channel.name, message))
    except DeliveryError as error:
        print(f"channel {channel.name}: not delivered: {error}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"channel {channel.name}: test message delivered")
    return 0


def cmd_match(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    topics = load_watchlist(args.watchlist)
    lexicon = _lexicon(args.lexicon)
    with _open(args.input, "r", sys.stdin) as infile, _open(args.output, "w", sys.stdout) as out:
        try:
            count = match_stream(topics, infile, out, workers=args.workers, lexicon=lexicon)
        except ValueError as error:
            print(f"input error: {error}", file=sys.stderr)
            return EXIT_USAGE
    log.info("matched articles=%d topics=%d", count, len(topics))
    return 0


# --- monitor extract -----------------------------------------------------------------------


def _add_extract_command(command) -> None:
    extract = command(
        "extract", cmd_extract, "extract article pages (saved files or URLs): text, title, date"
    )
    extract.add_argument("inputs", nargs="+", metavar="FILE_OR_URL")
    extract.add_argument("--json", action="store_true", help="JSON Lines, one per input, in order")
    extract.add_argument("--language", help="language hint (ISO 639-1), as a source's language")
    extract.add_argument("--workers", type=int, help="worker processes (default: automatic)")


def cmd_extract(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Needs no config: URLs are fetched with the default HTTP settings and limits."""
    from monitor.extract import batch  # only this command needs trafilatura

    urls = [i for i in args.inputs if i.lower().startswith(("http://", "https://"))]
    fetched = asyncio.run(_fetch_pages(urls)) if urls else {}
    pages = (fetched[i] if i in fetched else batch.read_file(i) for i in args.inputs)
    failed = 0
    show = batch.as_json if args.json else batch.as_text
    outcomes = batch.extract_pages(
        pages, count=len(args.inputs), language=args.language, workers=args.workers
    )
    for outcome in outcomes:
        failed += outcome.article is None
        print(show(outcome), flush=True)
    return EXIT_CONFIG if failed else 0


async def _fetch_pages(urls: list[str]):
    from monitor.config import DEFAULT_USER_AGENT, HttpSettings
    from monitor.errors import FetchError
    from monitor.extract.batch import Page

    fetcher = Fetcher(HttpSettings(DEFAULT_USER_AGENT))

    async def one(url: str) -> Page:
        try:
            got = await fetcher.fetch(url)
        except FetchError as error:
            return Page(url, error=str(error))
        return Page(url, got.content, url=got.url, content_type=got.content_type)

    try:
        return {page.input: page for page in await asyncio.gather(*(one(u) for u in urls))}
    finally:
        await fetcher.aclose()


def cmd_explain(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    if args.watchlist:
        topics, lexicon = load_watchlist(args.watchlist), _lexicon(args.lexicon)
        settings = None
    else:
        settings = _settings(args, env)
        topics, lexicon = settings.topics, lexicon_for(settings.lexicon)
        if args.lexicon:
            lexicon = _lexicon(args.lexicon, lexicon)
    if args.topic not in {t.id for t in topics}:
        known = ", ".join(t.id for t in topics) or "none"
        print(f"unknown topic {args.topic!r}; defined: {known}", file=sys.stderr)
        return EXIT_USAGE
    doc = _explained_document(args, settings, env)
    if doc is None:
        return EXIT_USAGE
    explanation = Matcher([t for t in topics if t.id == args.topic], lexicon).explain(
        args.topic, doc
    )
    print(render_explanation(explanation, scored=bool(doc.title or doc.text)))
    return 0


def _explained_document(
    args: argparse.Namespace, settings: Settings | None, env: Mapping[str, str]
) -> Document | None:
    if args.article:
        with _store(settings or _settings(args, env)) as store:
            doc = store.article(args.article)
        if doc is None:
            print(f"no stored article {args.article!r}", file=sys.stderr)
        return doc
    if args.file:
        title, _, text = Path(args.file).read_text(encoding="utf-8").partition("\n")
        return Document("file", title.strip(), text.strip())
    return Document("text", args.title, args.text)


def cmd_eval(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from monitor.match.evaluation import evaluate, read_judgments, report_json, report_text

    topics: tuple[Topic, ...] = load_watchlist(args.watchlist)
    with open(args.labels, encoding="utf-8") as labels:
        try:
            judged = read_judgments(labels)
        except ValueError as error:
            print(f"input error: {error}", file=sys.stderr)
            return EXIT_USAGE
    report = evaluate(Matcher(topics, _lexicon(args.lexicon)), [t.id for t in topics], judged)
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False))
    else:
        print(report_text(report))
    return 0


# --- small helpers -------------------------------------------------------------------------


def _lexicon(files: Sequence[str], base: Lexicon | None = None) -> Lexicon:
    """The shipped lexicon (or ``base``) extended with ``files``; errors are config errors."""
    from monitor.match.lexicon_files import read_lexicon_file

    lexicon = base or lexicon_for(None)
    for file in files:
        lexicon = lexicon.extended(read_lexicon_file(file))
    return lexicon


@contextmanager
def _store(settings: Settings) -> Iterator[Store]:
    store = Store.open(settings.database_url)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def _open(path: str | None, mode: str, default: TextIO) -> Iterator[TextIO]:
    if path is None or path == "-":
        yield default
        return
    with open(path, mode, encoding="utf-8") as handle:
        yield handle  # type: ignore[misc]  # open() in text mode is a TextIO


def _status(state: SourceState | None) -> str:
    """A source's status as ``monitor sources`` shows it; a 410 says what it means."""
    if state is None:
        return "new"
    if state.status == "gone":
        return "gone (HTTP 410: not polled until its URL changes)"
    return state.status


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None


def _local(when: datetime | None, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when else "-"


def _print_table(header: list[str], rows: list[list[object]]) -> None:
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
