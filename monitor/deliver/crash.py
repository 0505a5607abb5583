"""Named checkpoints on a match's way, where the crash test stops the process.

Owns: the names of the points and the type of the hook that is called at each. Production code
calls the checkpoint it was given; the daemon gives none (``unchecked``), so nothing happens.
``tests/crash_driver.py`` gives one that kills its process group at a chosen point: no cleanup,
no flush, no ``finally`` -- the same as a power cut at that line.

The points, in the order a match travels:

- ``after_store``: a poll's transaction (articles, matches, pending deliveries) has committed;
- ``after_compose``: a digest's composition is recorded, before it is sent;
- ``after_send``: a channel accepted a message, before it is recorded as sent (the one window
  where a crash causes a duplicate);
- ``after_record``: a message is recorded as sent.

Does not own: what happens at a point (the caller of ``Pipeline`` decides).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

#: one of the named points above
Point = Literal["after_store", "after_compose", "after_send", "after_record"]
POINTS: tuple[Point, ...] = ("after_store", "after_compose", "after_send", "after_record")

#: called with the point's name each time a match passes it
Checkpoint = Callable[[Point], None]


def unchecked(point: Point) -> None:
    """The daemon's checkpoint: nothing happens."""
