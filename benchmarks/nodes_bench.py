"""CPU-bound polling on 1 and on 2 nodes sharing one PostgreSQL: the throughput ratio.

    python benchmarks/nodes_bench.py [--sources 32] [--items 10]

Sources with ``follow: true`` whose items link to article pages on a loopback server (the
Republika seed page, its words shuffled per article: each is a story of its own, as news is,
so saving one never looks through copies of all the others): each new item costs a fetch and an
extraction in a worker process, so a node is CPU-bound. Each run starts from a fresh database:
the nodes baseline every source, then store one article each (so that every node's worker
has extracted a page before the clock: its first extraction loads the extractor), then every
source gains ``--items`` items at once (pages and feeds rendered and handed to the server
before the clock starts) and is made due, and the clock runs from the first poll until every
article is stored. The same work is done by 1 node
(pinned to core 0) and by 2 nodes (pinned to cores 0 and 1, with ``taskset``; their workers
inherit the pinning).

The pages come from ``loopback_feeds``: answers rendered once, keep-alive connections (as most
publishers keep them), in a process of its own, so that what it costs is counted apart from the
nodes and from this process (which only waits for the articles).

Prints, for each run, articles per second and the cores used meanwhile (CPU seconds per second)
by each node with its workers, by PostgreSQL (its live processes and those that ended: a
connection closed takes its backend's CPU into the postmaster's children time), by the feed
server, by this process, by the kernel's interrupt work (``irq`` + ``softirq`` in
``/proc/stat``: loopback traffic mostly) and by everything else (busy cores less all those),
beside the load average: other work on the cores takes its share from the pinned nodes, and the
ratio is only as good as the cores were free. Then both figures, their ratio, the CPU per
article of the nodes and of all the rest, and what those allow on the machine's cores.

Needs PostgreSQL at 127.0.0.1:5432 (as the tests). Leaves nothing behind: SIGINT, SIGTERM,
SIGHUP or an error end the nodes (their whole process groups), the feed server, and drop the
database.
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
from loopback_feeds import FeedProcess, running_feed_process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.nodes import Cluster, wait_until

DATABASE = "host=127.0.0.1 port=5432 user=postgres "
ADMIN = f"{DATABASE}dbname=postgres"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Cpu:
    """CPU seconds used so far (``/proc``)."""

    #: by each node with the workers in its session (those that ended too)
    nodes: tuple[float, ...]
    #: by PostgreSQL, every database on it (other sessions' tests too): its live processes
    #: and those that ended (the postmaster's children time)
    postgres: float
    #: by the feed server's process
    feeds: float
    #: by this process: it only waits for the articles
    bench: float
    #: by the kernel serving interrupts, all cores (``irq`` + ``softirq``): loopback traffic
    kernel: float
    #: by every core of the machine, all processes (busy: neither idle nor waiting for I/O)
    machine: float

    def __sub__(self, before: Cpu) -> Cpu:
        nodes = tuple(a - b for a, b in zip(self.nodes, before.nodes, strict=True))
        return Cpu(
            nodes, self.postgres - before.postgres, self.feeds - before.feeds,
            self.bench - before.bench, self.kernel - before.kernel, self.machine - before.machine,
        )  # fmt: skip

    @property
    def rest(self) -> float:
        """What the run cost besides the nodes' own work: PostgreSQL, the feed server, this
        process and the kernel's interrupts (not the other processes on the machine)."""
        return self.postgres + self.feeds + self.bench + self.kernel

    @property
    def others(self) -> float:
        """Everything else the machine ran meanwhile (0 if the figures above overlap)."""
        return max(0.0, self.machine - sum(self.nodes) - self.rest)


