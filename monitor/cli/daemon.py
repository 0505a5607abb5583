"""``monitor run`` and ``monitor once``: the real pipeline, wired and run.

Owns: ``_pipeline``, the one place that builds the store, the HTTP client, the worker pool and
the notifier into a ``Pipeline`` (and closes them again; ``tests/crash_driver.py`` uses it too),
and the two commands that run it: forever under the scheduler, or one cycle with a summary.
Does not own: what a cycle does (``monitor.pipeline``) or when it runs (``monitor.scheduler``,
imported only by ``monitor run`` so the other commands start without APScheduler).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping
from contextlib import asynccontextmanager

from monitor.cli.common import EXIT_USAGE, now, print_table, settings_from
from monitor.config import Settings
from monitor.fetch import Fetcher
from monitor.notify import Notifier
from monitor.pipeline import Pipeline, PollResult
from monitor.store import Store
from monitor.workers import WorkerLimits, Workers


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
            now=now,
        )
    finally:
        # the polls are done or cancelled by now: a job still running has nobody waiting for
        # it, and a stop must end within 10 s (README), so it gets one second, not five
        workers.close(grace=1.0)
        await fetcher.aclose()
        store.close()


def cmd_run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    from monitor.scheduler import Daemon  # only the daemon needs APScheduler

    settings = settings_from(args, env)

    async def run() -> None:
        async with _pipeline(settings) as pipeline:
            daemon = Daemon(
                pipeline,
                reload=lambda: settings_from(args, env),
                make_notifier=lambda s: Notifier(s.channels),
            )
            await daemon.run()

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
