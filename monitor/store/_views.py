"""The dashboard's reads (and its one write): pages of matches, counts per day, a dead retried.

Owns: the queries behind the web side's pages: a keyset-paged, filtered list of matches with
their delivery status and latest verdict (fast at any depth: no OFFSET), by when they were
matched or by when their articles were published, the languages of the matches (the language
filter's choices), matches and articles per
UTC day, recent articles to try a topic on, re-queueing a dead delivery, and a liveness ping.
Does not own: rendering (``monitor.web.pages``) or feedback (``_feedback``).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, bindparam, func, text, tuple_, update
from sqlmodel import Session, col, select

from monitor.snippet import TEXT_CHARS
from monitor.store import _convert
from monitor.store._tables import ArticleRow, DeliveryRow, MatchRow, UTCDateTime
from monitor.store._values import (
    NO_LANGUAGE,
    DayCount,
    MatchCursor,
    MatchDetail,
    MatchFilter,
    MatchOrder,
    StoredMatch,
)
from monitor.types import Document

#: the distinct languages of the matches, one index look-up each (a loose index scan: the next
#: code after the last one found), not a read of every match; the same SQL on both databases
_LANGUAGES = text(
    'WITH RECURSIVE present(language) AS (SELECT min(language) FROM "match"'
    ' UNION ALL SELECT (SELECT min(m.language) FROM "match" m WHERE m.language > p.language)'
    " FROM present p WHERE p.language IS NOT NULL)"
    " SELECT language FROM present WHERE language IS NOT NULL"
)
#: characters of an article's text (and of its summary) read for a match's snippet: one more
#: than the snippet looks at, so it knows when a text goes on
_SNIPPET_TEXT = TEXT_CHARS + 1


class Views:
    """Mixed into ``Store``: the web side's queries (see the module docstring)."""

    if TYPE_CHECKING:
        _engine: Engine

        def _transaction(self, action: str) -> AbstractContextManager[Connection]: ...
        def _session(self, action: str) -> AbstractContextManager[Session]: ...
        def _outlets(
            self, session: Session, match_ids: list[int | None]
        ) -> dict[int, tuple[str, ...]]: ...
        def latest_verdicts(self, match_ids: list[int]) -> dict[int, str]: ...

    def match_page(
        self,
        where: MatchFilter,
        after: MatchCursor | None = None,
        limit: int = 50,
        order: MatchOrder = "matched",
    ) -> list[MatchDetail]:
        """Up to ``limit`` matches passing ``where``, newest first in ``order`` (ties by match
        id), strictly after ``after``."""
        rows: list[Any] = []
        with self._session("reading a page of matches") as session:
            for query in _page_parts(where, after, order):
                rows += session.exec(query.limit(limit - len(rows)))
                if len(rows) >= limit:
                    break
            ids = [row[0].id for row in rows]
            outlets = self._outlets(session, ids)
            channels = _deliveries(session, ids)
        verdicts = self.latest_verdicts([i for i in ids if i is not None])
        return [_detail(row, outlets, channels, verdicts) for row in rows]

    def match_languages(self) -> list[str]:
        """The languages of the stored matches, in code order (a match whose article has no
        known language is in none)."""
        with self._transaction("reading the languages of the matches") as connection:
            return [language for (language,) in connection.execute(_LANGUAGES)]

    def match_days(self, since: datetime) -> dict[str, list[DayCount]]:
        """Matches per topic and UTC day from ``since`` on (days without any left out)."""
        day = self._day(col(MatchRow.created))
        query = (
            select(MatchRow.topic_id, day, func.count())
            .where(col(MatchRow.created) >= since)
            .group_by(col(MatchRow.topic_id), day)
            .order_by(day)
        )
        found: dict[str, list[DayCount]] = {}
        with self._session("counting matches per day") as session:
            for topic_id, d, n in session.exec(query):
                found.setdefault(topic_id, []).append(DayCount(str(d), n))
        return found

    def article_days(self, since: datetime) -> dict[str, list[DayCount]]:
        """New articles per source and UTC day from ``since`` on."""
        day = self._day(col(ArticleRow.first_seen))
        query = (
            select(ArticleRow.source_id, day, func.count())
            .where(col(ArticleRow.first_seen) >= since)
            .group_by(col(ArticleRow.source_id), day)
            .order_by(day)
        )
        found: dict[str, list[DayCount]] = {}
        with self._session("counting articles per day") as session:
            for source_id, d, n in session.exec(query):
                found.setdefault(source_id, []).append(DayCount(str(d), n))
        return found

    def recent_documents(self, limit: int = 200) -> list[tuple[Document, str | None]]:
        """The newest stored articles as documents to match, each with its URL."""
        query = (
            select(  # type: ignore[call-overload]  # sqlmodel types select() up to 4 columns
                ArticleRow.key,
                ArticleRow.title,
                func.coalesce(ArticleRow.text, ArticleRow.summary),
                ArticleRow.language,
                ArticleRow.url,
            )
            .order_by(col(ArticleRow.id).desc())
            .limit(limit)
        )
        with self._session("reading recent articles") as session:
            return [
                (Document(key, title, body or "", language), url)
                for key, title, body, language, url in session.exec(query)
            ]

    def retry_dead(self, delivery_id: str, now: datetime) -> bool:
        """Queue a dead delivery again, due now, with a fresh attempt count; False if it is not
        dead (already retried, sent, or unknown)."""
        statement = (
            update(DeliveryRow)
            .where(col(DeliveryRow.id) == delivery_id, col(DeliveryRow.status) == "dead")
            .values(
                status="pending",
                attempts=0,
                next_attempt=now,
                digest_id=None,
                rolled=False,
                reported=False,
            )
        )
        with self._transaction("retrying a dead delivery") as connection:
            return bool(connection.execute(statement).rowcount)

    def ping(self) -> None:
        """A round trip to the database; ``StoreError`` when it does not answer."""
        with self._transaction("pinging the database") as connection:
            connection.execute(text("SELECT 1"))

    def _day(self, column: Any) -> Any:
        """A UTC datetime column as ``YYYY-MM-DD`` text, the same on both databases."""
        if self._engine.dialect.name == "postgresql":
            return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
        return func.strftime("%Y-%m-%d", column)  # SQLite holds naive UTC


