"""What the web side works with: the daemon's store, settings, clock and metrics, and caches.

Owns: ``WebContext``, built once by the daemon (or a test, or the benchmark) and read by every
request: the clients and callables the handlers use, the page budget, the matcher and topic
explanations built once per loaded configuration, per-day chart counts reused for a minute, and
the topics' tallies of their judged articles, counted anew when the judgments change.
Does not own: routes and handlers (``app``), the queries (``monitor.store``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from monitor.config import Settings
from monitor.database_watch import DatabaseHealth
from monitor.match import Matcher, lexicon_for
from monitor.match.explain import render_explanation
from monitor.store import Store
from monitor.types import Document
from monitor.web import guard
from monitor.web.budget import Budget
from monitor.web.metrics import PrometheusMetrics
from monitor.web.pages import Pages


@dataclass
class WebContext:
    """What the web side works with; built by the daemon, read by every request."""

    store: Store
    #: the current settings (the daemon's, after any hot reload)
    settings: Callable[[], Settings]
    metrics: PrometheusMetrics
    #: when the scheduler last started a job (None: not yet)
    last_tick: Callable[[], datetime | None]
    now: Callable[[], datetime]
    #: the database as the daemon's jobs found it (``/healthz``)
    database: Callable[[], DatabaseHealth] = DatabaseHealth
    token: str | None = None
    #: the read-only token of the Atom feeds (``web.feed_token``), if any
    feed_token: str | None = None
    #: the public URL behind a reverse proxy, if any
    base_url: str | None = None
    #: the Host names requests may be addressed to (``guard.served_hosts``); None: any
    hosts: frozenset[str] | None = guard.LOOPBACK_HOSTS
    #: /healthz fails when the scheduler has not started a job for this many seconds
    stale_after: float = 120.0
    pages: Pages = field(default_factory=Pages)
    #: the share of the daemon's time pages and feeds may take (``budget``)
    budget: Budget = field(default_factory=Budget)
    #: seconds the per-day counts of the charts are reused (they scan a month of matches)
    chart_ttl: float = 60.0
    clock: Callable[[], float] = time.monotonic
    #: seconds /healthz and /metrics wait for the database before they report it failing
    probe_timeout: float = 10.0
    #: the configuration the matcher was built for (compared by identity), the matcher, and
    #: the topics' explanations
    _compiled: tuple[Settings, Matcher, dict[str, str]] | None = None
    #: the ids of sessions logged out, each until its cookie would have expired anyway
    _logged_out: dict[str, datetime] = field(default_factory=dict)
    _cached: dict[str, tuple[float, Any]] = field(default_factory=dict)
    #: the configuration and judgment states the topics' tallies were counted for, the tallies
    _tallied: tuple[Settings, dict[str, str], Any] | None = None
    _probes: dict[str, asyncio.Future[Any]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        """The path prefix of our links ("" unless ``base_url`` has a path)."""
        return urlsplit(self.base_url).path.rstrip("/") if self.base_url else ""

    def matcher(self, settings: Settings) -> Matcher:
        """The topics' matcher, built once per loaded configuration."""
        return self._compile(settings)[1]

    def explained(self, settings: Settings, topic_id: str) -> str:
        """A topic's query and expansion as ``monitor explain`` prints them (built once)."""
        _, matcher, explained = self._compile(settings)
        if topic_id not in explained:
            explanation = matcher.explain(topic_id, Document("", "", ""))
            explained[topic_id] = render_explanation(explanation, scored=False)
        return explained[topic_id]

    def _compile(self, settings: Settings) -> tuple[Settings, Matcher, dict[str, str]]:
        compiled = self._compiled
        if compiled is None or compiled[0] is not settings:  # a reload gave new settings
            compiled = (settings, Matcher(settings.topics, lexicon_for(settings.lexicon)), {})
            self._compiled = compiled
        return compiled

    @property
    def logged_out(self) -> dict[str, datetime]:
        """The logged-out session ids (``guard.signed_in``'s ``revoked``)."""
        return self._logged_out

    def log_out(self, session_id: str, now: datetime) -> None:
        """End a session: its cookie is refused from now on (by this daemon: the ids are
        kept in memory, until the cookie would have expired; see README)."""
        self._logged_out = {
            sid: until for sid, until in self._logged_out.items() if until > now
        }  # the expired need no entry: their cookies are refused anyway
        self._logged_out[session_id] = now + guard.SESSION_MAX_AGE

    async def chart_data(self, name: str, load: Callable[[], Any]) -> Any:
        """``load()`` run in a thread, its result reused for ``chart_ttl`` seconds."""
        now = self.clock()
        hit = self._cached.get(name)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = await asyncio.to_thread(load)
        self._cached[name] = (now + self.chart_ttl, value)
        return value

    def tallied(self, settings: Settings, states: dict[str, str], count: Callable[[], Any]) -> Any:
        """``count()``, the topics' tallies of their judged articles, counted anew only when the
        configuration or the judgments (``Store.judgment_states``) changed: it matches every
        judged article, a retrain's work, too much for each view of the topics page, while a
        verdict just given must show at once."""
        known = self._tallied
        if known is None or known[0] is not settings or known[1] != states:
            known = self._tallied = (settings, states, count())
        return known[2]

    async def probe(self, name: str, call: Callable[[], Any]) -> Any:
        """``call()`` in a thread, at most one at a time per ``name``; TimeoutError after
        ``probe_timeout`` seconds.

        A database that hangs (a stopped server, a dropped network) holds one thread per probe
        however often a load balancer asks: a thread per request would fill the event loop's
        small executor, and every other thread the daemon starts would wait behind them. A call
        still running is awaited again by the next request rather than started anew.
        """
        running = self._probes.get(name)
        if running is None or running.done():
            running = self._probes[name] = asyncio.ensure_future(asyncio.to_thread(call))
            running.add_done_callback(_retrieve)
        return await asyncio.wait_for(asyncio.shield(running), self.probe_timeout)


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Read a finished probe's outcome, so one that failed after every waiter gave up is not
    reported as an exception nobody retrieved."""
    if not future.cancelled():
        future.exception()
