"""A daemon stand-in for the crash test: the real pipeline, polled and delivered in a tight loop.

``python -m tests.crash_driver CONFIG [--until-idle]``

``monitor run`` polls a source at most once a minute (politeness), too slow to crash a few
dozen times in a test; this runs the very same ``Pipeline`` (store, fetcher, parser workers,
notifier, delivery rounds) that ``monitor run`` builds, with no pause between cycles. It runs
until killed; with ``--until-idle`` it exits 0 once a poll found nothing new and nothing is
pending. ``MONITOR_CRASH_AT`` (``monitor.deliver.crash``) works here as in the daemon.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from monitor.cli.daemon import _pipeline
from monitor.config import load_settings


async def main(config: Path, until_idle: bool) -> int:
    settings = load_settings(config, os.environ)
    async with _pipeline(settings) as pipeline:
        print("driver ready", flush=True)
        while True:
            results = [await pipeline.poll(source) for source in settings.sources]
            await pipeline.deliver()
            new = sum(r.new_articles for r in results)
            pending = pipeline.store.counts()["deliveries_pending"]
            if until_idle and not new and not pending:
                return 0
            await asyncio.sleep(0.02)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(Path(sys.argv[1]), "--until-idle" in sys.argv[2:])))
