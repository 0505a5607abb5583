"""Stored articles matched again: which topics one matches now, and which it nearly matches.

A stored article is matched as the pipeline matched it: the source's language stands in when the
feed declared none, and a source that lists its ``topics`` is matched against those only. Two
callers share that path: ``monitor rematch`` stores the matches it finds (``rematches``), and the
analyst's near-miss list (``near_miss``, ``nearest``) shows the articles a topic's query accepts
but its score puts below the threshold, so she can judge them and the topic's learned filter can
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

from monitor.config import Settings, SourceSettings
from monitor.match import Matcher
from monitor.types import Document, Match, Topic

if TYPE_CHECKING:  # the value only: importing the store would pull in sqlmodel
    from monitor.store import StoredArticle

#: (match, topic name, channels), as the store takes them
Found = tuple[Match, str, tuple[str, ...]]


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
    below: Collection[str] = (),
) -> list[Found]:
    """The ``topics`` that ``article`` matches, as the pipeline would have decided them.

    ``below``: topics whose threshold is not applied (``Matcher.match``). A source that lists
    its ``topics`` is matched against those only (a source no longer configured: against all).
    """
    source = next((s for s in settings.sources if s.id == article.source_id), None)
    doc = article.document
    if doc.lang is None and source is not None and source.language:
        doc = Document(doc.id, doc.title, doc.text, source.language)
    by_id = {t.id: t for t in topics}
    every_channel = tuple(c.name for c in settings.channels)
    return [
        (match, by_id[match.topic].name, _channels(by_id[match.topic], every_channel))
        for match in matcher.match(doc, below=below)
        if match.topic in by_id and _allowed(source, match.topic)
    ]


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


def _allowed(source: SourceSettings | None, topic: str) -> bool:
    return source is None or source.topics is None or topic in source.topics


def _channels(topic: Topic, every_channel: tuple[str, ...]) -> tuple[str, ...]:
    # None means every channel; an empty tuple (its channels disabled) means none
    return every_channel if topic.channels is None else topic.channels
