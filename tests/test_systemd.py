"""The systemd side: the shipped unit verifies, and ``monitor run`` speaks sd_notify.

A real ``monitor run`` process is started with ``$NOTIFY_SOCKET`` pointing at a datagram socket
this test binds, as systemd does for a ``Type=notify`` service.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.systemd import Notifier

#: how long a hung daemon is waited for (a hang guard, never a speed judgment)
HANG = 300
UNIT = Path(__file__).parent.parent / "contrib" / "monitor.service"

CONFIG = """\
database: sqlite:///{db}
web: {{listen: off}}
watchlists: []
sources:
  - id: local
    feed: http://127.0.0.1:9/feed.xml
    every: 1h
"""


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_shipped_unit_verifies(tmp_path: Path) -> None:
    """`systemd-analyze verify` accepts the unit (ExecStart pointed at this install)."""
    monitor = Path(sys.executable).with_name("monitor")
    unit = tmp_path / "monitor.service"
    unit.write_text(UNIT.read_text().replace("/opt/monitor/bin/monitor", str(monitor)))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_unit_is_a_hardened_notify_service() -> None:
    """The unit waits for READY=1, has a watchdog and runs unprivileged in a read-only system."""
    lines = set(UNIT.read_text().splitlines())
    for expected in (
        "Type=notify",
        "WatchdogSec=60",
        "DynamicUser=yes",
        "StateDirectory=monitor",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
    ):
        assert expected in lines


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify.sock"))
    sock.settimeout(1)  # each wait is short; _receive_until checks the daemon in between
    yield sock
    sock.close()


def test_run_reports_ready_watchdog_and_stopping(
    tmp_path: Path, notify_socket: socket.socket
) -> None:
    """READY=1 once scheduled, WATCHDOG=1 pings from the loop, STOPPING=1 on SIGTERM, exit 0."""
    config = tmp_path / "monitor.yaml"
    config.write_text(CONFIG.format(db=tmp_path / "monitor.db"))
    env = {
        **os.environ,
        "NOTIFY_SOCKET": notify_socket.getsockname(),
        "WATCHDOG_USEC": "200000",
        "MONITOR_LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "daemon.log"
    with open(log, "w") as log_file:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "run"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        received = _receive_until(notify_socket, "READY=1", daemon, log)
        assert _receive_until(notify_socket, "WATCHDOG=1", daemon, log)[-1] == "WATCHDOG=1"
        daemon.send_signal(signal.SIGTERM)
        assert _receive_until(notify_socket, "STOPPING=1", daemon, log)[-1] == "STOPPING=1"
        assert daemon.wait(timeout=HANG) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    assert "READY=1" in received
    assert "Traceback" not in log.read_text()


def _receive_until(
    sock: socket.socket, wanted: str, daemon: subprocess.Popen[bytes], log: Path
) -> list[str]:
    """The messages up to ``wanted``. A daemon that exits fails at once, with its log; only a
    hang waits out ``HANG`` (a startup on a loaded 2-core machine can take a minute)."""
    messages: list[str] = []
    deadline = time.monotonic() + HANG
    while wanted not in messages:
        try:
            messages.append(sock.recv(4096).decode())
        except TimeoutError:
            assert daemon.poll() is None, f"daemon exited {daemon.returncode}: {log.read_text()}"
            assert time.monotonic() < deadline, f"no {wanted} in {HANG}s; got {messages}"
    return messages


def test_notifier_is_silent_outside_systemd() -> None:
    """No $NOTIFY_SOCKET: nothing is sent and nothing fails."""
    notifier = Notifier({})
    assert notifier.notify("READY=1") is False
    assert notifier.watchdog_every is None


def test_watchdog_interval_is_half_the_timeout() -> None:
    assert Notifier({"WATCHDOG_USEC": "60000000"}).watchdog_every == 30.0
    assert Notifier({"WATCHDOG_USEC": "junk"}).watchdog_every is None


def test_abstract_socket_names_are_supported() -> None:
    """A name starting with @ is Linux's abstract namespace (systemd uses it in containers)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    name = f"@monitor-test-{os.getpid()}"
    server.bind(b"\0" + name[1:].encode())
    server.settimeout(10)
    try:
        assert Notifier({"NOTIFY_SOCKET": name}).notify("STATUS=hello")
        assert server.recv(100) == b"STATUS=hello"
    finally:
        server.close()