@dataclass(frozen=True)
class Run:
    """What one run measured."""

    nodes: int
    articles: int
    #: articles stored per second
    rate: float
    #: seconds of the run (from the bench making the sources due) and the CPU used meanwhile
    elapsed: float
    used: Cpu
    #: the 1-minute load average at the end of the run
    load: float
    #: article pages fetched per article stored (1.0: no page fetched twice)
    fetches: float

    @property
    def per_core(self) -> float:
        """Articles per CPU second of the nodes: what they did with the CPU they got."""
        return self.articles / sum(self.used.nodes)

    def cores(self, seconds: float) -> float:
        return seconds / self.elapsed

    def line(self) -> str:
        used = self.used
        nodes = "+".join(f"{self.cores(b):.2f}" for b in used.nodes)
        return (
            f"{self.nodes} node(s): {self.rate:5.1f} articles/s | cores used: nodes {nodes},"
            f" postgres {self.cores(used.postgres):.2f}, feed server {self.cores(used.feeds):.2f},"
            f" bench {self.cores(used.bench):.2f}, kernel irq {self.cores(used.kernel):.2f},"
            f" others {self.cores(used.others):.2f} (of {os.cpu_count()}); load"
            f" {self.load:.1f} | CPU ms per article: nodes {self.ms(sum(used.nodes)):.1f},"
            f" the rest {self.ms(used.rest):.1f} | page fetches per article {self.fetches:.2f}"
        )

    def ms(self, seconds: float) -> float:
        return 1000 * seconds / self.articles


def run(nodes: int, sources: int, items: int) -> Run:
    """The run of ``nodes`` nodes, each on its own core."""
    name = f"monitor_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory() as tmp, running_feed_process() as feeds:
            # polled once (the baseline), then only when the bench makes them due: the run
            # measures the articles, not 32 feeds answering "not modified" every second
            cluster = Cluster(
                Path(tmp), f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", feeds,
                sources=sources, every=3600.0, lease=15.0, claim_every=1.0, follow=True,
                extra_config=f"limits: {{article_fetches_per_poll: {items}}}\n",
            )  # fmt: skip
            try:
                return _measure(cluster, feeds, nodes, items, f"{DATABASE}dbname={name}")
            finally:
                cluster.close()  # every node's whole process group, however the run ended
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _measure(cluster: Cluster, feeds: FeedProcess, nodes: int, items: int, database: str) -> Run:
    sources = cluster.sources
    cluster.start(nodes, cpu=list(range(nodes)))
    with psycopg.connect(database, autocommit=True) as db:
        wait_until(lambda: _baselined(db) >= sources, 300, "the baseline polls")
        _warm_up(cluster, db)
        for source in range(sources):  # not polled before they are due: far from now
            cluster.publish(source, items)
        pages_before = feeds.requests_under("/a/")
        before, started = _cpu(cluster, feeds), time.monotonic()
        db.execute("UPDATE source SET next_check = now()")
        ended = _stored(db, sources * (items + 1), timeout=600)
        used = _cpu(cluster, feeds) - before
    # the clock starts at the first poll, not when the bench made the sources due: how long a
    # node's claim loop sleeps before it sees them is not what is measured
    first_poll = feeds.first_request(started)
    assert first_poll is not None  # every article was stored: their feeds were fetched
    fetches = (feeds.requests_under("/a/") - pages_before) / (sources * items)
    for process in cluster.processes:
        cluster.stop(process)
    rate = sources * items / (ended - first_poll)
    load = os.getloadavg()[0]
    return Run(nodes, sources * items, rate, ended - started, used, load, fetches)


def _warm_up(cluster: Cluster, db: psycopg.Connection) -> None:
    """One article per source before the clock, so that every node has extracted a page: a
    worker's first extraction imports the extractor and loads its models (about a second of
    CPU, once per process). In the clock it counted once on 1 node and twice on 2 (a fifth of
    a node's CPU in a run of 32 x 10): a steady daemon pays it once, at its first article."""
    for source in range(cluster.sources):
        cluster.publish(source, 1)
    db.execute("UPDATE source SET next_check = now()")
    _stored(db, cluster.sources, timeout=300)
    wait_until(lambda: _baselined(db) >= cluster.sources, 60, "the warm-up polls")


