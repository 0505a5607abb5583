"""Real ``monitor run`` processes sharing one database, for the cluster tests and the benchmark.

Owns: writing a monitor.yaml for N loopback sources and the given channels, starting daemons in
their own process groups (each with its log file), stopping, pausing and killing them (the whole
group: workers too), and the figures the tests judge: requests per source from the feed
server's log, and the delivery ids each webhook received. Nothing here asserts: pytest is not
imported, so ``benchmarks/nodes_bench.py`` uses it too.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol, TypeVar

from monitor.identity import item_key
from monitor.store._convert import delivery_id
from tests.feedserver import FeedServer
from tests.pages import SEED_PARAGRAPHS, seed_page
from tests.receivers import WebhookReceiver

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
TOPIC = "russia-asean"
WATCHLIST = f"topics:\n  - id: {TOPIC}\n    query: Rusia AND ASEAN\n    threshold: 0.1\n"


class Feeds(Protocol):
    """What a cluster needs of its feed server: ``tests.feedserver.FeedServer``, or the
    benchmark's leaner one in a process of its own."""

    def url(self, path: str) -> str: ...

    def serve(self, path: str, body: bytes, content_type: str = ...) -> str: ...


@dataclass
class Cluster:
    """Daemons on one database, polling ``sources`` feeds served by ``feeds``."""

    root: Path
    database_url: str
    #: ``request_times`` needs a ``FeedServer`` (its log)
    feeds: Feeds
    sources: int
    every: float = 2.0
    lease: float = 3.0
    #: seconds between a node's claims of due sources (at most)
    claim_every: float = 1.0
    #: channel name -> receiver
    hooks: dict[str, WebhookReceiver] = field(default_factory=dict)
    follow: bool = False
    #: article links per feed item (follow: their pages are served by ``feeds``)
    extra_config: str = ""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    items: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        (self.root / "watchlists").mkdir(parents=True, exist_ok=True)
        (self.root / "watchlists" / "w.yaml").write_text(WATCHLIST)
        for n in range(self.sources):
            self.items[n] = []
            self.publish(n)
        self.config.write_text(self._config())

    @property
    def config(self) -> Path:
        return self.root / "monitor.yaml"

    def _config(self) -> str:
        sources = "".join(
            f"  - id: s{n}\n    feed: {self.feeds.url(f'/s{n}.xml')}\n" for n in range(self.sources)
        )
        channels = "".join(
            f"  {name}:\n    urls: ['{hook.url}?rto=30']\n" for name, hook in self.hooks.items()
        )
        return (
            f"database: {self.database_url}\n"
            "web: {listen: off}\n"
            "http: {user_agent: nodes-test, allow_private_networks: true, per_host_interval: 0s,"
            " per_host: 100, concurrency: 100}\n"
            f"defaults: {{follow: {str(self.follow).lower()}, every: {self.every}s, jitter: 0s}}\n"
            "delivery: {every: 1s, retry_base: 1s, retry_max: 2s}\n"
            f"cluster: {{lease: {self.lease}s, claim_every: {self.claim_every}s}}\n"
            f"{self.extra_config}"
            f"sources:\n{sources}" + (f"channels:\n{channels}" if channels else "")
        )

    # --- news -----------------------------------------------------------------------------

    def publish(self, source: int, count: int = 0) -> None:
        """Add ``count`` matching items to source ``source``'s feed (0: just serve it)."""
        for _ in range(count):
            n = len(self.items[source])
            self.items[source].append(self.article_url(source, n))
            if self.follow:
                page = seed_page(
                    url=self.items[source][-1], title=f"Rusia dan ASEAN {source}-{n}",
                    paragraphs=_reworded(f"{source}-{n}"),
                )  # fmt: skip
                self.feeds.serve(f"/a/{source}/{n}", page, content_type="text/html")
        start = datetime(2024, 3, 4, tzinfo=UTC)
        body = "".join(
            f"<item><title>Rusia dan ASEAN bahas keamanan {source}-{n}</title><link>{url}</link>"
            f"<description>Rusia dan ASEAN sepakat memperkuat kerja sama {source}-{n}."
            f"</description><pubDate>{format_datetime(start + timedelta(seconds=n))}</pubDate>"
            "</item>"
            for n, url in enumerate(self.items[source])
        )
        feed = f"<?xml version='1.0'?><rss version='2.0'><channel><title>s{source}</title>{body}"
        self.feeds.serve(f"/s{source}.xml", (feed + "</channel></rss>").encode())

    def article_url(self, source: int, n: int) -> str:
        if self.follow:
            return self.feeds.url(f"/a/{source}/{n}")
        return f"https://news.example/{source}/{n}"

    def expected(self, channel: str) -> set[str]:
        return {
            delivery_id(item_key(url, None), TOPIC, channel)
            for urls in self.items.values()
            for url in urls
        }

    # --- processes ------------------------------------------------------------------------

    def start(
        self, count: int = 1, cpu: Sequence[int] | None = None
    ) -> list[subprocess.Popen[bytes]]:
        """Start ``count`` daemons, each in its own process group (and pinned to ``cpu[i]``)."""
        started = []
        for _ in range(count):
            index = len(self.processes)
            env = {**os.environ, "MONITOR_LOG_LEVEL": "INFO", "MONITOR_MIN_EVERY": "0.5"}
            env.pop("MONITOR_CRASH_AT", None)
            command = [sys.executable, "-m", "monitor", "--config", str(self.config), "run"]
            if cpu is not None:
                command = ["taskset", "-c", str(cpu[index % len(cpu)]), *command]
            with open(self.log(index), "wb") as log:
                process = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
            self.processes.append(process)
            started.append(process)
        return started

    def log(self, index: int) -> Path:
        return self.root / f"node{index}.log"

    def signal(self, process: subprocess.Popen[bytes], sig: int, group: bool = True) -> None:
        if process.poll() is not None:
            return
        try:
            if group:
                os.killpg(process.pid, sig)
            else:
                os.kill(process.pid, sig)
        except ProcessLookupError:
            pass

    def stop(self, process: subprocess.Popen[bytes], timeout: float = 30) -> int:
        """SIGTERM, then SIGKILL (the whole group) if it did not stop within ``timeout``."""
        self.signal(process, signal.SIGCONT, group=True)
        self.signal(process, signal.SIGTERM, group=False)
        try:
            return process.wait(timeout=timeout)
        finally:
            self.kill(process)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        self.signal(process, signal.SIGKILL)
        if process.poll() is None:
            process.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # workers left in the group, if any

    def close(self) -> None:
        """Kill every process started (and its workers)."""
        for process in self.processes:
            self.kill(process)

    # --- figures --------------------------------------------------------------------------

    def request_times(self, since: float = 0.0) -> dict[str, list[float]]:
        """Monotonic times of the requests to each source's feed at or after ``since``."""
        assert isinstance(self.feeds, FeedServer)
        times: dict[str, list[float]] = {f"s{n}": [] for n in range(self.sources)}
        for entry in list(self.feeds.log):
            name = entry.path.removeprefix("/").removesuffix(".xml")
            if name in times and entry.at >= since:
                times[name].append(entry.at)
        return times

    def received(self, channel: str) -> Counter[str]:
        """How often each delivery id reached ``channel`` (alone or in a digest)."""
        counts = Counter[str]()
        for request in self.hooks[channel].received:
            payload = request.json()
            counts.update(payload.get("delivery_ids") or [payload["delivery_id"]])
        return counts


def _reworded(seed: str) -> list[str]:
    """The seed article's paragraphs with their words shuffled (the same for one ``seed``):
    as long to extract, but a story of its own. Copies of one text would make every article a
    copy of the first, and each save look through all the copies before it (issue 14)."""
    rng = random.Random(seed)
    paragraphs = []
    for paragraph in SEED_PARAGRAPHS:
        words = paragraph.split()
        rng.shuffle(words)
        paragraphs.append(" ".join(words))
    return paragraphs


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` until true; the seconds it took. TimeoutError names ``what``."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def wait_for(value: Callable[[], T | None], timeout: float, what: str) -> T:
    """Poll ``value`` until it gives something (not None) and return that: read once, so a
    state that changes between two reads (a lease changing hands) is never seen half.
    TimeoutError names ``what``."""
    started = time.monotonic()
    while (found := value()) is None:
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(0.05)
    return found


def polls_per_second(times: Sequence[float], skip: int = 1) -> float | None:
    """One source's poll rate: intervals over the time they span (after ``skip`` requests)."""
    kept = sorted(times)[skip:]
    if len(kept) < 2:
        return None
    return (len(kept) - 1) / (kept[-1] - kept[0])
