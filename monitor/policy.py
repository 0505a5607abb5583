"""When to poll again and when to retry a send: pure arithmetic on durations and ``now``.

Owns: the next-check time after a success (interval, jitter, and server freshness hints that may
lengthen but never shorten it), back-off after failures (exponential, capped, honouring
Retry-After), the retry schedule of deliveries and when to give up on one, and which items of a
first poll are notified.
Does not own: clocks or randomness (both are passed in), nor any I/O.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from monitor.timestamps import believable
from monitor.types import Item

#: a failing source is tried again at least this often, however long it has failed
SOURCE_BACKOFF_CAP = 6 * 3600.0
#: server hints (TTL, max-age, Expires, Retry-After) never push a check further than this
HINT_CAP = 24 * 3600.0


def next_check_after_success(
    now: datetime, every: float, jitter: float, hints: tuple[float | None, ...], rng: random.Random
) -> datetime:
    """The configured interval, lengthened (never shortened) by the longest freshness hint."""
    hint = max((h for h in hints if h is not None), default=0.0)
    wait = max(every, min(hint, HINT_CAP))
    return now + timedelta(seconds=wait + rng.uniform(0, jitter))


def next_check_after_failure(
    now: datetime, every: float, failures: int, retry_after: float | None, rng: random.Random
) -> datetime:
    """Exponential back-off from the interval, capped; a server's Retry-After is honoured."""
    wait = _doubled(every, failures, max(SOURCE_BACKOFF_CAP, every))
    if retry_after is not None:
        wait = max(wait, min(retry_after, HINT_CAP))
    # up to 10% jitter so sources that failed together do not retry together
    return now + timedelta(seconds=wait * (1 + rng.uniform(0, 0.1)))


def next_delivery_attempt(
    now: datetime,
    attempts: int,
    base: float,
    cap: float,
    retry_after: float | None,
    rng: random.Random,
) -> datetime:
    """Exponential back-off with full jitter for a failed send; Retry-After is a floor."""
    wait = _doubled(base, attempts, cap)
    wait = rng.uniform(wait / 2, wait)
    if retry_after is not None:
        wait = max(wait, min(retry_after, HINT_CAP))
    return now + timedelta(seconds=wait)


def notify_on_first_poll(item: Item, now: datetime, backfill: float | None) -> bool:
    """On a source's first poll, only items inside the backfill window are notified; a date
    in the future is no date (the readers drop it already; this decision does not rely on it)."""
    published = believable(item.published, now)
    if backfill is None or published is None:
        return False
    return now - published <= timedelta(seconds=backfill)


def delivery_is_dead(
    attempts: int, created: datetime, now: datetime, max_attempts: int, max_age: float
) -> bool:
    """After a failed attempt: give up once it failed ``max_attempts`` times or is too old."""
    return attempts >= max_attempts or now - created > timedelta(seconds=max_age)


def _doubled(base: float, times: int, cap: float) -> float:
    """``base`` doubled for each of ``times`` after the first, at most ``cap``.

    The exponent stops growing once it is past any cap: a source down for months fails more
    than 1,024 times in a row, and ``600.0 * 2 ** 1024`` is an OverflowError, not a big number.
    """
    return min(base * 2 ** min(max(times - 1, 0), _MAX_DOUBLINGS), cap)


#: 2 ** 60 seconds is far beyond any cap
_MAX_DOUBLINGS = 60
