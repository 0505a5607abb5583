"""Named crash points for the crash test: ``MONITOR_CRASH_AT=point`` kills the process there.

Owns: one function, ``crash_point(name)``. When the environment variable ``MONITOR_CRASH_AT``
names that point, the process sends itself SIGKILL: no cleanup, no flush, no ``finally`` -- the
same as a power cut at that line. Unset (always, outside ``tests/test_crash.py``) it does nothing.

The points, in the order a match travels:

- ``after_store``: a poll's transaction (articles, matches, pending deliveries) has committed;
- ``after_compose``: a digest's composition is recorded, before it is sent;
- ``after_send``: a channel accepted a message, before it is recorded as sent (the one window
  where a crash causes a duplicate);
- ``after_record``: a message is recorded as sent.

Does not own: anything else. It is kept tiny on purpose: production code pays one dictionary
look-up per point.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "MONITOR_CRASH_AT"
POINTS = ("after_store", "after_compose", "after_send", "after_record")


def crash_point(name: str) -> None:
    """Die here, at once, if ``MONITOR_CRASH_AT`` names this point."""
    assert name in POINTS, name
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
