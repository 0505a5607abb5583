"""CPU-bound polling on 1 and on 2 nodes sharing one PostgreSQL: the throughput ratio.

    python benchmarks/nodes_bench.py [--sources 32] [--items 10]

Sources with ``follow: true`` whose items link to article pages on a loopback server (the
Republika seed page): each new item costs a fetch and an extraction in a worker process, so a
node is CPU-bound. Each run starts from a fresh database: the nodes baseline every source, then
every source gains ``--items`` items at once, and the clock runs until every article is stored.
The same work is done by 1 node (pinned to core 0) and by 2 nodes (pinned to cores 0 and 1,
with ``taskset``; their workers inherit the pinning). Prints articles per second and the ratio.
Needs PostgreSQL at 127.0.0.1:5432 (as the tests) and two otherwise idle cores: other work
on them (the load average is printed) takes its share from the pinned nodes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.store import Store
from tests.feedserver import running_feed_server
from tests.nodes import Cluster, wait_until

ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def run(nodes: int, sources: int, items: int) -> float:
    """Articles stored per second by ``nodes`` nodes, each on its own core."""
    name = f"monitor_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    try:
        with tempfile.TemporaryDirectory() as tmp, running_feed_server() as feeds:
            cluster = Cluster(
                Path(tmp), url, feeds, sources=sources, every=1.0, lease=15.0, follow=True,
                extra_config=f"limits: {{article_fetches_per_poll: {items}}}\n",
            )  # fmt: skip
            try:
                cluster.start(nodes, cpu=list(range(nodes)))
                wait_until(lambda: _polled(cluster, 2), 300, "the baseline polls")
                with Store.open(url) as store:
                    before = store.counts()["articles"]
                    started = time.monotonic()
                    for source in range(sources):
                        cluster.publish(source, items)
                    total = before + sources * items
                    wait_until(lambda: store.counts()["articles"] >= total, 900, "every article")
                    elapsed = time.monotonic() - started
                for process in cluster.processes:
                    cluster.stop(process)
            finally:
                cluster.close()
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return sources * items / elapsed


def _polled(cluster: Cluster, times: int) -> bool:
    return min(len(t) for t in cluster.request_times().values()) >= times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=32)
    parser.add_argument("--items", type=int, default=10)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    one = run(1, args.sources, args.items)
    print(f"1 node:  {one:.1f} articles/s", flush=True)
    two = run(2, args.sources, args.items)
    print(f"2 nodes: {two:.1f} articles/s")
    print(f"throughput ratio (2 nodes / 1 node): {two / one:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.1f} (other work on the cores skews this)")


if __name__ == "__main__":
    main()
