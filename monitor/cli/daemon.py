"""``monitor run`` and ``monitor once``: the real pipeline, wired and run.

Owns: ``_pipeline``, the one place that builds the store, the HTTP client, the worker pool and
the notifier into a ``Pipeline`` (and closes them again; ``tests/crash_driver.py`` uses it too),
as one node of several on PostgreSQL for ``monitor run`` (``_running``), and the two commands
that run it: forever under the scheduler, or one cycle with a summary. ``monitor run`` on SQLite
holds a lock file next to the database: a second daemon there refuses to start.
Does not own: what a cycle does (``monitor.pipeline``) or when it runs (``monitor.scheduler``,
imported only by ``monitor run`` so the other commands start without APScheduler).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from monitor.cli.common import EXIT_USAGE, now, print_table, settings_from
from monitor.config import Settings
from monitor.fetch import Fetcher
from monitor.node import Node, single_node
from monitor.notify import Notifier
from monitor.pipeline import Pipeline, PollResult
from monitor.store import Store
from monitor.workers import WorkerLimits, Workers


@asynccontextmanager
async def _pipeline(settings: Settings) -> AsyncIterator[Pipeline]:
    """Open the store, the HTTP client and the worker pool; close them all on the way out."""
    async with _running(settings, as_node=False) as (pipeline, _node):
        yield pipeline


@asynccontextmanager
async def _running(
    settings: Settings, *, as_node: bool
) -> AsyncIterator[tuple[Pipeline, Node | None]]:
    """The pipeline, and with ``as_node`` on PostgreSQL the cluster node it works as."""
    store = await asyncio.to_thread(Store.open, settings.database_url)
    node = Node(store, settings.cluster, now) if as_node and store.clustered else None
    fetcher = Fetcher(settings.http, hosts=None if node is None else node.hosts())
    limits = settings.limits
    workers = Workers(
        WorkerLimits(
            processes=min(2, os.cpu_count() or 1),
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
            leases=node,
        )
        yield pipeline, node
    finally:
        workers.close()
        await fetcher.aclose()
        store.close()


def _notifier(settings: Settings, node: Node | None) -> Notifier:
    """A node's notifier checks its lease before each send."""
    return Notifier(settings.channels) if node is None else node.notifier(settings.channels)


def cmd_run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from monitor.scheduler import Daemon  # only the daemon needs APScheduler

    settings = settings_from(args, env)

    async def run() -> None:
        async with _running(settings, as_node=True) as (pipeline, node):
            daemon = Daemon(
                pipeline,
                reload=lambda: settings_from(args, env),
                make_notifier=lambda s: _notifier(s, node),
                node=node,
            )
            await daemon.run()

    # SQLite serves one daemon: a second one on the same file refuses to start
    with single_node(settings.database_url):
        asyncio.run(run())
    return 0


def cmd_once(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    settings = settings_from(args, env)
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
    print_table(
        ["source", "outcome", "items", "new", "matches", "error"],
        [
            [r.source_id, r.outcome, r.items, r.new_articles, r.new_matches, r.error or ""]
            for r in results
        ],
    )
    print(f"deliveries: {report.sent} sent, {report.failed} failed (failed ones are retried)")  # type: ignore[attr-defined]
    return 0
