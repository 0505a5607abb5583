"""Poll slots of one daemon on SQLite: at most ``cluster.polls`` polls in flight, the most
overdue source first, as the nodes of a cluster claim them.

A due source takes a slot before its poll fetches anything, so a daemon with more due sources
than slots holds sources waiting (a few bytes each), never fetched bodies waiting for the parse
workers. A slot given back goes to the waiting source that fell due first. What waits, and for
how long, is the daemon's backlog (``backlog``: ``monitor_sources_overdue`` and the like).
Does not own: when a source falls due (``monitor.scheduler``), what a poll does
(``monitor.pipeline``), the claim loop of several nodes (``monitor.node``).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Waiting:
    """A due source waiting for a poll slot."""

    source_id: str
    #: when it fell due (its stored next check, or the scheduled run)
    due: datetime
    #: its poll interval, in seconds: waiting longer than this makes it overdue
    every: float


@dataclass(frozen=True, slots=True)
class Backlog:
    """The due sources not started yet, as the metrics show them."""

    #: sources due and waiting for a slot
    waiting: int = 0
    #: of those, the ones waiting longer than their own poll interval
    overdue: int = 0
    #: seconds the longest-waiting source has been due (0 when none waits)
    oldest: float = 0.0


def backlog(waiting: Iterable[Waiting], now: datetime) -> Backlog:
    """What waits at ``now``: how many, how many past a whole interval, and the oldest age."""
    ages = [(max(0.0, (now - w.due).total_seconds()), w.every) for w in waiting]
    return Backlog(
        waiting=len(ages),
        overdue=sum(1 for age, every in ages if age > every),
        oldest=max((age for age, _every in ages), default=0.0),
    )


class PollSlots:
    """``size`` slots; ``take`` waits for one (the earliest due first), ``give_back`` frees it.

    Invariant: a slot is free only while nobody waits (a freed slot is handed on at once)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._busy = 0
        self._closed = False
        self._order = itertools.count()  # equal due times: first come, first served
        self._queue: list[tuple[datetime, int, Waiting, asyncio.Future[bool]]] = []

    @property
    def busy(self) -> int:
        """Polls holding a slot now."""
        return self._busy

    def resize(self, size: int) -> None:
        """A reload changed ``cluster.polls``: more slots start waiting sources at once; fewer
        take effect as running polls end (none is stopped)."""
        self._size = size
        self._hand_out()

    async def take(self, source_id: str, due: datetime, every: float) -> bool:
        """Wait for a slot, behind every source due earlier; False when the daemon stops (no
        slot taken). A caller cancelled while waiting takes none."""
        if self._closed:
            return False
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        heapq.heappush(
            self._queue, (due, next(self._order), Waiting(source_id, due, every), future)
        )
        self._hand_out()
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled() and future.result():
                self.give_back()  # handed a slot in the same turn it was cancelled
            raise

    def give_back(self) -> None:
        self._busy -= 1
        self._hand_out()

    def close(self) -> None:
        """The daemon stops: every waiting source gives up (``take`` answers False)."""
        self._closed = True
        for _due, _n, _waiting, future in self._queue:
            if not future.done():
                future.set_result(False)
        self._queue.clear()

    def waiting(self) -> list[Waiting]:
        """The sources waiting now, earliest due first."""
        live = sorted(entry[:3] for entry in self._queue if not entry[3].done())
        return [entry[2] for entry in live]

    def _hand_out(self) -> None:
        while self._queue and self._busy < self._size:
            _due, _n, _waiting, future = heapq.heappop(self._queue)
            if future.done():  # its caller was cancelled while waiting
                continue
            self._busy += 1
            future.set_result(True)
