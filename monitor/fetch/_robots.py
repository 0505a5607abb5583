"""robots.txt: what a site allows, read once per host and kept for a while.

Owns: turning a robots.txt response into rules (RFC 9309: a 4xx means no rules, a 5xx or an
unreachable file means "disallow everything" for now), and a per-origin cache with a lifetime.
The rules themselves are read by Protego (Scrapy's parser: RFC 9309 wildcards ``*`` and ``$``
and longest-match precedence between ``Allow`` and ``Disallow``, which ``urllib.robotparser``
gets wrong: it allows ``/news/2024/print`` under ``Disallow: /*/print``).
Does not own: fetching the file (``monitor.fetch._client`` fetches it with the same guards and
politeness as any page). Feeds are exempt by convention (a feed exists to be polled); listing
pages and articles ask first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protego import Protego

#: how long rules are kept, and how long a failure to read them is (shorter: it may pass)
ROBOTS_TTL = 6 * 3600.0
ROBOTS_FAILURE_TTL = 600.0
#: robots.txt files larger than this are read up to here (Google reads 500 KiB)
ROBOTS_MAX_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True, eq=False)
class RobotsRules:
    """What one origin's robots.txt allows."""

    #: the parsed file; None when there is none (every path allowed)
    parser: Protego | None = None
    #: why the file could not be read (a server error, a timeout, a refused connection): then
    #: nothing is allowed for now, and this is the reason given, not "does not allow"
    unreadable: str | None = None

    @property
    def disallow_all(self) -> bool:
        return self.unreadable is not None

    def allows(self, url: str, user_agent: str) -> bool:
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, user_agent)

    @property
    def ttl(self) -> float:
        return ROBOTS_FAILURE_TTL if self.disallow_all else ROBOTS_TTL


def rules_from_response(status: int | None, body: bytes, failure: str = "") -> RobotsRules:
    """Rules from a robots.txt answer; ``status`` None means it could not be fetched at all,
    and ``failure`` says why."""
    if status is None:
        return RobotsRules(unreadable=failure or "no answer")
    if status >= 500:
        return RobotsRules(unreadable=f"HTTP {status}")
    if status >= 400:
        return RobotsRules()
    return RobotsRules(Protego.parse(body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace")))


class RobotsCache:
    """Rules per origin (``https://host:port``), loaded at most once per lifetime."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, RobotsRules]] = {}
        self._loading: dict[str, asyncio.Lock] = {}

    async def rules(self, origin: str, load: Callable[[], Awaitable[RobotsRules]]) -> RobotsRules:
        lock = self._loading.setdefault(origin, asyncio.Lock())
        async with lock:  # concurrent fetches to one site read its robots.txt once
            now = asyncio.get_running_loop().time()
            cached = self._entries.get(origin)
            if cached is not None and cached[0] > now:
                return cached[1]
            rules = await load()
            self._entries[origin] = (asyncio.get_running_loop().time() + rules.ttl, rules)
            return rules
