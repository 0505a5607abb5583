"""Relevance feedback: verdicts people give matches, recorded, undone and read back.

Owns: the ``feedback`` table's reads and writes. A verdict copies the match's topic and article
key so it outlives the match row; undo deletes the latest verdict of a match. A verdict on a
stored article a topic did not match (a near miss) has no match row: its ``match_id`` is NULL.
Does not own: what the verdicts teach a topic (``monitor.learn``), nor who may give them (the web
side checks that before it calls here).
"""

from __future__ import annotations

import dataclasses
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, func, insert
from sqlmodel import Session, col, select

from monitor.errors import StoreError
from monitor.store._tables import ArticleRow, FeedbackRow, MatchRow
from monitor.store._values import VERDICTS, Feedback


class FeedbackLog:
    """Mixed into ``Store``: the feedback table (see the module docstring)."""

    if TYPE_CHECKING:

        def _transaction(self, action: str) -> AbstractContextManager[Connection]: ...
        def _session(self, action: str) -> AbstractContextManager[Session]: ...

    def record_feedback(self, match_id: int, verdict: str, who: str, now: datetime) -> Feedback:
        """Store a verdict on a match; ``StoreError`` if there is no such match."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}: {verdict!r}")
        about = (
            select(MatchRow.topic_id, ArticleRow.key)
            .join(ArticleRow, col(MatchRow.article_id) == col(ArticleRow.id))
            .where(col(MatchRow.id) == match_id)
        )
        with self._transaction("recording feedback") as connection:
            found = connection.execute(about).first()
            if found is None:
                raise StoreError(f"recording feedback: no match {match_id}")
            topic_id, key = found
            return _insert(connection, Feedback(0, match_id, topic_id, key, verdict, who, now))

    def record_article_feedback(
        self, topic_id: str, article_key: str, verdict: str, who: str, now: datetime
    ) -> Feedback:
        """Store a verdict of ``topic_id`` on a stored article, matched or not (a near miss);
        it joins the topic's match of the article when there is one. ``StoreError`` if no
        article has that key (the learner reads the judged text from the stored article)."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}: {verdict!r}")
        about = (
            select(ArticleRow.id, MatchRow.id)
            .outerjoin(
                MatchRow,
                (col(MatchRow.article_id) == col(ArticleRow.id))
                & (col(MatchRow.topic_id) == topic_id),
            )
            .where(col(ArticleRow.key) == article_key)
        )
        with self._transaction("recording feedback") as connection:
            found = connection.execute(about).first()
            if found is None:
                raise StoreError(f"recording feedback: no stored article {article_key!r}")
            verdict_row = Feedback(0, found[1], topic_id, article_key, verdict, who, now)
            return _insert(connection, verdict_row)

    def undo_feedback(self, match_id: int) -> bool:
        """Delete the latest verdict on ``match_id``; False when there was none."""
        latest = (
            select(func.max(FeedbackRow.id))
            .where(col(FeedbackRow.match_id) == match_id)
            .scalar_subquery()
        )
        with self._transaction("undoing feedback") as connection:
            deleted = connection.execute(delete(FeedbackRow).where(col(FeedbackRow.id) == latest))
        return bool(deleted.rowcount)

    def feedback(self, topic_id: str | None = None) -> list[Feedback]:
        """Every verdict (only ``topic_id``'s when given), oldest first."""
        query = select(FeedbackRow).order_by(col(FeedbackRow.created), col(FeedbackRow.id))
        if topic_id is not None:
            query = query.where(col(FeedbackRow.topic_id) == topic_id)
        with self._session("reading feedback") as session:
            return [_feedback(row) for row in session.exec(query)]

    def feedback_counts(self) -> dict[str, dict[str, int]]:
        """Verdicts per topic: ``{topic_id: {"relevant": n, "not-relevant": m}}``."""
        query = select(FeedbackRow.topic_id, FeedbackRow.verdict, func.count()).group_by(
            col(FeedbackRow.topic_id), col(FeedbackRow.verdict)
        )
        counts: dict[str, dict[str, int]] = {}
        with self._session("counting feedback") as session:
            for topic_id, verdict, count in session.exec(query):
                counts.setdefault(topic_id, dict.fromkeys(VERDICTS, 0))[verdict] = count
        return counts

    def latest_verdicts(self, match_ids: list[int]) -> dict[int, str]:
        """The latest verdict of each of ``match_ids`` that has one."""
        if not match_ids:
            return {}
        latest = (
            select(func.max(FeedbackRow.id))
            .where(col(FeedbackRow.match_id).in_(match_ids))
            .group_by(col(FeedbackRow.match_id))
        )
        query = select(FeedbackRow.match_id, FeedbackRow.verdict).where(
            col(FeedbackRow.id).in_(latest)
        )
        with self._session("reading verdicts") as session:
            return {m: v for m, v in session.exec(query) if m is not None}


def _feedback(row: FeedbackRow) -> Feedback:
    assert row.id is not None  # rows read back always have their primary key
    return Feedback(
        feedback_id=row.id,
        match_id=row.match_id,
        topic_id=row.topic_id,
        article_key=row.article_key,
        verdict=row.verdict,
        who=row.who,
        created=row.created,
    )


def _insert(connection: Connection, verdict: Feedback) -> Feedback:
    """Insert ``verdict`` (its id ignored); the stored verdict, with its new id."""
    values = {
        "match_id": verdict.match_id,
        "topic_id": verdict.topic_id,
        "article_key": verdict.article_key,
        "verdict": verdict.verdict,
        "who": verdict.who,
        "created": verdict.created,
    }
    new_id = connection.execute(
        insert(FeedbackRow).values(values).returning(col(FeedbackRow.id))
    ).scalar_one()
    assert new_id is not None  # a primary key just assigned
    return dataclasses.replace(verdict, feedback_id=new_id)
