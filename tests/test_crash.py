"""The crash test: SIGKILL the running pipeline again and again while news keeps arriving.

A loopback feed keeps gaining matching items: one every 50 ms while the pipeline reads it (at
most one per read: a feed the daemon keeps up with, however slow the machine), and a pile of
them while the pipeline is down (backlogs become digests). The claim is "nothing recorded is
lost", not "a slow restart sees everything": the feed never gains more items between two reads
than one poll takes in (``items_per_poll``). ``tests.crash_driver`` (the real pipeline in a tight
loop, see its docstring) is killed with SIGKILL, its whole process group, at random moments, and
made to kill itself at each named crash point (``monitor.deliver.crash``): after a poll's
transaction, after a digest is recorded, after a send before its record, after a record. After
every kill no process of the group is left. Then the feed stops growing, a last run drains
everything, and the webhook's log is checked:

- every expected delivery (one per item and channel) arrived: none lost;
- every message names the ids of the deliveries it carries (a single alert's own id; a digest's
  ``delivery_ids`` and an ``id:`` on each line), so a receiver can drop a repeat;
- the repeats are explained by the send-before-record window: every repeated delivery was first
  carried by a message whose record a kill prevented, and there are no more such messages than
  kills. (A message whose record was lost is sent again with the same id, or, for a single
  alert, may be bundled into a digest on restart: its delivery id is in that digest.)

Runs on SQLite and PostgreSQL; prints the figures.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from monitor.identity import item_key
from monitor.store import Store
from monitor.store._convert import delivery_id
from tests.feedserver import FeedServer, running_feed_server
from tests.processes import kill_group, wait_until_empty
from tests.receivers import WebhookReceiver

ROOT = Path(__file__).resolve().parent.parent
TOPIC = "russia-asean"
RANDOM_KILLS = 8
NAMED = ("after_store", "after_compose", "after_send", "after_record", "after_send")


class GrowingFeed:
    """A feed that gains one matching item every ``every`` seconds, but only after it was read
    since the last one, until stopped; and ``pile_up`` items at once when the test says."""

    def __init__(self, feeds: FeedServer, every: float = 0.05) -> None:
        self.feeds = feeds
        self.every = every
        self.urls: list[str] = []
        self._reads = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._grow, daemon=True)
        self.publish()

    def publish(self) -> None:
        start = datetime(2024, 3, 4, tzinfo=UTC)
        items = "".join(
            f"<item><title>Rusia dan ASEAN bahas keamanan, laporan {n}</title><link>{url}</link>"
            f"<description>Rusia dan ASEAN sepakat memperkuat kerja sama {n}.</description>"
            f"<pubDate>{format_datetime(start + timedelta(seconds=n))}</pubDate></item>"
            for n, url in enumerate(self.urls)
        )
        body = f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>{items}"
        self.feeds.serve("/feed.xml", (body + "</channel></rss>").encode())

    def pile_up(self, count: int) -> None:
        """``count`` new items at once (while no pipeline runs)."""
        with self._lock:
            for _ in range(count):
                self.urls.append(f"https://news.example/{len(self.urls)}?utm_source=rss")
            self.publish()

    def _grow(self) -> None:
        while not self._stop.wait(self.every):
            reads = len(self.feeds.requests_to("/feed.xml"))
            if reads > self._reads:  # read since the last item: the pipeline keeps up
                self._reads = reads
                self.pile_up(1)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Figures:
    kills: int
    expected: int
    lost: int
    duplicates: int
    #: messages whose record a kill prevented (each caused the duplicates above)
    unrecorded_messages: int
    send_window_deaths: int


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[tuple[Path, GrowingFeed, WebhookReceiver]]:
    with running_feed_server() as feeds, WebhookReceiver() as hook:
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "w.yaml").write_text(
            f"topics:\n  - id: {TOPIC}\n    query: Rusia AND ASEAN\n    threshold: 0.1\n"
        )
        config = tmp_path / "monitor.yaml"
        config.write_text(
            f"database: {database_url}\n"
            "web: {listen: off}\n"
            "http: {user_agent: crash-test, allow_private_networks: true,"
            " per_host_interval: 0s}\n"
            "defaults: {follow: false}\n"  # the items link to news.example: never fetched
            f"sources:\n  - id: feed\n    feed: {feeds.url('/feed.xml')}\n"
            f"channels:\n  hook:\n    urls: ['{hook.url}?rto=5']\n"
        )
        yield config, GrowingFeed(feeds), hook


def start(config: Path, crash_at: str | None = None, *args: str) -> subprocess.Popen[bytes]:
    """The driver, in a session (and so a process group) of its own: killing that group kills
    the driver and its workers, and nothing else."""
    env = {**os.environ, "MONITOR_LOG_LEVEL": "ERROR"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.crash_driver", str(config), *args]
        + (["--crash-at", crash_at] if crash_at else []),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def ready(process: subprocess.Popen[bytes]) -> None:
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"driver ready"


def finish(process: subprocess.Popen[bytes], timeout: float) -> int:
    """The exit code; a process still running after ``timeout`` is killed first. Either way,
    no process of its group is left afterwards."""
    try:
        return process.wait(timeout=timeout)
    finally:
        kill_group(process.pid, signal.SIGKILL)
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
        assert wait_until_empty(process.pid) == [], "the driver left processes behind"


@pytest.mark.slow
def test_sigkill_at_any_moment_loses_nothing(
    world: tuple[Path, GrowingFeed, WebhookReceiver], database_url: str
) -> None:
    """Kill -9 at random moments and at every named point; then every delivery arrived once,
    except repeats from the send-before-record window, each carrying the same id."""
    config, feed, hook = world
    rng = random.Random(20240304)
    baseline = start(config, None, "--until-idle")  # the first poll: a silent baseline
    assert finish(baseline, 300) == 0
    feed.start()
    kills, in_window = 0, 0
    plan = [None] * RANDOM_KILLS + list(NAMED)
    rng.shuffle(plan)
    for crash_at in plan:
        # news arrives while it is down: a backlog over the burst limit becomes a digest
        feed.pile_up(10 if crash_at == "after_compose" else rng.randint(0, 10))
        process = start(config, crash_at)
        ready(process)
        if crash_at is None:
            time.sleep(rng.uniform(0.05, 1.5))  # a random moment, not a deadline
            kill_group(process.pid, signal.SIGKILL)
        code = finish(process, 300)
        assert code == -signal.SIGKILL, f"crash point {crash_at} was never reached"
        kills += 1
        in_window += crash_at == "after_send"
    feed.stop()
    final = start(config, None, "--until-idle")
    assert finish(final, 600) == 0

    figures = check(database_url, feed, hook, kills, in_window)
    print(f"crash test ({database_url.split(':')[0]}): {figures}")


def check(
    database_url: str,
    feed: GrowingFeed,
    hook: WebhookReceiver,
    kills: int,
    in_window: int,
    expect_repeat: bool = True,
) -> Figures:
    expected = {delivery_id(item_key(url, None), TOPIC, "hook") for url in feed.urls}
    messages = Counter[str]()
    received = Counter[str]()
    first_carrier: dict[str, str] = {}
    for request in hook.received:  # in arrival order
        payload = request.json()
        members = payload.get("delivery_ids") or [payload["delivery_id"]]
        if "delivery_ids" in payload:
            assert all(f"id: {m}" in payload["message"] for m in members)
        messages[payload["delivery_id"]] += 1
        received.update(members)
        for member in members:
            first_carrier.setdefault(member, payload["delivery_id"])
    lost = expected - set(received)
    duplicates = {d for d, n in received.items() if n > 1}
    assert not lost, f"{len(lost)} of {len(expected)} deliveries lost"
    assert set(received) == expected  # nothing unexpected either
    unrecorded = {first_carrier[d] for d in duplicates}
    assert len(unrecorded) <= kills
    # with two nodes the other one may have sent first: a repeat is likely, not certain
    assert duplicates or not expect_repeat, "the after_send crash point must leave a repeat"
    with Store.open(database_url) as store:
        counts = Counter(d.status for d in store.deliveries(limit=1_000_000))
    assert counts == {"sent": len(expected)}
    return Figures(kills, len(expected), len(lost), len(duplicates), len(unrecorded), in_window)
