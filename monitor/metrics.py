"""The hooks the daemon calls at its outcome points, for whoever counts them.

Owns: ``Metrics``, the few calls the pipeline, the delivery rounds and the scheduler make when
something ends (a poll, a fetch error, a match, a send, a timed stage, a job or poll started
late), and the one reading the scheduler offers (its backlog of due sources not started). This
base class does nothing, so a ``Pipeline`` built without metrics (``monitor once``, tests) pays
nothing; ``monitor.web.metrics.PrometheusMetrics`` counts them for ``GET /metrics``.
Does not own: any metric library (a bottom module: it imports only the standard library).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.slots import Backlog

#: the stages whose durations are timed
STAGES = ("fetch", "parse", "extract", "match", "send")


class Metrics:
    """No-op hooks; subclass and override what you count. Every hook is cheap and never raises."""

    def polled(self, source: str, outcome: str, items: int, new_articles: int) -> None:
        """A poll ended with ``outcome`` (``PollResult.outcome``)."""

    def fetch_error(self, kind: str) -> None:
        """A poll failed: ``kind`` is the ``FetchError`` kind, or ``parse``."""

    def store_error(self) -> None:
        """A job (a poll, a delivery round, a claim, a heartbeat...) failed on the database."""

    def matched(self, topic: str) -> None:
        """A new article matched ``topic``."""

    def delivered(self, channel: str, status: str, count: int = 1) -> None:
        """Deliveries to ``channel`` ended a send as ``sent``, ``failed`` or ``dead``."""

    def duration(self, stage: str, seconds: float) -> None:
        """One ``stage`` (see ``STAGES``) took ``seconds``."""

    def scheduler_lag(self, seconds: float) -> None:
        """A scheduled job, or a poll, started ``seconds`` after it was due (a poll's time
        waiting for a free slot included)."""

    def backlog(self, read: Callable[[], Backlog]) -> None:
        """The scheduler's due sources not started yet: ``read`` tells them whenever they are
        shown (they grow older between events, so they are read, not pushed)."""

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Time the block as one ``stage`` (also when it raises)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.duration(stage, time.perf_counter() - started)


#: the hooks of a daemon nobody watches
NO_METRICS = Metrics()