def _page_query() -> Any:
    # Any: sqlmodel's select() over an entity and columns has no precise type for the chain.
    return select(  # type: ignore[call-overload]  # sqlmodel types select() up to 4 columns
        MatchRow,
        ArticleRow.key,
        ArticleRow.title,
        ArticleRow.url,
        ArticleRow.source_id,
        ArticleRow.source_name,
        ArticleRow.published,
        ArticleRow.language,
        func.substr(ArticleRow.text, 1, _SNIPPET_TEXT),
        func.substr(ArticleRow.summary, 1, _SNIPPET_TEXT),
    ).join(ArticleRow, col(MatchRow.article_id) == col(ArticleRow.id))


def _page_parts(where: MatchFilter, after: MatchCursor | None, order: MatchOrder) -> list[Any]:
    """The queries of a page, read one after the other until it is full. By published time:
    the dated articles' matches, then the undated ones by match id. Two parts, each read from
    an index in page order, because the databases put NULL at opposite ends of an order (first
    on PostgreSQL, last on SQLite) and a keyset comparison with NULL is never true."""
    query = _filtered(_page_query(), where)
    # A column held NULL by the filter leads the order too (it changes nothing: every row has
    # the same NULL). PostgreSQL reads an index in the order of the columns after one held by
    # ``= value``, but not after one held by ``IS NULL``: without it, it sorts every match.
    lead = [col(MatchRow.language).desc()] if where.language == NO_LANGUAGE else []
    if order == "matched":
        return [_keyset(query, col(MatchRow.created), after, lead)]
    published = col(MatchRow.published)
    parts = []
    if after is None or after.at is not None:
        parts.append(_keyset(query.where(published.is_not(None)), published, after, lead))
    if where.published_since is None and where.published_until is None:
        undated = query.where(published.is_(None))
        if after is not None and after.at is None:
            undated = undated.where(col(MatchRow.id) < bindparam("after_id", after.match_id))
        parts.append(undated.order_by(*lead, published.desc(), col(MatchRow.id).desc()))
    return parts


def _keyset(query: Any, column: Any, after: MatchCursor | None, lead: list[Any]) -> Any:
    """``query`` ordered by ``column`` then id, newest first, from strictly after ``after``
    (``lead``: columns the filter holds NULL, ordered by first: see ``_page_parts``)."""
    if after is not None:
        position = tuple_(
            bindparam("after_at", after.at, type_=UTCDateTime),
            bindparam("after_id", after.match_id),
        )
        query = query.where(tuple_(column, col(MatchRow.id)) < position)
    return query.order_by(*lead, column.desc(), col(MatchRow.id).desc())


def _filtered(query: Any, where: MatchFilter) -> Any:
    published = col(MatchRow.published)
    conditions = [
        (where.topic, lambda v: col(MatchRow.topic_id) == v),
        # the match's copies, not the article's: their indexes serve the page order
        (where.source, lambda v: col(MatchRow.source_id) == v),
        (where.language, _language_is),
        (where.since, lambda v: col(MatchRow.created) >= v),
        (where.until, lambda v: col(MatchRow.created) < v),
        (where.min_score, lambda v: col(MatchRow.score) >= v),
        (where.published_since, lambda v: published >= v),
        (where.published_until, lambda v: published < v),
    ]
    for value, condition in conditions:
        if value is not None:
            query = query.where(condition(value))
    return query


def _language_is(language: str) -> Any:
    column = col(MatchRow.language)
    return column.is_(None) if language == NO_LANGUAGE else column == language


def _deliveries(session: Session, match_ids: Sequence[int | None]) -> dict[int, list[tuple]]:
    wanted = [i for i in match_ids if i is not None]
    if not wanted:
        return {}
    query = (
        select(DeliveryRow.match_id, DeliveryRow.channel, DeliveryRow.status)
        .where(col(DeliveryRow.match_id).in_(wanted))
        .order_by(col(DeliveryRow.channel))
    )
    found: dict[int, list[tuple]] = {}
    for match_id, channel, status in session.exec(query):
        found.setdefault(match_id, []).append((channel, status))
    return found


def _detail(
    row: Any,
    outlets: dict[int, tuple[str, ...]],
    channels: dict[int, list[tuple]],
    verdicts: dict[int, str],
) -> MatchDetail:
    match, key, title, url, source_id, source_name, published, language, body, summary = row
    match_id = match.id
    stored = StoredMatch(
        match_id=match_id,
        topic_id=match.topic_id,
        topic_name=match.topic_name,
        score=match.score,
        hits=_convert.hits(match.hits),
        created=match.created,
        article_key=key,
        title=title,
        url=url,
        source_id=source_id,
        published=published,
        also_in=outlets.get(match_id, ()),
    )
    return MatchDetail(
        match=stored,
        text=body or "",
        language=language,
        source_name=source_name,
        deliveries=tuple(channels.get(match_id, ())),
        verdict=verdicts.get(match_id),
        summary=summary or "",
    )
