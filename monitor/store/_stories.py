"""Placing a poll's articles in stories in the transaction that saves them: band locks, candidates.

Owns: the look-up of the stored articles that may be copies of a poll's articles (one indexed
query for the whole poll: those of other sources sharing a band key, ``monitor.story``), run
inside the poll's write transaction; and on PostgreSQL the locks that make placing and saving
one step across nodes: an advisory lock per band key, taken in ascending order before the
look-up and held until the commit. Two articles that may be copies share a band, so they share
a lock: the second waits for the first to commit, then finds it among its candidates. Articles
that share no band (nearly every pair) never wait for each other, which the one cluster-wide
lock that this replaced made them do: two nodes spent a third of their time waiting for it.
Does not own: which story an article joins (``Placing.story_of``: the caller decides, with
``monitor.story``), saving the articles (``_store``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, select, text
from sqlmodel import col

from monitor.store import _engine
from monitor.store._tables import ArticleRow, StoryBandRow
from monitor.store._values import Candidate, NewArticle, Placing

_KEYS_PER_QUERY = 500  # well under SQLite's bound-parameter limit
# PostgreSQL keeps advisory locks in a shared table of about max_locks_per_transaction x
# max_connections entries (6,400 by default). A poll with more band keys than this (over 32
# followed articles; the default follows at most 20) takes the whole story lock instead.
_MAX_BAND_LOCKS = 1024
# any constant (a band key equal to it would only wait more): held shared by every poll that
# locks its bands, exclusive by one that has too many to lock one by one
_STORIES_LOCK = 0x73746F72

#: band key -> (article id, candidate) of the stored articles with that band
_Found = dict[int, list[tuple[int, Candidate]]]


class Stories:
    """Mixed into ``Store``: the story look-up (see the module docstring)."""

    if TYPE_CHECKING:
        _engine: Engine

    def story_candidates(
        self, bands: Sequence[int], since: datetime, other_than: str
    ) -> list[Candidate]:
        """(story id, source id, fingerprint) of the articles first seen at or after ``since``
        by a source other than ``other_than`` that share a band key with ``bands``: the only
        ones that may be copies (an indexed look-up, however many fingerprints are stored).
        What ``save_poll`` reads for each article, outside a transaction."""
        with (
            _engine.guard("reading story candidates", self._engine.url),
            self._engine.connect() as connection,
        ):
            found = _candidates(connection, sorted(set(bands)), since, other_than)
        return _of(bands, found)

    def _lock_bands(self, connection: Connection, bands: Sequence[int]) -> None:
        """On PostgreSQL, lock ``bands`` (``band_keys_of``: ascending, so two polls never wait
        for each other both ways) until the transaction ends; too many, the whole story lock.
        First in the transaction: a save waiting here holds no row lock."""
        if bands and connection.dialect.name == "postgresql":
            _lock(connection, bands)

    def _in_stories(
        self,
        connection: Connection,
        source_id: str,
        articles: Sequence[NewArticle],
        placing: Placing,
    ) -> list[NewArticle]:
        """The articles, each with a fingerprint in its story (``placing.story_of``); their
        band keys are locked (``_lock_bands``)."""
        bands = band_keys_of(articles)
        if not bands:
            return list(articles)
        found = _candidates(connection, bands, placing.since, source_id)
        return [_placed(article, found, placing) for article in articles]


def band_keys_of(articles: Sequence[NewArticle]) -> list[int]:
    """The band keys of the articles' fingerprints, each once, ascending."""
    return sorted({band for article in articles for band in article.page.bands})


def _lock(connection: Connection, bands: Sequence[int]) -> None:
    if len(bands) > _MAX_BAND_LOCKS:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _STORIES_LOCK})
        return
    connection.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": _STORIES_LOCK})
    # one statement, not one per band: unnest yields the array in order
    connection.execute(
        text("SELECT count(pg_advisory_xact_lock(b)) FROM unnest(CAST(:bands AS BIGINT[])) b"),
        {"bands": list(bands)},
    )


def _candidates(
    connection: Connection, bands: Sequence[int], since: datetime, other_than: str
) -> _Found:
    found: _Found = defaultdict(list)
    for start in range(0, len(bands), _KEYS_PER_QUERY):
        query = (
            select(  # SQLAlchemy's: sqlmodel's is typed for at most four columns
                col(StoryBandRow.band),
                col(ArticleRow.id),
                col(ArticleRow.story_id),
                col(ArticleRow.source_id),
                col(ArticleRow.fingerprint),
            )
            .join(ArticleRow, col(ArticleRow.id) == col(StoryBandRow.article_id))
            .where(
                col(StoryBandRow.band).in_(bands[start : start + _KEYS_PER_QUERY]),
                col(ArticleRow.first_seen) >= since,
                col(ArticleRow.source_id) != other_than,
                col(ArticleRow.fingerprint).is_not(None),
            )
        )
        for band, article_id, story, source, print_ in connection.execute(query):
            candidate = (story or "", source, bytes(print_ or b""))
            found[band].append((article_id or 0, candidate))  # read back: never None
    return found


def _of(bands: Sequence[int], found: _Found) -> list[Candidate]:
    """The candidates sharing any of ``bands``, each once."""
    return list({i: candidate for band in bands for i, candidate in found.get(band, ())}.values())


def _placed(article: NewArticle, found: _Found, placing: Placing) -> NewArticle:
    if not article.page.bands:
        return article  # not followed, or too short for a fingerprint: no story
    story_id = placing.story_of(article, _of(article.page.bands, found))
    return replace(article, page=replace(article.page, story_id=story_id))
