"""Jobs for ``monitor.workers`` tests: module-level so a spawned worker can import them."""

from __future__ import annotations

import os
import signal
import time

from monitor.errors import ParseError


def add(a: int, b: int = 0) -> int:
    return a + b


def pid() -> int:
    return os.getpid()


def sleep_then(seconds: float, value: str) -> str:
    time.sleep(seconds)
    return value


def touch_then_sleep(path: str, seconds: float) -> None:
    """Creates ``path`` (the test learns that the job runs), then sleeps."""
    open(path, "a").close()
    time.sleep(seconds)


def wait_for_file(path: str, value: str) -> str:
    """Returns ``value`` once ``path`` exists (the test creates it when it is time)."""
    while not os.path.exists(path):
        time.sleep(0.01)
    return value


def spin(seconds: float) -> int:
    """Burns CPU (no sleeping) for ``seconds`` of wall time."""
    end, count = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        count += 1
    return count


def hog_memory(megabytes: int) -> int:
    blocks = [bytearray(1024 * 1024) for _ in range(megabytes)]
    return len(blocks)


def die() -> None:
    os._exit(3)


def segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def recurse(depth: int = 0) -> int:
    return recurse(depth + 1)


def refuse() -> None:
    raise ParseError("not a feed")


def divide(a: int, b: int) -> float:
    return a / b
