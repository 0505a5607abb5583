"""Politeness per host: how many requests at once, how far apart, and who asked us to wait.

Owns: a gate per host name that admits at most ``per_host`` requests at once, starts them at
least ``interval`` seconds apart, and remembers a ``Retry-After`` (429/503) so that no request
goes to that host until it has passed. The clock is the event loop's monotonic time unless one
is injected (a test's, which passes spacing and holds without waiting them out). With
``shared`` (several nodes on one database) the spacing and the holds are agreed with the other
nodes through it: a start time is reserved there, a hold is written there and learned from it.
Does not own: what is fetched, nor the overall limit (``monitor.fetch._client``), nor where the
shared state is kept (``monitor.node``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger("monitor.fetch")


class SharedHosts(Protocol):
    """Politeness state agreed with other nodes (blocking calls: run in a thread)."""

    def reserve(self, host: str, interval: float) -> float:
        """Reserve the next start for ``host``, ``interval`` after the last one anyone took:
        seconds to wait for it."""
        ...

    def hold(self, host: str, seconds: float, status: int) -> None:
        """Tell every node that ``host`` asked to be left alone for ``seconds`` (``status``)."""
        ...

    def held(self, host: str) -> tuple[float, int]:
        """Seconds ``host`` still asked every node to wait (0 when none), and the status."""
        ...


class MonotonicClock(Protocol):
    """The seconds the spacing and the holds are counted in, and the wait between them."""

    def time(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class LoopClock:
    """The running event loop's monotonic time and ``asyncio.sleep``: the daemon's clock."""

    def time(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class _Host:
    """The gate of one host (mutable: it is the state of the politeness rules)."""

    slots: asyncio.Semaphore
    #: serialises the spacing decision, so two waiters never take the same start time
    spacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: clock time before which no request may start
    next_start: float = 0.0
    #: clock time until which the host asked us (Retry-After) to stay away, and its status
    deferred_until: float = 0.0
    deferred_status: int = 0


class HostGates:
    """One gate per host name; create inside the running event loop."""

    def __init__(
        self,
        per_host: int,
        interval: float,
        shared: SharedHosts | None = None,
        clock: MonotonicClock | None = None,
    ) -> None:
        self._per_host = per_host
        self._interval = interval
        self._shared = shared
        self._clock = clock or LoopClock()
        self._hosts: dict[str, _Host] = {}
        self._writes: set[asyncio.Task[None]] = set()

    def _host(self, name: str) -> _Host:
        if name not in self._hosts:
            self._hosts[name] = _Host(asyncio.Semaphore(self._per_host))
        return self._hosts[name]

    @asynccontextmanager
    async def slot(self, name: str) -> AsyncIterator[None]:
        """Wait for a free slot and the spacing interval, then hold the slot."""
        host = self._host(name)
        async with host.slots:
            if self._shared is not None and self._interval > 0:
                # the start time is taken from the one sequence every node shares
                wait = await asyncio.to_thread(self._shared.reserve, name, self._interval)
                if wait > 0:
                    await self._clock.sleep(wait)
                yield
                return
            async with host.spacing:
                wait = host.next_start - self._clock.time()
                if wait > 0:
                    await self._clock.sleep(wait)
                host.next_start = self._clock.time() + self._interval
            yield

    def defer(self, name: str, seconds: float, status: int) -> None:
        """The host answered ``status`` asking us to wait ``seconds`` (capped by the caller)."""
        self._defer_here(name, seconds, status)
        if self._shared is not None:
            write = asyncio.create_task(asyncio.to_thread(self._shared.hold, name, seconds, status))
            self._writes.add(write)
            write.add_done_callback(self._writes.discard)

    async def settle(self) -> None:
        """Wait for the holds still being written to the other nodes (before closing: the
        store closes after the fetcher, and a hold written late would be lost)."""
        if not self._writes:
            return
        for outcome in await asyncio.gather(*self._writes, return_exceptions=True):
            # the shared store logs its own failures; anything else is a bug, not to be hidden
            if isinstance(outcome, Exception):
                log.error("Retry-After hold not shared: %r", outcome)

    async def learn(self, name: str) -> None:
        """Learn a ``Retry-After`` another node was given by ``name`` (nothing alone)."""
        if self._shared is None:
            return
        seconds, status = await asyncio.to_thread(self._shared.held, name)
        if seconds > 0:
            self._defer_here(name, seconds, status)

    def _defer_here(self, name: str, seconds: float, status: int) -> None:
        host = self._host(name)
        until = self._clock.time() + seconds
        if until > host.deferred_until:
            host.deferred_until, host.deferred_status = until, status

    def deferred(self, name: str) -> tuple[float, int]:
        """Seconds the host still asked us to wait (0 when none), and the status it said so with."""
        host = self._hosts.get(name)
        if host is None:
            return 0.0, 0
        return max(0.0, host.deferred_until - self._clock.time()), host.deferred_status
