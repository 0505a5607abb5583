"""Nothing outlives the daemon: a SIGKILL of ``monitor run`` (a crash, an OOM kill) leaves no
worker process and no multiprocessing helper behind.

The daemon is started in a session of its own, so its process group holds it and everything
it started; only the daemon itself is killed, and then the group must empty by itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.feedserver import running_feed_server
from tests.processes import kill_group, live_members, wait_until_empty

ROOT = Path(__file__).resolve().parent.parent
FEED = (
    b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
    b"<item><title>Rusia dan ASEAN</title><link>https://news.example/1</link></item>"
    b"</channel></rss>"
)


@pytest.mark.slow
def test_sigkill_of_monitor_run_leaves_no_process(tmp_path: Path) -> None:
    """Kill -9 the daemon once its workers run: every process it started ends too."""
    with running_feed_server() as feeds:
        feeds.serve("/feed.xml", FEED)
        config = tmp_path / "monitor.yaml"
        config.write_text(
            f"database: sqlite:///{tmp_path / 'monitor.db'}\n"
            "web: {listen: off}\n"
            "http: {user_agent: orphan-test, allow_private_networks: true,"
            " per_host_interval: 0s}\n"
            "defaults: {follow: false}\n"
            f"sources:\n  - id: feed\n    feed: {feeds.url('/feed.xml')}\n"
        )
        env = {**os.environ, "MONITOR_LOG_LEVEL": "ERROR", "MONITOR_POLL_EVERY": "1s"}
        daemon = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            # the daemon, its resource tracker and a worker: the feed was parsed in a worker
            assert _wait_for_members(daemon.pid, 3), "the daemon never started a worker"
            daemon.send_signal(signal.SIGKILL)  # the daemon only, not its group
            daemon.wait()
            assert wait_until_empty(daemon.pid) == []
        finally:
            kill_group(daemon.pid, signal.SIGKILL)
            daemon.wait()


def _wait_for_members(group: int, count: int, timeout: float = 120.0) -> bool:
    """True once ``group`` has ``count`` live processes (the deadline bounds a failing run)."""
    import time

    deadline = time.monotonic() + timeout
    while len(live_members(group)) < count:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
