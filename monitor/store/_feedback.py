"""Relevance feedback: verdicts people give matches, recorded, undone and read back.

Owns: the ``feedback`` table's reads and writes, and which verdict of an article and topic is
the current one. A verdict copies the match's topic and article key so it outlives the match
row. A verdict on a stored article a topic did not match (a near miss) has no match row: its
``match_id`` is NULL. An article and topic has one current verdict, the latest given, whichever
way: on its match, as a near miss, or imported (``judgment`` table, ``_learning``); a match's
verdict, the counts and undo all read that one, as the learner does (``_learning.judgments``).
A verdict that repeats the current one adds nothing (a double click, a command run twice), so
one undo always takes back what was said last. A match or article that does not exist is an
answer (None), not an error: ``StoreError`` stays the database's failure.
Does not own: what the verdicts teach a topic (``monitor.learn``), nor who may give them (the web
side checks that before it calls here).
"""

from __future__ import annotations

import dataclasses
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, and_, delete, insert, update
from sqlalchemy import select as columns_of
from sqlmodel import Session, col, select

from monitor.store._tables import ArticleRow, DeliveryRow, FeedbackRow, JudgmentRow, MatchRow
from monitor.store._values import VERDICTS, Feedback, Recorded, Undone


class FeedbackLog:
    """Mixed into ``Store``: the feedback table (see the module docstring)."""

    if TYPE_CHECKING:

        def _transaction(self, action: str) -> AbstractContextManager[Connection]: ...
        def _session(self, action: str) -> AbstractContextManager[Session]: ...

    def record_feedback(
        self, match_id: int, verdict: str, who: str, now: datetime
    ) -> Recorded | None:
        """Store a verdict on a match, unless it repeats the current one (``Recorded.stored``);
        None when there is no such match."""
        _check(verdict)
        with self._transaction("recording feedback") as connection:
            found = _about_match(connection, match_id)
            if found is None:
                return None
            article_id, topic_id, key = found
            given = Feedback(0, match_id, topic_id, key, verdict, who, now)
            return _record(connection, article_id, given)

    def record_article_feedback(
        self, topic_id: str, article_key: str, verdict: str, who: str, now: datetime
    ) -> Recorded | None:
        """Store a verdict of ``topic_id`` on a stored article, matched or not (a near miss),
        unless it repeats the current one; it joins the topic's match of the article when there
        is one. None when no article has that key (the learner reads the judged text from the
        stored article)."""
        _check(verdict)
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
                return None
            article_id, match_id = found
            given = Feedback(0, match_id, topic_id, article_key, verdict, who, now)
            return _record(connection, article_id, given)

    def undo_feedback(self, match_id: int) -> Undone | None:
        """Delete the current verdict of ``match_id``'s article and topic (given on the match,
        as a near miss or imported): the one before it, if any, is current again. None when
        there was none (or no such match)."""
        with self._transaction("undoing feedback") as connection:
            found = _about_match(connection, match_id)
            if found is None:
                return None
            article_id, topic_id, key = found
            return _undo(connection, article_id, topic_id, key)

    def undo_article_feedback(self, topic_id: str, article_key: str) -> Undone | None:
        """Delete the current verdict of ``topic_id`` on the stored article ``article_key``
        (a near miss has no match to name it by), as ``undo_feedback`` does. None when there
        was none (or no such article)."""
        about = select(ArticleRow.id).where(col(ArticleRow.key) == article_key)
        with self._transaction("undoing feedback") as connection:
            article_id = connection.execute(about).scalar()
            if article_id is None:
                return None
            return _undo(connection, article_id, topic_id, article_key)

    def match_topic(self, match_id: int) -> str | None:
        """The topic match ``match_id`` is of; None when there is no such match."""
        with self._session("reading a match") as session:
            found = _about_match(session.connection(), match_id)
        return None if found is None else found[1]

    def match_of_delivery(self, delivery_id: str) -> int | None:
        """The match whose alert went out as delivery ``delivery_id`` (an alert's or a digest
        line's ``id:``), or None."""
        query = select(DeliveryRow.match_id).where(col(DeliveryRow.id) == delivery_id)
        with self._session("reading a delivery") as session:
            return session.exec(query).first()

    def feedback(self, topic_id: str | None = None) -> list[Feedback]:
        """Every verdict (only ``topic_id``'s when given), oldest first."""
        query = select(FeedbackRow).order_by(col(FeedbackRow.created), col(FeedbackRow.id))
        if topic_id is not None:
            query = query.where(col(FeedbackRow.topic_id) == topic_id)
        with self._session("reading feedback") as session:
            return [_feedback(row) for row in session.exec(query)]

    def feedback_counts(self) -> dict[str, dict[str, int]]:
        """Current verdicts per topic, one per judged article, given here or imported:
        ``{topic_id: {"relevant": n, "not-relevant": m}}``."""
        latest: dict[tuple[str, str], Given] = {}
        with self._session("counting feedback") as session:
            for table, is_import in ((JudgmentRow, True), (FeedbackRow, False)):
                # SQLAlchemy's select: SQLModel's types a select of at most four columns
                query = columns_of(
                    col(table.topic_id), col(table.article_key), col(table.created),
                    col(table.id), col(table.verdict),
                )  # fmt: skip
                for topic_id, key, created, row, verdict in session.connection().execute(query):
                    assert row is not None  # rows read back always have their primary key
                    given = Given(created, is_import, row, verdict)
                    keep_latest(latest, (topic_id, key), given)
        counts: dict[str, dict[str, int]] = {}
        for (topic_id, _), current in latest.items():
            counts.setdefault(topic_id, dict.fromkeys(VERDICTS, 0))[current.verdict] += 1
        return counts

    def latest_verdicts(self, match_ids: list[int]) -> dict[int, str]:
        """The current verdict of each of ``match_ids`` that has one: the latest given on its
        article and topic, on the match, as a near miss or imported."""
        if not match_ids:
            return {}
        with self._session("reading verdicts") as session:
            found = _current(session.connection(), match_ids)
        return {match_id: given.verdict for match_id, given in found.items()}


