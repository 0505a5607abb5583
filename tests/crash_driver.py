"""A daemon stand-in for the crash test: the real pipeline, polled and delivered in a tight loop.

``python -m tests.crash_driver CONFIG [--until-idle] [--crash-at POINT] [--node]``

``monitor run`` polls a source at most once a minute (politeness), too slow to crash a few
dozen times in a test; this runs the very same ``Pipeline`` (store, fetcher, parser workers,
notifier, delivery rounds) that ``monitor run`` builds, with no pause between cycles. It runs
until killed; with ``--until-idle`` it exits 0 once a poll found nothing new and nothing is
pending. With ``--crash-at POINT`` (a name from ``monitor.deliver.crash``) its checkpoint kills
the driver's whole process group (itself and its worker processes) when a match reaches that
point. The test starts it in a session of its own, so that group is the driver's alone.
With ``--node`` (PostgreSQL) it is one node of several, as ``monitor run`` is: it beats, polls
only the sources it claimed (under their leases) and delivers only the channels it leased.

The daemon's modules are imported inside the functions: a spawned worker process imports this
module again (as ``__mp_main__``), and at the top they cost each worker 1.5 s of CPU (the whole
daemon) where ``monitor run``'s workers import only what their jobs need.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.deliver.crash import POINTS, Checkpoint, Point, unchecked

if TYPE_CHECKING:
    from monitor.config import Settings
    from monitor.node import Node


def crash_at(chosen: str | None) -> Checkpoint:
    """A checkpoint that kills this process group at ``chosen`` (none: never)."""
    if chosen is None:
        return unchecked

    def checkpoint(point: Point) -> None:
        if point == chosen:
            os.killpg(0, signal.SIGKILL)

    return checkpoint


async def as_node(settings: Settings, checkpoint: Checkpoint) -> int:
    """One node among others, in a tight loop until killed."""
    from monitor.cli.daemon import open_node

    async with open_node(settings, True, checkpoint) as (pipeline, node):
        assert node is not None, "--node needs PostgreSQL"
        await node.beat()
        await node.register(settings.sources)
        beating = asyncio.create_task(beat(node))
        print("driver ready", flush=True)
        by_id = {s.id: s for s in settings.sources}
        while not beating.done():
            for lease in await node.claim(list(by_id), len(by_id)):
                await node.poll(pipeline, by_id[lease.name], lease)
            await pipeline.deliver()
            await asyncio.sleep(0.02)
    return 1


async def beat(node: Node) -> None:
    from monitor.cluster import heartbeat_every

    while True:
        await asyncio.sleep(heartbeat_every(node.settings.lease))
        await node.beat()


async def main(config: Path, until_idle: bool, checkpoint: Checkpoint, node: bool) -> int:
    from monitor.cli.daemon import open_pipeline
    from monitor.config import load_settings

    settings = load_settings(config, os.environ)
    if node:
        return await as_node(settings, checkpoint)
    async with open_pipeline(settings, checkpoint) as pipeline:
        print("driver ready", flush=True)
        while True:
            results = [await pipeline.poll(source) for source in settings.sources]
            await pipeline.deliver()
            new = sum(r.new_articles for r in results)
            pending = pipeline.store.queue_sizes()["deliveries_pending"]
            if until_idle and not new and not pending:
                return 0
            await asyncio.sleep(0.02)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.crash_driver")
    parser.add_argument("config", type=Path)
    parser.add_argument("--until-idle", action="store_true")
    parser.add_argument("--crash-at", choices=POINTS)
    parser.add_argument("--node", action="store_true")
    args = parser.parse_args()
    checkpoint = crash_at(args.crash_at)
    code = asyncio.run(main(args.config, args.until_idle, checkpoint, args.node))
    gc.freeze()  # as ``monitor.cli.entry``: no final collection of the heap at exit
    sys.exit(code)
