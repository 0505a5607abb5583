"""The operator's commands: is the config sound, what is stored, does a channel deliver.

Owns: ``check`` (config, watchlists, warnings about queries, topic examples), ``matches``,
``sources`` and ``deliveries`` (read-only views of the store, in the configured time zone) and
``notify-test`` (one test message through one channel), and how each prints its answer.
Does not own: polling or delivering for real (``monitor.cli.daemon``), the analyst's topic tools
(``monitor.cli.topics``), or the queries themselves (``monitor.store``).
The module is not called ``inspect`` so that it never shadows the standard library's.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from monitor import redact
from monitor.cli.common import (
    EXIT_CONFIG,
    EXIT_USAGE,
    iso,
    local_time,
    now,
    open_store,
    print_json,
    print_table,
    query_warnings,
    settings_from,
)
from monitor.errors import DeliveryError
from monitor.match import check_examples, lexicon_for

if TYPE_CHECKING:  # the store and the notifier load only for the commands that use them
    from monitor.store import SourceState, StoredMatch


def cmd_check(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    lexicon = lexicon_for(settings.lexicon)
    # a watchlist pattern that reads no file, and queries that load but probably do not do
    # what is meant: warned, not failed (no watchlist at all, or a deleted one, is allowed)
    for unread in settings.watchlist_warnings:
        print(f"warning: {unread}", file=sys.stderr)
    warnings = query_warnings(settings)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    # each names its file, line and key path (``topics[0].examples.match[1]``)
    failures = [problem for topic in settings.topics for problem in check_examples(topic, lexicon)]
    for failure in failures:
        print(failure, file=sys.stderr)
    if failures:
        return EXIT_CONFIG
    warned = f", {len(warnings)} query warnings" if warnings else ""
    if settings.watchlist_warnings:
        warned += f", {len(settings.watchlist_warnings)} watchlist pattern warnings"
    print(
        f"ok: {len(settings.sources)} sources, {len(settings.topics)} topics, "
        f"{len(settings.channels)} channels, {len(settings.watchlist_files)} watchlist files"
        + warned
    )
    return 0


def cmd_matches(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    since = now() - timedelta(seconds=args.since) if args.since else None
    with open_store(settings) as store:
        found = store.matches(topic=args.topic, since=since, limit=args.limit)
        if args.json:  # printed as read, page by page: any --limit in little memory
            for m in found:
                print(json.dumps(_match_json(m), ensure_ascii=False))
            return 0
        # the table's column widths need every row first (they hold no article text)
        rows = [_match_cells(m, ZoneInfo(settings.timezone)) for m in found]
    print_table(["id", "matched", "topic", "score", "source", "title"], rows)
    return 0


def _match_json(m: StoredMatch) -> dict[str, object]:
    return {
        "id": m.match_id,
        "topic": m.topic_id,
        "score": round(m.score, 4),
        "title": m.title,
        "url": m.url,
        "source": m.source_id,
        # the story's other outlets, as the dashboard and Atom name them
        "also_in": list(m.also_in),
        "published": iso(m.published),
        "matched_at": iso(m.created),
        "terms": list(dict.fromkeys(h.term for h in m.hits)),
        "hits": [h.as_json() for h in m.hits],
    }


def _match_cells(m: StoredMatch, tz: ZoneInfo) -> list[object]:
    return [
        m.match_id,
        m.created.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        m.topic_id,
        f"{m.score:.2f}",
        m.source_id,
        m.title[:70],
    ]


def cmd_sources(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    if args.opml:
        from monitor.opml import to_opml

        # URLs may carry credentials (a token in the query): shown masked, like everywhere else
        print(redact.install().redact(to_opml(settings.sources)), end="")
        return 0
    with open_store(settings) as store:
        states = {s.source_id: s for s in store.source_states()}
    if args.json:
        for source in settings.sources:
            print_json(_source_json(source.id, source.enabled, states.get(source.id)))
        return 0
    tz = ZoneInfo(settings.timezone)
    rows = []
    for source in settings.sources:
        state = states.get(source.id)
        status = "disabled" if not source.enabled else _status(state)
        rows.append(
            [
                source.id,
                status,
                local_time(state.last_check if state else None, tz),
                local_time(state.next_check if state else None, tz),
                state.items_seen if state else 0,
                (state.last_error or "") if state else "",
                (state.warning or "") if state else "",
            ]
        )
    header = ["source", "status", "last check", "next check", "items", "last error", "warning"]
    print_table(header, rows)
    return 0


def _source_json(source_id: str, enabled: bool, state: SourceState | None) -> dict[str, object]:
    return {
        "source": source_id,
        "status": "disabled" if not enabled else (state.status if state else "new"),
        "last_check": iso(state.last_check) if state else None,
        "next_check": iso(state.next_check) if state else None,
        "items": state.items_seen if state else 0,
        "last_error": state.last_error if state else None,
        "warning": state.warning if state else None,
    }


def _status(state: SourceState | None) -> str:
    """A source's status as ``monitor sources`` shows it; a 410 says what it means."""
    if state is None:
        return "new"
    if state.status == "gone":
        return "gone (HTTP 410: not polled until its URL changes)"
    return state.status


def cmd_deliveries(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    with open_store(settings) as store:
        found = store.deliveries(status=args.status, limit=args.limit)
    if args.json:
        for d in found:
            print_json(
                {
                    "id": d.delivery_id,
                    "status": d.status,
                    "channel": d.channel,
                    "topic": d.topic_id,
                    "title": d.title,
                    "attempts": d.tries,
                    "created": iso(d.created),
                    "last_attempt": iso(d.last_attempt),
                    "sent_at": iso(d.sent_at),
                    "digest": d.digest_id,
                    "last_error": d.last_error,
                }
            )
        return 0
    tz = ZoneInfo(settings.timezone)
    print_table(
        ["created", "status", "channel", "topic", "tries", "when", "id", "title / last error"],
        [
            [
                local_time(d.created, tz),
                d.status,
                d.channel,
                d.topic_id,
                d.tries,
                local_time(d.sent_at if d.status == "sent" else d.last_attempt, tz),
                d.delivery_id + (f" in {d.digest_id}" if d.digest_id else ""),
                (d.last_error if d.status != "sent" and d.last_error else d.title)[:70],
            ]
            for d in found
        ],
    )
    return 0


def cmd_notify_test(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    channel = next((c for c in settings.channels if c.name == args.channel), None)
    if channel is None and args.channel in settings.disabled_channels:
        print(
            f"channel {args.channel!r} is disabled: no URL is set (an unset ${{VARIABLE:-}} in"
            " monitor.yaml, e.g. MONITOR_ALERT_URL); set it and try again",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if channel is None:
        print(
            f"unknown channel {args.channel!r}; configured: "
            f"{', '.join(c.name for c in settings.channels) or 'none'}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from monitor.notify import Notifier, render_test

    message = render_test(channel.name, channel.format, now())
    try:
        import asyncio  # here: `check` and the listings never start an event loop

        asyncio.run(Notifier(settings.channels).send(channel.name, message))
    except DeliveryError as error:
        print(f"channel {channel.name}: not delivered: {error}", file=sys.stderr)
        return EXIT_CONFIG
    print(f"channel {channel.name}: test message delivered")
    return 0