_Key = TypeVar("_Key")


@dataclasses.dataclass(frozen=True, slots=True)
class Given:
    """One verdict on an article and topic, as needed to tell which is the current one."""

    created: datetime
    #: True: imported (``judgment`` table), else given here (``feedback`` table)
    imported: bool
    #: its row's id in that table
    row: int
    verdict: str

    @property
    def order(self) -> tuple[datetime, bool, int]:
        """Later is current; at the same instant a verdict given here beats an import."""
        return self.created, not self.imported, self.row


def keep_latest(latest: dict[_Key, Given], key: _Key, given: Given) -> None:
    """Keep ``given`` as ``key``'s current verdict if it is later than the one kept."""
    before = latest.get(key)
    if before is None or given.order > before.order:
        latest[key] = given


def _check(verdict: str) -> None:
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}: {verdict!r}")


def _about_match(connection: Connection, match_id: int) -> tuple[int, str, str] | None:
    """The article number, topic and article key of match ``match_id``; None if there is none."""
    about = (
        select(ArticleRow.id, MatchRow.topic_id, ArticleRow.key)
        .join(ArticleRow, col(MatchRow.article_id) == col(ArticleRow.id))
        .where(col(MatchRow.id) == match_id)
    )
    found = connection.execute(about).first()
    return None if found is None else (found[0], found[1], found[2])


def _record(connection: Connection, article_id: int, given: Feedback) -> Recorded:
    """Insert ``given`` unless it repeats the current verdict of its article and topic: a
    repeat stacked would need as many undos to take back, and the counts would not show it."""
    _lock_article(connection, article_id)
    current = _current_of(connection, given.topic_id, given.article_key)
    repeated = current is not None and current.verdict == given.verdict
    if not repeated:
        _insert(connection, given)
    return Recorded(
        given.match_id, given.topic_id, given.article_key, given.verdict, stored=not repeated
    )


def _undo(connection: Connection, article_id: int, topic_id: str, key: str) -> Undone | None:
    """Delete the current verdict of ``topic_id`` on the article (number ``article_id``, key
    ``key``); what was undone and what is current after, or None when it had none."""
    _lock_article(connection, article_id)
    current = _current_of(connection, topic_id, key)
    if current is None:
        return None
    table = JudgmentRow if current.imported else FeedbackRow
    connection.execute(delete(table).where(col(table.id) == current.row))
    after = _current_of(connection, topic_id, key)
    return Undone(current.verdict, after.verdict if after is not None else None)


def _lock_article(connection: Connection, article_id: int) -> None:
    """Hold the article's row until the transaction ends, so that two verdicts on it given at
    once (a double click) are decided one after the other, the second seeing the first. A write,
    not ``SELECT ... FOR UPDATE``: it locks the row on PostgreSQL (not its key: matches may
    still refer to it), and on SQLite, where there is no row lock and the driver begins a
    transaction only at the first write, it takes the database's write lock before the read."""
    touch = update(ArticleRow).where(col(ArticleRow.id) == article_id)
    connection.execute(touch.values(title=col(ArticleRow.title)))


def _current_of(connection: Connection, topic_id: str, key: str) -> Given | None:
    """The current verdict of ``topic_id`` on the article ``key``, if it has one."""
    latest: dict[str, Given] = {}
    for table, is_import in ((JudgmentRow, True), (FeedbackRow, False)):
        query = select(table.created, table.id, table.verdict).where(
            col(table.topic_id) == topic_id, col(table.article_key) == key
        )
        for created, row, verdict in connection.execute(query):
            keep_latest(latest, key, Given(created, is_import, row, verdict))
    return latest.get(key)


def _current(connection: Connection, match_ids: list[int]) -> dict[int, Given]:
    """The current verdict of each of ``match_ids``' article and topic, of those that have one."""
    latest: dict[int, Given] = {}
    for table, is_import in ((JudgmentRow, True), (FeedbackRow, False)):
        query = (
            select(MatchRow.id, table.created, table.id, table.verdict)
            .join(ArticleRow, col(ArticleRow.id) == col(MatchRow.article_id))
            .join(
                table,
                and_(
                    col(table.topic_id) == col(MatchRow.topic_id),
                    col(table.article_key) == col(ArticleRow.key),
                ),
            )
            .where(col(MatchRow.id).in_(match_ids))
        )
        for match_id, created, row, verdict in connection.execute(query):
            keep_latest(latest, match_id, Given(created, is_import, row, verdict))
    return latest


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
