"""``monitor run`` and ``monitor once``: the real pipeline, wired and run.

Owns: ``open_pipeline``, the one place that builds the store, the HTTP client, the worker pool
and the notifier into a ``Pipeline`` (and closes them again; ``tests/crash_driver.py`` uses it
too, with its crash checkpoint),
and the two commands that run it: forever under the scheduler, or one cycle with a summary.
``monitor run`` also serves the web side (``monitor.web``) on the same loop unless
``web.listen`` is off; its socket is bound before anything starts, so a bad address is a
start-up error. On PostgreSQL ``monitor run`` is one node of several (``open_node``); on SQLite
it holds a lock file next to the database, taken before the web port: a second daemon there
refuses to start, and says why (not that the first one's port is taken).
Does not own: what a cycle does (``monitor.pipeline``) or when it runs (``monitor.scheduler``,
imported only by ``monitor run`` so the other commands start without APScheduler).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from monitor.cli.common import (
    EXIT_USAGE,
    iso,
    now,
    print_json,
    print_table,
    query_warnings,
    settings_from,
)
from monitor.config import Settings, parse_duration
from monitor.database_watch import DatabaseWatch
from monitor.deliver.crash import Checkpoint, unchecked
from monitor.fetch import Fetcher
from monitor.metrics import NO_METRICS, Metrics
from monitor.node import Node, single_node
from monitor.notify import Notifier
from monitor.pipeline import DeliveryReport, Pipeline, PollResult
from monitor.store import Store
from monitor.workers import WorkerLimits, Workers

if TYPE_CHECKING:
    import socket

    from monitor.scheduler import Daemon
    from monitor.web.metrics import PrometheusMetrics
    from monitor.web.server import WebServer


log = logging.getLogger("monitor.daemon")
#: ``monitor once`` when every source it polled failed (a cron job should notice)
EXIT_ALL_FAILED = 4


def warn_if_silent(settings: Settings) -> None:
    """Say so at start-up when matches will be stored but no alert can go anywhere."""
    if settings.channels:
        return
    disabled = ", ".join(sorted(settings.disabled_channels)) or "none configured"
    log.warning(
        "no channel is enabled (%s): matches are stored but no alert is sent;"
        " set the channel's URL (e.g. MONITOR_ALERT_URL) to deliver them",
        disabled,
    )


def log_query_warnings(settings: Settings, logged: set[tuple[str, str, str]]) -> None:
    """Log each warning about the topics' queries (``monitor check`` prints them) that ``logged``
    does not hold: every one at start, at a reload those it brings. ``logged`` becomes the
    current ones, by topic, term and message (a topic moved down a file is not news; one fixed
    and broken again is)."""
    current = {(w.topic, w.term, w.message): w for w in query_warnings(settings)}
    for key, warning in current.items():
        if key not in logged:
            log.warning("query warning: %s", warning)
    logged.clear()
    logged.update(current)


def log_watchlist_warnings(settings: Settings) -> None:
    """Log each ``watchlists`` pattern that matches no file or leaves a watchlist out (at start
    and at every reload while it lasts: its topics are missing all that time)."""
    for unread in settings.watchlist_warnings:
        log.warning("watchlist warning: %s", unread)


def _reloaded(
    args: argparse.Namespace, env: Mapping[str, str], logged: set[tuple[str, str, str]]
) -> Settings:
    """The settings read again (a reload), their watchlist and new query warnings logged."""
    settings = settings_from(args, env)
    log_watchlist_warnings(settings)
    log_query_warnings(settings, logged)
    return settings


@asynccontextmanager
async def open_pipeline(
    settings: Settings, checkpoint: Checkpoint = unchecked, metrics: Metrics = NO_METRICS
) -> AsyncIterator[Pipeline]:
    """Open the store, the HTTP client and the worker pool; close them all on the way out."""
    async with open_node(settings, False, checkpoint, metrics) as (pipeline, _node):
        yield pipeline


@asynccontextmanager
async def open_node(
    settings: Settings,
    as_node: bool,
    checkpoint: Checkpoint = unchecked,
    metrics: Metrics = NO_METRICS,
) -> AsyncIterator[tuple[Pipeline, Node | None]]:
    """The pipeline, and with ``as_node`` on PostgreSQL the cluster node it works as."""
    store = await asyncio.to_thread(Store.open, settings.database_url)
    database = DatabaseWatch(now, metrics)  # one record for the pipeline, node and scheduler
    node = (
        Node(store, settings.cluster, now, database=database)
        if as_node and store.clustered
        else None
    )
    fetcher = Fetcher(settings.http, hosts=None if node is None else node.hosts())
    limits = settings.limits
    workers = Workers(
        WorkerLimits(
            processes=min(2, _usable_cores()),
            memory=limits.worker_memory,
            timeout=limits.worker_timeout,
        )
    )
    try:
        pipeline = Pipeline(
            settings,
            store=store,
            fetcher=fetcher,
            notifier=_notifier(settings, node),
            workers=workers,
            now=now,
            checkpoint=checkpoint,
            metrics=metrics,
            leases=node,
            database=database,
        )
        yield pipeline, node
    finally:
        # the polls are done or cancelled by now: a job still running has nobody waiting for
        # it, and a stop must end within 10 s (README; the polls had 5 s, the web side 1 s), so
        # it gets one second, not five
        workers.close(grace=1.0)
        await fetcher.aclose()
        store.close()
        log.info("closed: workers, connections and the database")


def _usable_cores() -> int:
    """The cores this process may run on: a node pinned to one core (``taskset``, a cpuset)
    gets one worker there, not two fighting over it."""
    if hasattr(os, "sched_getaffinity"):  # Linux; elsewhere every core counts
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _notifier(settings: Settings, node: Node | None) -> Notifier:
    """A node's notifier checks its lease before each send."""
    return Notifier(settings.channels) if node is None else node.notifier(settings.channels)


