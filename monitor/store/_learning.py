"""What topics learn from: imported judgments, and the learned filters, saved per topic.

Owns: the queries of the ``judgment`` table (judgments made elsewhere, ``monitor feedback
--import``, with the article's text since the article need not be stored) and of the
``learned_model`` table (each topic's learned filter as JSON, keyed by topic id so an edit of the
query keeps it and its judgments; both tables are declared in ``_tables``),
and reading a topic's judgments back as documents with verdicts: the imported ones and the
verdicts given on stored matches (``feedback``): the latest per article wins, by the rule
of ``_feedback.keep_latest`` that every reader of verdicts shares.
Does not own: learning (``monitor.learn``), the verdicts on matches themselves (``_feedback``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, func, insert
from sqlmodel import Session, col, select

from monitor.store._feedback import Given, keep_latest
from monitor.store._tables import ArticleRow, FeedbackRow, JudgmentRow, LearnedRow
from monitor.types import Document

#: ``judgment_state`` of a topic never judged
_NO_JUDGMENTS = "0.0/0.0"


@dataclass(frozen=True, slots=True)
class Learned:
    """A saved learned filter, as JSON, and the state of the judgments it was trained from."""

    topic_id: str
    model: str
    state: str
    trained: datetime


class LearningLog:
    """Mixed into ``Store``: imported judgments and learned filters (see the module docstring)."""

    if TYPE_CHECKING:

        def _transaction(self, action: str) -> AbstractContextManager[Connection]: ...
        def _session(self, action: str) -> AbstractContextManager[Session]: ...

    def import_judgments(
        self, judged: Iterable[tuple[Document, Mapping[str, bool]]], who: str, now: datetime
    ) -> int:
        """Store judgments made elsewhere (a later one of a topic and article replaces the
        earlier); count them."""
        rows = [
            {"topic_id": topic, "article_key": doc.id, "title": doc.title, "text": doc.text,
             "lang": doc.lang, "verdict": "relevant" if relevant else "not-relevant",
             "who": who, "created": now}
            for doc, verdicts in judged
            for topic, relevant in verdicts.items()
        ]  # fmt: skip
        with self._transaction("importing judgments") as connection:
            for row in rows:
                connection.execute(
                    delete(JudgmentRow).where(
                        col(JudgmentRow.topic_id) == row["topic_id"],
                        col(JudgmentRow.article_key) == row["article_key"],
                    )
                )
            if rows:
                connection.execute(insert(JudgmentRow), rows)
        return len(rows)

    def judgments(self, topic_id: str) -> list[tuple[Document, bool]]:
        """``topic_id``'s judged articles with their verdict (True: relevant), the latest
        verdict of each article, imported or given on a match, oldest first."""
        latest: dict[str, Given] = {}
        docs: dict[tuple[bool, int], Document] = {}
        imported = select(JudgmentRow).where(col(JudgmentRow.topic_id) == topic_id)
        given = (
            select(FeedbackRow, ArticleRow)
            .join(ArticleRow, col(FeedbackRow.article_key) == col(ArticleRow.key))
            .where(col(FeedbackRow.topic_id) == topic_id)
        )
        with self._session("reading judgments") as session:
            for j in session.exec(imported):
                docs[True, j.id or 0] = Document(j.article_key, j.title, j.text, j.lang)
                keep_latest(latest, j.article_key, Given(j.created, True, j.id or 0, j.verdict))
            for f, a in session.exec(given):
                docs[False, f.id or 0] = Document(a.key, a.title, a.text or a.summary, a.language)
                keep_latest(latest, a.key, Given(f.created, False, f.id or 0, f.verdict))
        ordered = sorted(latest.values(), key=lambda given: given.order)
        return [(docs[g.imported, g.row], g.verdict == "relevant") for g in ordered]

    def all_judgments(self) -> dict[str, list[tuple[Document, bool]]]:
        """Every judged topic's ``judgments`` (also of topics no watchlist defines now)."""
        return {topic_id: self.judgments(topic_id) for topic_id in sorted(self.judgment_states())}

    def judgment_state(self, topic_id: str) -> str:
        """A fingerprint of ``topic_id``'s judgments: changes when one is added or undone."""
        return self.judgment_states().get(topic_id, _NO_JUDGMENTS)

    def judgment_states(self) -> dict[str, str]:
        """``judgment_state`` of every judged topic, in two queries (the daemon asks often)."""
        found: dict[str, list[str]] = {}
        with self._session("reading judgments") as session:
            queries = [
                select(FeedbackRow.topic_id, func.count(), func.max(FeedbackRow.id)).group_by(
                    col(FeedbackRow.topic_id)
                ),
                select(JudgmentRow.topic_id, func.count(), func.max(JudgmentRow.id)).group_by(
                    col(JudgmentRow.topic_id)
                ),
            ]
            for n, query in enumerate(queries):
                for topic_id, count, latest in session.exec(query):
                    found.setdefault(topic_id, ["0.0", "0.0"])[n] = f"{count}.{latest or 0}"
        return {topic_id: "/".join(parts) for topic_id, parts in found.items()}

    def save_learned(self, topic_id: str, model: str, state: str, now: datetime) -> None:
        """Keep ``topic_id``'s learned filter (replacing the one before)."""
        with self._transaction("saving a learned filter") as connection:
            connection.execute(delete(LearnedRow).where(col(LearnedRow.topic_id) == topic_id))
            connection.execute(
                insert(LearnedRow).values(topic_id=topic_id, model=model, state=state, trained=now)
            )

    def learned(self) -> dict[str, Learned]:
        """Every topic's saved learned filter."""
        with self._session("reading learned filters") as session:
            return {
                r.topic_id: Learned(r.topic_id, r.model, r.state, r.trained)
                for r in session.exec(select(LearnedRow))
            }
