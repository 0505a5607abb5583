"""A topic's near misses, read from the stored articles (blocking: run off the loop).

Owns: reading the recent stored articles, the topic's judged articles and its matches, and
handing them to the pure decision (``monitor.rematch``: ``near_miss`` per article, ``nearest``
to rank and bound them). Does not own: matching, which article is a near miss, the store's
queries, what the CLI or the dashboard show.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.config import Settings
from monitor.match import Matcher, lexicon_for
from monitor.rematch import NearMiss, near_miss, nearest
from monitor.store import Store
from monitor.types import Topic

#: how far back near misses are looked for, and how many are shown
NEAR_MISS_DAYS = 30
NEAR_MISS_LIMIT = 20
#: at most this many of those days' articles, the newest, are matched (a dashboard page waits:
#: about 2 s for one topic on a shared 2-core machine)
NEAR_MISS_SCAN = 5_000


def near_misses(
    store: Store,
    settings: Settings,
    topic: Topic,
    now: datetime,
    days: int = NEAR_MISS_DAYS,
    limit: int = NEAR_MISS_LIMIT,
    scan: int = NEAR_MISS_SCAN,
) -> list[NearMiss]:
    """``topic``'s near misses among the ``scan`` newest articles first seen in the last
    ``days``, highest score first, at most ``limit``; articles already judged for the topic or
    matched by it are left out."""
    # the topic alone: matching every topic of a large watchlist to keep one would cost more
    # than compiling one (the lexicon is built once per process)
    matcher = Matcher([topic], lexicon_for(settings.lexicon))
    found = [
        miss
        for article in store.stored_articles(now - timedelta(days=days), newest=scan)
        if (miss := near_miss(matcher, article, settings, topic)) is not None
    ]
    if not found:
        return []
    judged = {doc.id for doc, _ in store.judgments(topic.id)}
    # a match stored under an older threshold, or re-admitted by the learned filter, is an
    # alert; one query for all of them (not one per near miss)
    alerted = store.matched_by(topic.id, first=min(f.article_id for f in found))
    matched = {f.article_key for f in found if f.article_id in alerted}
    return nearest(found, judged | matched, limit)
