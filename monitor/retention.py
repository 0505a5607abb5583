"""Retention: deleting the stored articles older than a number of days, by hand or once a day.

    monitor prune --older-than DAYS [--dry-run] [--vacuum]    by hand (``monitor.cli.retention``)
    retention: {days: N}                                      the daemon, once a day (``daily``)

Owns: the cutoff for a number of days; the loop that prunes batch by batch (one short
transaction of ``BATCH`` articles each, then a pause: the daemon's writers get the SQLite
database in between, and wait for one batch at most, never for the whole prune); and the daily
job: checked every ``CHECK_EVERY`` seconds, run when the last run started a day ago or more,
by one node of several (``Store.claim_run``: a conditional update only one node's succeeds).
Does not own: which articles are kept and the deletes (``monitor.store``: judged articles,
undelivered deliveries and the keys of deleted articles that stay seen are decided there),
when the check runs (``monitor.scheduler``). The clock, the sleep and the stop are injected.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from monitor.store import Pruned

log = logging.getLogger("monitor.retention")

#: articles deleted per transaction (``benchmarks/prune_bench.py``: about 0.1 s a batch on
#: SQLite with page text; a writer waits that long at most)
BATCH = 500
#: seconds between two batches: the daemon's writers take the database in turn
PAUSE = 0.05
#: the daemon's prune runs at most this often
DAY = timedelta(days=1)
#: seconds between the daemon's checks whether a day has passed since the last prune
CHECK_EVERY = 3600.0
#: the daily job's name in ``job_run``
JOB = "retention"


class Pruning(Protocol):
    """What pruning needs from the store (``monitor.store.Store``)."""

    def prune_batch(self, cutoff: datetime, after: int, limit: int) -> tuple[Pruned, int | None]:
        """Delete up to ``limit`` prunable articles numbered above ``after``; the number to
        continue after, None when none is left."""
        ...

    def prune_digests(self, cutoff: datetime) -> Pruned:
        """Delete the old sent digests none of whose deliveries is left."""
        ...

    def kept_count(self, cutoff: datetime) -> int:
        """Articles first seen before ``cutoff`` that are kept."""
        ...

    def claim_run(self, name: str, now: datetime, every: timedelta) -> bool:
        """True for the one caller that takes job ``name``'s run now."""
        ...


def cutoff(now: datetime, days: int) -> datetime:
    """Articles first seen before this are ``days`` old or more."""
    return now - timedelta(days=days)


def _never() -> bool:
    return False


def prune(
    store: Pruning,
    before: datetime,
    *,
    batch: int = BATCH,
    pause: float = PAUSE,
    stop: Callable[[], bool] = _never,
    sleep: Callable[[float], None] = time.sleep,
) -> Pruned:
    """Delete every prunable article first seen before ``before``, ``batch`` at a time with a
    ``pause`` after each; ``stop`` (asked between batches) ends it early, the rest left for the
    next run. Blocking: the daemon runs it in a thread."""
    total, after = Pruned(), 0
    while not stop():
        done, next_after = store.prune_batch(before, after, batch)
        total += done
        if next_after is None:
            break
        after = next_after
        sleep(pause)
    total += store.prune_digests(before)
    return total + Pruned(kept=store.kept_count(before))


def daily(
    store: Pruning,
    days: int | None,
    now: datetime,
    *,
    stop: Callable[[], bool] = _never,
    sleep: Callable[[float], None] = time.sleep,
) -> Pruned | None:
    """The daemon's job: prune what is ``days`` old if no node did it in the last day (None:
    retention is off, or it is not this node's turn). Blocking, as ``prune``."""
    if days is None or not store.claim_run(JOB, now, DAY):
        return None
    pruned = prune(store, cutoff(now, days), stop=stop, sleep=sleep)
    log.info(
        "pruned articles older than %d days: articles=%d matches=%d deliveries=%d kept=%d",
        days, pruned.articles, pruned.matches, pruned.deliveries, pruned.kept,
    )  # fmt: skip
    return pruned
