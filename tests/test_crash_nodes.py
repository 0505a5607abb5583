"""The crash test with two nodes: two crash drivers share one PostgreSQL database as
``monitor run`` nodes do (claims, leases, fences), and both are killed again and again.

Each round starts two ``tests.crash_driver --node`` processes: one dies at a named crash point
(or by a random SIGKILL), the other is SIGKILLed a moment later, while the feed keeps growing.
A killed node's leases lapse after the short lease time, and the next round's nodes take over.
Then a last single run drains everything, and the webhook's log is judged as in
``tests/test_crash.py``: nothing lost, every repeat carried the same ids and is explained by a
kill in the send-before-record window.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.feedserver import running_feed_server
from tests.receivers import WebhookReceiver
from tests.test_crash import NAMED, RANDOM_KILLS, ROOT, TOPIC, GrowingFeed, check, finish, ready

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def world(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, GrowingFeed, WebhookReceiver]]:
    monkeypatch.setenv("MONITOR_MIN_EVERY", "0.2")  # the crash drivers inherit it
    with running_feed_server() as feeds, WebhookReceiver() as hook:
        (tmp_path / "watchlists").mkdir()
        (tmp_path / "watchlists" / "w.yaml").write_text(
            f"topics:\n  - id: {TOPIC}\n    query: Rusia AND ASEAN\n    threshold: 0.1\n"
        )
        config = tmp_path / "monitor.yaml"
        config.write_text(
            f"database: {postgres_url}\n"
            "web: {listen: off}\n"
            "http: {user_agent: crash-test, allow_private_networks: true,"
            " per_host_interval: 0s}\n"
            "defaults: {follow: false, every: 0.3s, jitter: 0s}\n"
            "cluster: {lease: 1s}\n"
            # restarts of two nodes on a loaded machine may let the feed outrun the default cap
            "limits: {items_per_poll: 100000}\n"
            f"sources:\n  - id: feed\n    feed: {feeds.url('/feed.xml')}\n"
            f"channels:\n  hook:\n    urls: ['{hook.url}?rto=5']\n"
        )
        yield config, GrowingFeed(feeds), hook


def test_two_nodes_killed_at_any_moment_lose_nothing(
    world: tuple[Path, GrowingFeed, WebhookReceiver], postgres_url: str
) -> None:
    """Both nodes killed in every round: every delivery arrived; repeats only from kills."""
    config, feed, hook = world
    rng = random.Random(20261205)
    baseline = start(config, None, "--until-idle")
    assert finish(baseline, 60) == 0
    kill_group(baseline)
    feed.start()
    kills, in_window, reached = 0, 0, 0
    plan: list[str | None] = [None] * (RANDOM_KILLS // 2) + list(NAMED)
    rng.shuffle(plan)
    for crash_at in plan:
        if crash_at == "after_compose":  # a backlog over the burst limit becomes a digest
            feed.pile_up(10)
        crashing = start(config, crash_at, "--node")
        partner = start(config, None, "--node")
        try:
            ready(crashing)
            ready(partner)
            if crash_at is None:
                time.sleep(rng.uniform(0.05, 1.5))
                crashing.send_signal(signal.SIGKILL)
            # a crash point another node's work kept away is killed anyway
            reached += _ended(crashing, 8) and crash_at is not None
            time.sleep(rng.uniform(0.0, 0.3))
            partner.send_signal(signal.SIGKILL)
        finally:
            for process in (crashing, partner):
                kill_group(process)
                finish(process, 5)
        kills += 2
        in_window += crash_at == "after_send"
    feed.stop()
    final = start(config, None, "--until-idle")
    assert finish(final, 120) == 0
    kill_group(final)
    figures = check(postgres_url, feed, hook, kills, in_window, expect_repeat=False)
    print(f"crash test (two nodes): {figures}, named crash points reached: {reached}")
    assert reached, "no named crash point was reached with two nodes"


def start(config: Path, crash_at: str | None = None, *args: str) -> subprocess.Popen[bytes]:
    """A crash driver in its own process group: killing the group kills its workers too."""
    env = {**os.environ, "MONITOR_LOG_LEVEL": "ERROR"}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.crash_driver", str(config), *args]
        + (["--crash-at", crash_at] if crash_at else []),
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the driver and every worker it started (it is their process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _ended(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """True if the process died on its own within ``timeout``; else it is killed."""
    try:
        process.wait(timeout=timeout)
        return True
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return False
