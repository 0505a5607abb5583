"""Politeness per host: how many requests at once, how far apart, and who asked us to wait.

Owns: a gate per host name that admits at most ``per_host`` requests at once, starts them at
least ``interval`` seconds apart, and remembers a ``Retry-After`` (429/503) so that no request
goes to that host until it has passed. The clock is the event loop's monotonic time.
Does not own: what is fetched, nor the overall limit (``monitor.fetch._client``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Host:
    """The gate of one host (mutable: it is the state of the politeness rules)."""

    slots: asyncio.Semaphore
    #: serialises the spacing decision, so two waiters never take the same start time
    spacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: loop time before which no request may start
    next_start: float = 0.0
    #: loop time until which the host asked us (Retry-After) to stay away, and its status
    deferred_until: float = 0.0
    deferred_status: int = 0


class HostGates:
    """One gate per host name; create inside the running event loop."""

    def __init__(self, per_host: int, interval: float) -> None:
        self._per_host = per_host
        self._interval = interval
        self._hosts: dict[str, _Host] = {}

    def _host(self, name: str) -> _Host:
        if name not in self._hosts:
            self._hosts[name] = _Host(asyncio.Semaphore(self._per_host))
        return self._hosts[name]

    @asynccontextmanager
    async def slot(self, name: str) -> AsyncIterator[None]:
        """Wait for a free slot and the spacing interval, then hold the slot."""
        host = self._host(name)
        async with host.slots:
            async with host.spacing:
                loop = asyncio.get_running_loop()
                wait = host.next_start - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                host.next_start = loop.time() + self._interval
            yield

    def defer(self, name: str, seconds: float, status: int) -> None:
        """The host answered ``status`` asking us to wait ``seconds`` (capped by the caller)."""
        host = self._host(name)
        until = asyncio.get_running_loop().time() + seconds
        if until > host.deferred_until:
            host.deferred_until, host.deferred_status = until, status

    def deferred(self, name: str) -> tuple[float, int]:
        """Seconds the host still asked us to wait (0 when none), and the status it said so with."""
        host = self._hosts.get(name)
        if host is None:
            return 0.0, 0
        return max(
            0.0, host.deferred_until - asyncio.get_running_loop().time()
        ), host.deferred_status
