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
import multiprocessing
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from monitor.config import (
    Settings,
    default_config_path,
    load_settings,
    load_watchlist,
    parse_duration,
)
from monitor.errors import ConfigError, DeliveryError, StoreError
from monitor.fetch import Fetcher
from monitor.match import check_examples
from monitor.match.bulk import match_stream
from monitor.notify import Notifier, render_test
from monitor.pipeline import Pipeline, PollResult
from monitor.store import Store

log = logging.getLogger("monitor")

EXIT_CONFIG, EXIT_USAGE, EXIT_STORE = 1, 2, 3


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _setup_logging(args.log_level or os.environ.get("MONITOR_LOG_LEVEL", "INFO"))
    try:
        return int(args.command(args, os.environ))
    except ConfigError as error:
        print(f"config error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except StoreError as error:
        print(f"database error: {error}", file=sys.stderr)
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
    return parser


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "apprise", "alembic"):
        # their DEBUG/INFO lines carry full URLs, which may hold tokens
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def _settings(args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    path = Path(args.config) if args.config else default_config_path(env)
    return load_settings(path, env)


def _now() -> datetime:
    return datetime.now(UTC)


# --- the daemon and one cycle --------------------------------------------------------------


@asynccontextmanager
async def _pipeline(settings: Settings):
    """Open the store, the HTTP client and the worker pool; close them all on the way out."""
    store = await asyncio.to_thread(Store.open, settings.database_url)
    fetcher = Fetcher(settings.http)
    # spawn, not fork: forking a process that runs threads and an event loop is unsafe
    workers = ProcessPoolExecutor(
        max_workers=min(2, os.cpu_count() or 1), mp_context=multiprocessing.get_context("spawn")
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
        workers.shutdown(wait=True, cancel_futures=True)
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
    failures = [
        f"{topic.file}:{topic.line}: topic {topic.id}: {problem}"
        for topic in settings.topics
        for problem in check_examples(topic)
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
        status = "disabled" if not source.enabled else (state.status if state else "new")
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
    with _open(args.input, "r", sys.stdin) as infile, _open(args.output, "w", sys.stdout) as out:
        try:
            count = match_stream(topics, infile, out, workers=args.workers)
        except ValueError as error:
            print(f"input error: {error}", file=sys.stderr)
            return EXIT_USAGE
    log.info("matched articles=%d topics=%d", count, len(topics))
    return 0


# --- small helpers -------------------------------------------------------------------------


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


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None


def _local(when: datetime | None, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when else "-"


def _print_table(header: list[str], rows: list[list[object]]) -> None:
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
