"""A daemon stand-in for the crash test: the real pipeline, polled and delivered in a tight loop.

``python -m tests.crash_driver CONFIG [--until-idle] [--node]``

``monitor run`` polls a source at most once a minute (politeness), too slow to crash a few
dozen times in a test; this runs the very same ``Pipeline`` (store, fetcher, parser workers,
notifier, delivery rounds) that ``monitor run`` builds, with no pause between cycles. It runs
until killed; with ``--until-idle`` it exits 0 once a poll found nothing new and nothing is
pending. ``MONITOR_CRASH_AT`` (``monitor.deliver.crash``) works here as in the daemon.
With ``--node`` (PostgreSQL) it is one node of several, as ``monitor run`` is: it beats, polls
only the sources it claimed (under their leases) and delivers only the channels it leased.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from monitor.cli import _pipeline
from monitor.cli.daemon import _running
from monitor.cluster import heartbeat_every
from monitor.config import Settings, load_settings
from monitor.node import Node


async def as_node(settings: Settings) -> int:
    """One node among others, in a tight loop until killed."""
    async with _running(settings, as_node=True) as (pipeline, node):
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
    while True:
        await asyncio.sleep(heartbeat_every(node.settings.lease))
        await node.beat()


async def main(config: Path, until_idle: bool, node: bool = False) -> int:
    settings = load_settings(config, os.environ)
    if node:
        return await as_node(settings)
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
    flags = sys.argv[2:]
    sys.exit(asyncio.run(main(Path(sys.argv[1]), "--until-idle" in flags, "--node" in flags)))