def cmd_run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    warn_if_silent(settings)
    log_watchlist_warnings(settings)
    logged: set[tuple[str, str, str]] = set()
    log_query_warnings(settings, logged)
    # SQLite serves one daemon: a second one on the same file refuses to start, and says so
    # first, before it tries the web port that the first one holds
    with single_node(settings.database_url):
        sock = _bind(settings)  # now: a listen that cannot be bound stops the start
        try:
            asyncio.run(_run(args, env, settings, sock, logged))
        finally:
            if sock is not None:
                sock.close()
    return 0


def _bind(settings: Settings) -> socket.socket | None:
    """The web side's listening socket, or None when ``web.listen`` is off."""
    if settings.web.listen is None:
        return None
    from monitor.web.server import bind  # only a daemon with a web side needs uvicorn

    return bind(settings.web)


async def _run(
    args: argparse.Namespace,
    env: Mapping[str, str],
    settings: Settings,
    sock: socket.socket | None,
    logged: set[tuple[str, str, str]],
) -> None:
    """The daemon, and the web side on ``sock``, until stopped; ``logged``: the query warnings
    logged so far (a reload logs those it brings)."""
    from monitor.scheduler import RELOAD_EVERY, Daemon  # only the daemon needs APScheduler
    from monitor.systemd import Notifier as ServiceManager

    counted = _web_metrics() if sock is not None else None
    metrics = counted or NO_METRICS
    async with open_node(settings, True, metrics=metrics) as (pipeline, node):
        daemon = Daemon(
            pipeline,
            reload=lambda: _reloaded(args, env, logged),
            make_notifier=lambda s: _notifier(s, node),
            service_manager=ServiceManager(env),
            reload_every=_reload_every(env, RELOAD_EVERY),
            metrics=metrics,
            node=node,
            database=pipeline.database,
        )
        web = None
        if sock is not None and counted is not None:
            web = _web_server(sock, pipeline, daemon, counted)
        try:
            await daemon.run()
        finally:
            if web is not None:
                await web.stop()


def _reload_every(env: Mapping[str, str], default: float) -> float:
    """Seconds between checks of the config files: ``MONITOR_POLL_EVERY`` (a test or a trial
    on one's own servers) checks them at that pace too, when it is shorter."""
    text = env.get("MONITOR_POLL_EVERY")
    return min(default, parse_duration(text)) if text else default  # valid: settings read it


def _web_metrics() -> PrometheusMetrics:
    from monitor.web.metrics import PrometheusMetrics

    return PrometheusMetrics()


def _web_server(
    sock: socket.socket, pipeline: Pipeline, daemon: Daemon, metrics: PrometheusMetrics
) -> WebServer:
    """Start the web side on the running loop, reading the daemon's current state."""
    from monitor.web import guard
    from monitor.web.app import build_app
    from monitor.web.context import WebContext
    from monitor.web.server import WebServer

    web = pipeline.settings.web
    listen_host = web.listen[0] if web.listen else None
    context = WebContext(
        store=pipeline.store,
        settings=lambda: pipeline.settings,
        metrics=metrics,
        last_tick=lambda: daemon.last_tick,
        database=lambda: pipeline.database.health,
        now=now,
        token=web.token,
        feed_token=web.feed_token,
        base_url=web.base_url,
        hosts=guard.served_hosts(listen_host, web.base_url),
        stale_after=max(120.0, 3 * pipeline.settings.delivery.every),
    )
    server = WebServer(build_app(context), sock)
    server.start()
    return server


def cmd_once(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
    sources = [s for s in settings.sources if s.enabled]
    if args.source:
        unknown = set(args.source) - {s.id for s in settings.sources}
        if unknown:
            print(f"unknown source: {', '.join(sorted(unknown))}", file=sys.stderr)
            return EXIT_USAGE
        sources = [s for s in settings.sources if s.id in args.source]

    async def once() -> tuple[list[PollResult], DeliveryReport]:
        async with open_pipeline(settings) as pipeline:
            results = await asyncio.gather(*(pipeline.poll(s) for s in sources))
            return list(results), await pipeline.deliver()

    warn_if_silent(settings)
    log_query_warnings(settings, set())
    results, report = asyncio.run(once())
    failed_all = bool(results) and all(r.outcome in ("failed", "gone") for r in results)
    if args.json:
        for r in results:
            print_json(
                {
                    "source": r.source_id,
                    "outcome": r.outcome,
                    "items": r.items,
                    "new": r.new_articles,
                    "matches": r.new_matches,
                    "error": r.error,
                    "next_check": iso(r.next_check),
                }
            )
        return EXIT_ALL_FAILED if failed_all else 0
    print_table(
        ["source", "outcome", "items", "new", "matches", "error"],
        [
            [r.source_id, r.outcome, r.items, r.new_articles, r.new_matches, r.error or ""]
            for r in results
        ],
    )
    print(f"deliveries: {report.sent} sent, {report.failed} failed (failed ones are retried)")
    return EXIT_ALL_FAILED if failed_all else 0
