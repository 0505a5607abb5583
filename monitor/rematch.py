"""Stored articles matched again: which topics one matches now, and which it nearly matches.

A stored article is decided as the pipeline decides a new item, by the same code
(``monitor.found``): the source's language stands in when the feed declared none, each topic's
learned filter keeps or drops the candidates, and a source that lists its ``topics`` is matched
against those only. Two callers share that path: ``monitor rematch`` stores the matches it finds
(``rematches``, given the learned filters the daemon uses), and the analyst's near-miss list
(``near_miss``, ``nearest``, without the filters) shows the articles a topic's query accepts but
its score puts below the threshold, so she can judge them and the topic's learned filter can
learn to re-admit such articles (``monitor.learn``: it only re-admits when it has judged some).

Owns: those decisions, on values: pure, no I/O. Does not own: reading the articles or the verdicts
(``monitor.pipeline`` and the CLI do that around these functions), matching (``monitor.match``).
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.config import Settings
from monitor.found import Found, found_in
from monitor.learn import PLAIN, Refiner
from monitor.match import Matcher
from monitor.types import Topic

if TYPE_CHECKING:  # the value only: importing the store would pull in sqlmodel
    from monitor.store import StoredArticle


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A stored article a topic's query accepts but whose score is below the threshold."""

    topic_id: str
    #: the article's number and key (its canonical URL or guid)
    article_id: int
    article_key: str
    title: str
    #: the topic's score of it, below the topic's threshold
    score: float
    first_seen: datetime


def rematches(
    matcher: Matcher,
    article: StoredArticle,
    settings: Settings,
    topics: Sequence[Topic],
    refiner: Refiner = PLAIN,
    below: Collection[str] = (),
) -> list[Found]:
    """The ``topics`` that ``article`` matches, decided as the pipeline decides a new item's
    (``monitor.found``: ``refiner``, the topics' learned filters, keep or drop candidates).

    ``below``: topics whose threshold is not applied (``Matcher.match``). A source that lists
    its ``topics`` is matched against those only (a source no longer configured: against all).
    """
    source = next((s for s in settings.sources if s.id == article.source_id), None)
    every_channel = tuple(c.name for c in settings.channels)
    by_id = {t.id: t for t in topics}
    return found_in(article.document, source, matcher, by_id, every_channel, refiner, below)


def near_miss(
    matcher: Matcher, article: StoredArticle, settings: Settings, topic: Topic
) -> NearMiss | None:
    """``article`` as a near miss of ``topic``, or None (its query rejects it, or it scores at
    or above the threshold: then it is a match, not a near miss)."""
    for match, _, _ in rematches(matcher, article, settings, [topic], below={topic.id}):
        if match.score < topic.threshold:
            doc = article.document
            return NearMiss(
                topic.id, article.article_id, doc.id, doc.title, match.score, article.first_seen
            )
    return None


def nearest(found: Iterable[NearMiss], skip: Collection[str], limit: int) -> list[NearMiss]:
    """The ``limit`` highest-scoring near misses whose key is not in ``skip`` (judged already,
    or matched), the newest first among equal scores."""
    kept = (f for f in found if f.article_key not in skip)
    return heapq.nsmallest(limit, kept, key=lambda f: (-f.score, -f.article_id))
