"""A cap on the share of the daemon's time that page traffic may take.

The web side runs in the daemon's process, so every page rendered is time a poll does not get.
``Budget`` lets one page be worked on at a time, and after a page that took *t* seconds the
next one starts no sooner than *t × (1/share − 1)* later: with ``share=0.25`` pages take at most a
quarter of the time, whatever the traffic; beyond that they queue. A person clicking around never
notices (a page is ~50 ms); a flood of requests cannot slow polling much.
Owns: that arithmetic and the waiting. Time and sleep are injected (tests use fakes).
Does not own: which requests pay (``app``: pages and feeds do, ``/healthz`` and ``/metrics`` not).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

#: the share of wall-clock time pages may take by default
DEFAULT_SHARE = 0.25


class Budget:
    """One page at a time, and a rest after each in proportion to its cost."""

    def __init__(
        self,
        share: float = DEFAULT_SHARE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1]: {share}")
        self._rest_factor = 1 / share - 1
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._free_at = 0.0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold the page slot for the block; waits for the previous page's rest first."""
        async with self._lock:
            wait = self._free_at - self._clock()
            if wait > 0:
                await self._sleep(wait)
            started = self._clock()
            try:
                yield
            finally:
                ended = self._clock()
                self._free_at = ended + (ended - started) * self._rest_factor
