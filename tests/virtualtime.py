"""An asyncio event loop whose clock can jump: a test waits out a stop's grace in no time.

``VirtualTimeLoop.jump()`` switches it on: from then on, whenever the loop has nothing ready
(no I/O, no callback) it moves its clock to the next timer at once instead of sleeping. Before
that the loop is an ordinary one, so start-up work that runs in threads (``asyncio.to_thread``)
is awaited in real time; after it, a scenario must wait only on timers and on in-process I/O
(loopback sockets of this loop), never on a thread, whose answer would arrive "late".

    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        runner.run(scenario())
"""

from __future__ import annotations

import asyncio
import selectors
from typing import Any


class _JumpingSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]  # an alias
    """The platform's selector; when jumping, an idle wait advances ``offset`` instead."""

    def __init__(self) -> None:
        super().__init__()
        self.jumping = False
        self.offset = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        if not self.jumping:
            return super().select(timeout)  # type: ignore[no-any-return]
        ready = super().select(0)
        if ready or timeout is None or timeout <= 0:
            # nothing scheduled at all: only real I/O can come, so wait for it
            return ready or super().select(timeout)  # type: ignore[no-any-return]
        self.offset += timeout
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """See the module docstring."""

    def __init__(self) -> None:
        self._jumper = _JumpingSelector()
        super().__init__(self._jumper)

    def time(self) -> float:
        return super().time() + self._jumper.offset

    def jump(self) -> None:
        """From now on, waits on timers take no real time."""
        self._jumper.jumping = True

    async def shutdown_default_executor(self, *timeout: Any) -> None:
        """Threads are joined in real time: on Python 3.12 and later ``asyncio.Runner`` joins
        them under a 300 s timeout, which a jumping clock would reach at once."""
        self._jumper.jumping = False
        await super().shutdown_default_executor(*timeout)
