"""CPU-bound polling on 1 and on 2 nodes sharing one PostgreSQL: the throughput ratio.

    python benchmarks/nodes_bench.py [--sources 32] [--items 10]

Sources with ``follow: true`` whose items link to article pages on a loopback server (the
Republika seed page, its words shuffled per article: each is a story of its own, as news is,
so saving one never looks through copies of all the others): each new item costs a fetch and an
extraction in a worker process, so a node is CPU-bound. Each run starts from a fresh database:
the nodes baseline every source, then every source gains ``--items`` items at once and is made
due, and the clock runs from the first poll until every article is stored. The same work is
done by 1 node (pinned to core 0) and by 2 nodes (pinned to cores 0 and 1, with ``taskset``;
their workers inherit the pinning).

Prints, for each run, articles per second and the cores used meanwhile (CPU seconds per second)
by each node with its workers, by PostgreSQL, by the feed server (this process) and by
everything else (busy cores from ``/proc/stat`` less those), beside the load average: other
work on the cores takes its share from the pinned nodes, and the ratio is only as good as the
cores were free. Then both figures, their ratio, and articles per CPU second of the nodes.

Needs PostgreSQL at 127.0.0.1:5432 (as the tests). Leaves nothing behind: SIGINT, SIGTERM,
SIGHUP or an error end the nodes (their whole process groups) and drop the database.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.feedserver import running_feed_server
from tests.nodes import Cluster, wait_until

DATABASE = "host=127.0.0.1 port=5432 user=postgres "
ADMIN = f"{DATABASE}dbname=postgres"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Cpu:
    """CPU seconds used so far (``/proc``)."""

    #: by each node with the workers in its session
    nodes: tuple[float, ...]
    #: by PostgreSQL (every database on it: other sessions' tests too)
    postgres: float
    #: by this process: the feed server, and the bench waiting for the articles
    bench: float
    #: by every core of the machine, all processes (busy: neither idle nor waiting for I/O)
    machine: float


@dataclass(frozen=True)
class Run:
    """What one run measured."""

    nodes: int
    #: articles stored per second
    rate: float
    #: cores used (CPU seconds per second of the run) by each node, PostgreSQL, the bench
    #: and everything else on the machine: 1.0 is a whole core
    node_cores: tuple[float, ...]
    postgres: float
    bench: float
    others: float
    #: the 1-minute load average at the end of the run
    load: float
    #: article pages fetched per article stored (1.0: no page fetched twice)
    fetches: float
    #: articles per CPU second of the nodes: what they did with the CPU they got
    per_core: float

    def line(self) -> str:
        nodes = "+".join(f"{b:.2f}" for b in self.node_cores)
        return (
            f"{self.nodes} node(s): {self.rate:5.1f} articles/s | cores used: nodes {nodes},"
            f" postgres {self.postgres:.2f}, feed server {self.bench:.2f}, others"
            f" {self.others:.2f} (of {os.cpu_count()}); load {self.load:.1f}"
            f" | page fetches per article {self.fetches:.2f}"
        )


def run(nodes: int, sources: int, items: int) -> Run:
    """The run of ``nodes`` nodes, each on its own core."""
    name = f"monitor_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as tmp, running_feed_server() as feeds:
            # polled once (the baseline), then only when the bench makes them due: the run
            # measures the articles, not 32 feeds answering "not modified" every second
            cluster = Cluster(
                Path(tmp), f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", feeds,
                sources=sources, every=3600.0, lease=15.0, claim_every=1.0, follow=True,
                extra_config=f"limits: {{article_fetches_per_poll: {items}}}\n",
            )  # fmt: skip
            try:
                return _measure(cluster, nodes, sources, items, f"{DATABASE}dbname={name}")
            finally:
                cluster.close()  # every node's whole process group, however the run ended
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _measure(cluster: Cluster, nodes: int, sources: int, items: int, database: str) -> Run:
    cluster.start(nodes, cpu=list(range(nodes)))
    with psycopg.connect(database, autocommit=True) as db:
        wait_until(lambda: _baselined(db) >= sources, 300, "the baseline polls")
        before, pages_before = _cpu(cluster), _pages(cluster)
        started = time.monotonic()
        for source in range(sources):
            cluster.publish(source, items)
        db.execute("UPDATE source SET next_check = now()")
        wait_until(lambda: _articles(db) >= sources * items, 600, "every article")
        ended = time.monotonic()
        after = _cpu(cluster)
    # the clock starts at the first poll, not when the bench made the sources due: how long a
    # node's claim loop sleeps before it sees them is not what is measured
    first_poll = min(e.at for e in list(cluster.feeds.log) if e.at >= started)
    elapsed = ended - started
    nodes_used = tuple((a - b) / elapsed for a, b in zip(after.nodes, before.nodes, strict=True))
    postgres = (after.postgres - before.postgres) / elapsed
    bench = (after.bench - before.bench) / elapsed
    machine = (after.machine - before.machine) / elapsed
    others = max(0.0, machine - sum(nodes_used) - postgres - bench)
    fetches = (_pages(cluster) - pages_before) / (sources * items)
    rate = sources * items / (ended - first_poll)
    per_core = sources * items / sum(a - b for a, b in zip(after.nodes, before.nodes, strict=True))
    for process in cluster.processes:
        cluster.stop(process)
    load = os.getloadavg()[0]
    return Run(nodes, rate, nodes_used, postgres, bench, others, load, fetches, per_core)


def _baselined(db: psycopg.Connection) -> int:
    """Sources polled once and not being polled now (0 before the first node made the tables)."""
    query = "SELECT count(*) FROM source WHERE baselined AND lease_owner IS NULL"
    try:
        return int(db.execute(query).fetchone()[0])  # type: ignore[index]
    except psycopg.errors.UndefinedTable:
        return 0


def _articles(db: psycopg.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM article").fetchone()[0])  # type: ignore[index]


def _pages(cluster: Cluster) -> int:
    return sum(entry.path.startswith("/a/") for entry in list(cluster.feeds.log))


def _cpu(cluster: Cluster) -> Cpu:
    """CPU seconds used so far by each node with its workers (a node is started as a session
    leader: its pid is the session id of its workers), by PostgreSQL, by this process and by
    the whole machine."""
    nodes = dict.fromkeys((p.pid for p in cluster.processes), 0.0)
    postgres = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, _, rest = stat.read_text().partition(" (")[2].rpartition(")")
        except OSError:
            continue  # the process ended meanwhile
        fields = rest.split()
        used = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
        if int(fields[3]) in nodes:
            nodes[int(fields[3])] += used
        elif name == "postgres":
            postgres += used
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    machine = (sum(values[:8]) - values[3] - values[4]) / TICK  # all but idle and iowait
    return Cpu(tuple(nodes.values()), postgres, time.process_time(), machine)


def _stop_on(signum: int, frame: FrameType | None) -> None:
    """A signal ends the bench as an error would: through the ``finally`` clauses."""
    raise SystemExit(128 + signum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=32)
    parser.add_argument("--items", type=int, default=10, help="per source; at most 20")
    args = parser.parse_args()
    if not 1 <= args.items <= 20:
        parser.error("--items: 1 to 20 (a source follows at most 20 items per poll)")
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    one = run(1, args.sources, args.items)
    print(one.line(), flush=True)
    two = run(2, args.sources, args.items)
    print(two.line(), flush=True)
    print(
        f"1 node {one.rate:.1f}, 2 nodes {two.rate:.1f} articles/s: ratio"
        f" {two.rate / one.rate:.2f}x; per node core-second {one.per_core:.1f} and"
        f" {two.per_core:.1f}; others used {one.others:.2f} and {two.others:.2f} cores,"
        f" load {one.load:.1f} and {two.load:.1f}"
    )


if __name__ == "__main__":
    main()
