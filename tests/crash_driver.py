"""A daemon stand-in for the crash test: the real pipeline, polled and delivered in a tight loop.

``python -m tests.crash_driver CONFIG [--until-idle] [--crash-at POINT]``

``monitor run`` polls a source at most once a minute (politeness), too slow to crash a few
dozen times in a test; this runs the very same ``Pipeline`` (store, fetcher, parser workers,
notifier, delivery rounds) that ``monitor run`` builds, with no pause between cycles. It runs
until killed; with ``--until-idle`` it exits 0 once a poll found nothing new and nothing is
pending. With ``--crash-at POINT`` (a name from ``monitor.deliver.crash``) its checkpoint kills
the driver's whole process group (itself and its worker processes) when a match reaches that
point. The test starts it in a session of its own, so that group is the driver's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from monitor.cli.daemon import open_pipeline
from monitor.config import load_settings
from monitor.deliver.crash import POINTS, Checkpoint, Point, unchecked


def crash_at(chosen: str | None) -> Checkpoint:
    """A checkpoint that kills this process group at ``chosen`` (none: never)."""
    if chosen is None:
        return unchecked

    def checkpoint(point: Point) -> None:
        if point == chosen:
            os.killpg(0, signal.SIGKILL)

    return checkpoint


async def main(config: Path, until_idle: bool, checkpoint: Checkpoint) -> int:
    settings = load_settings(config, os.environ)
    async with open_pipeline(settings, checkpoint) as pipeline:
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
    parser = argparse.ArgumentParser(prog="python -m tests.crash_driver")
    parser.add_argument("config", type=Path)
    parser.add_argument("--until-idle", action="store_true")
    parser.add_argument("--crash-at", choices=POINTS)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.config, args.until_idle, crash_at(args.crash_at))))