def _baselined(db: psycopg.Connection) -> int:
    """Sources polled once and not being polled now (0 before the first node made the tables)."""
    query = "SELECT count(*) FROM source WHERE baselined AND lease_owner IS NULL"
    try:
        return int(db.execute(query).fetchone()[0])  # type: ignore[index]
    except psycopg.errors.UndefinedTable:
        return 0


def _articles(db: psycopg.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM article").fetchone()[0])  # type: ignore[index]


def _stored(db: psycopg.Connection, total: int, timeout: float) -> float:
    """The monotonic time when ``total`` articles were stored, within 20 ms: the count is read
    4 times a second up to 90% of them, then 50 (each read costs PostgreSQL a scan of the
    table and this process a query: at 20 a second they were a tenth of what was not the
    nodes' own work)."""
    deadline = time.monotonic() + timeout
    while (count := _articles(db)) < total:
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for every article")
        time.sleep(0.25 if count < 0.9 * total else 0.02)
    return time.monotonic()


def _cpu(cluster: Cluster, feeds: FeedProcess) -> Cpu:
    """CPU seconds used so far by each node with its workers (a node is started as a session
    leader: its pid is the session id of its workers), by PostgreSQL, by the feed server, by
    this process, by the kernel's interrupts and by the whole machine."""
    nodes = dict.fromkeys((p.pid for p in cluster.processes), 0.0)
    postgres = served = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, name, fields = _stat(stat)
        except OSError:
            continue  # the process ended meanwhile
        used = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
        ended = (int(fields[13]) + int(fields[14])) / TICK  # of its children that ended
        if int(fields[3]) in nodes:  # session
            nodes[int(fields[3])] += used + ended
        elif name == "postgres":
            # the postmaster (its parent is no postgres) reaps every backend that ended
            postgres += used + (ended if _name(int(fields[1])) != "postgres" else 0.0)
        elif pid == feeds.pid:
            served = used
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    machine = (sum(values[:8]) - values[3] - values[4]) / TICK  # all but idle and iowait
    kernel = (values[5] + values[6]) / TICK
    return Cpu(tuple(nodes.values()), postgres, served, time.process_time(), kernel, machine)


def _stat(path: Path) -> tuple[int, str, list[str]]:
    """(pid, name, the fields after the name) of ``/proc/<pid>/stat``."""
    text = path.read_text()
    head, _, rest = text.rpartition(")")
    pid, _, name = head.partition(" (")
    return int(pid), name, rest.split()


def _name(pid: int) -> str:
    try:
        return _stat(Path(f"/proc/{pid}/stat"))[1]
    except OSError:
        return ""


def _stop_on(signum: int, frame: FrameType | None) -> None:
    """A signal ends the bench as an error would: through the ``finally`` clauses."""
    raise SystemExit(128 + signum)


def _summary(one: Run, two: Run) -> str:
    """The ratio, and the most the CPU per article allows: with ``n`` ms of the nodes and ``r``
    ms of PostgreSQL, the feed server, this process and the kernel per article (the 2-node
    run's), the machine's cores do at most cores / (n + r) articles a second however the nodes
    are placed (less, by what other processes take), and one node on a core of its own at most
    1 / n: the ratio is at most cores x n / (n + r)."""
    cores = os.cpu_count() or 1
    n, r = two.ms(sum(two.used.nodes)), two.ms(two.used.rest)
    return (
        f"1 node {one.rate:.1f}, 2 nodes {two.rate:.1f} articles/s: ratio"
        f" {two.rate / one.rate:.2f}x; per node core-second {one.per_core:.1f} and"
        f" {two.per_core:.1f} (ratio {two.per_core / one.per_core:.2f}); load {one.load:.1f} and"
        f" {two.load:.1f}\nper article (2 nodes): {n:.1f} ms of the nodes, {r:.1f} ms of the rest:"
        f" {cores} cores do at most {1000 * cores / (n + r):.1f} articles/s, one node on a core"
        f" of its own {1000 / n:.1f}: ratio at most {cores * n / (n + r):.2f}x"
    )


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
    print(_summary(one, two))


if __name__ == "__main__":
    main()
