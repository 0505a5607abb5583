"""The ``Store``: every read and write the monitor makes to its database.

Owns: the queries, the one-transaction poll write, the delivery outbox transitions. Writes are
idempotent by unique constraints (``INSERT ... ON CONFLICT DO NOTHING ... RETURNING``), never by
read-then-write, so two sources (or two threads) storing the same article store it once.
Thread-safe the usual SQLAlchemy way: one engine, a short connection or session per call.
Does not own: engine set-up and migrations (``_engine``), row <-> value mapping (``_convert``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Insert, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from monitor.errors import StoreError
from monitor.store import _convert, _engine
from monitor.store._feedback import FeedbackLog
from monitor.store._learning import LearningLog
from monitor.store._outbox import Outbox
from monitor.store._tables import ArticleRow, DeliveryRow, MatchOutletRow, MatchRow, SourceRow
from monitor.store._values import (
    DeliveryRecord,
    NewArticle,
    PendingDelivery,
    PollSaved,
    SourceState,
    StoredMatch,
)
from monitor.store._views import Views
from monitor.types import Document, Match

_KEYS_PER_QUERY = 500  # well under SQLite's bound-parameter limit
DELIVERY_STATUSES = ("pending", "sent", "dead")


class Store(Outbox, FeedbackLog, LearningLog, Views):
    """The monitor's database. Open with ``Store.open(url)``; close when done.

    The delivery layer's queries (queues, digests, back-off, dead letters) come from ``Outbox``;
    relevance feedback from ``FeedbackLog``; imported judgments and learned filters from
    ``LearningLog``; the dashboard's pages from ``Views``.
    """

    def __init__(self, engine: Engine) -> None:
        """Use ``Store.open``: it migrates the schema first."""
        self._engine = engine

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect to ``url`` and migrate it to the latest schema (fresh or older database)."""
        engine = _engine.create(_engine.parse_url(url))
        try:
            _engine.upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({_engine.safe(self._engine.url)!r})"

    # --- sources and polls -----------------------------------------------------------------

    def unseen_keys(self, keys: Iterable[str]) -> set[str]:
        """The article keys among ``keys`` that are not stored yet."""
        wanted = sorted(set(keys))
        seen: set[str] = set()
        with self._session("reading article keys") as session:
            for start in range(0, len(wanted), _KEYS_PER_QUERY):
                chunk = wanted[start : start + _KEYS_PER_QUERY]
                seen.update(
                    session.exec(select(ArticleRow.key).where(col(ArticleRow.key).in_(chunk)))
                )
        return set(wanted) - seen

    def save_poll(
        self, state: SourceState, articles: Sequence[NewArticle], now: datetime
    ) -> PollSaved:
        """Save a successful poll in ONE transaction: the source state, then each new article
        with its matches and (when ``notify``) one pending delivery per channel, due ``now``.

        An article whose key is already stored adds nothing, not even matches: the same article
        is stored and notified once, whichever source or thread got there first.
        """
        saved = PollSaved(0, 0, 0)
        with self._transaction("saving a poll") as connection:
            self._upsert_source(connection, state)
            for article in articles:
                saved = _add(saved, self._save_article(connection, article, now))
        return saved

    def recent_fingerprints(
        self, since: datetime, limit: int = 20_000
    ) -> list[tuple[str, str, bytes]]:
        """(story id, source id, fingerprint) of articles first seen at or after ``since``."""
        query = (
            select(ArticleRow.story_id, ArticleRow.source_id, ArticleRow.fingerprint)
            .where(col(ArticleRow.first_seen) >= since, col(ArticleRow.fingerprint).is_not(None))
            .order_by(col(ArticleRow.first_seen).desc())
            .limit(limit)
        )
        with self._session("reading story fingerprints") as session:
            return [
                (story or "", source, bytes(print_ or b""))
                for story, source, print_ in session.exec(query)
            ]

    def save_source_state(self, state: SourceState) -> None:
        """Insert or replace the state of one source (e.g. after a failed poll)."""
        with self._transaction("saving a source state") as connection:
            self._upsert_source(connection, state)

    def source_state(self, source_id: str) -> SourceState | None:
        with self._session("reading a source state") as session:
            row = session.get(SourceRow, source_id)
            return None if row is None else _convert.source_state(row)

    def source_states(self) -> list[SourceState]:
        """Every stored source, by id."""
        with self._session("reading source states") as session:
            rows = session.exec(select(SourceRow).order_by(col(SourceRow.id)))
            return [_convert.source_state(row) for row in rows]

    # --- deliveries (the outbox) -----------------------------------------------------------

    def due_deliveries(self, now: datetime, limit: int = 100) -> list[PendingDelivery]:
        """Pending deliveries whose ``next_attempt`` has come, the longest-waiting first."""
        query = (
            _delivery_query()
            .where(col(DeliveryRow.status) == "pending", col(DeliveryRow.next_attempt) <= now)
            .order_by(col(DeliveryRow.next_attempt), col(DeliveryRow.created), col(DeliveryRow.id))
            .limit(limit)
        )
        with self._session("reading due deliveries") as session:
            rows = list(session.exec(query))
            outlets = self._outlets(session, [match.id for _, match, _ in rows])
            return [
                _convert.pending_delivery(d, m, a, outlets.get(_id(m.id), ())) for d, m, a in rows
            ]

    def mark_sent(self, delivery_id: str, now: datetime) -> None:
        self._update_delivery(
            "marking a delivery sent", delivery_id, status="sent", sent_at=now, last_attempt=now
        )

    def mark_failed(
        self, delivery_id: str, error: str, next_attempt: datetime, now: datetime
    ) -> None:
        """Record a failed attempt; the delivery stays pending until ``next_attempt``."""
        self._update_delivery(
            "marking a delivery failed",
            delivery_id,
            attempts=col(DeliveryRow.attempts) + 1,
            last_error=_convert.short_error(error),
            next_attempt=next_attempt,
            last_attempt=now,
        )

    def mark_dead(self, delivery_id: str, error: str, now: datetime) -> None:
        """Give up on a delivery (permanent refusal, or retried too long): never tried again."""
        self._update_delivery(
            "marking a delivery dead",
            delivery_id,
            status="dead",
            last_error=_convert.short_error(error),
            last_attempt=now,
        )

    def deliveries(self, status: str | None = None, limit: int = 100) -> list[DeliveryRecord]:
        """Deliveries in ``status`` (any when None), newest first."""
        query = _delivery_query().order_by(
            col(DeliveryRow.created).desc(), col(DeliveryRow.id).desc()
        )
        if status is not None:
            query = query.where(col(DeliveryRow.status) == status)
        with self._session("reading deliveries") as session:
            return [_convert.delivery_record(*row) for row in session.exec(query.limit(limit))]

    # --- reports ---------------------------------------------------------------------------

    def matches(
        self, topic: str | None = None, since: datetime | None = None, limit: int = 100
    ) -> list[StoredMatch]:
        """Stored matches, newest first; only ``topic`` (an id) and at or after ``since``."""
        query = (
            select(MatchRow, ArticleRow)
            .join(ArticleRow, col(MatchRow.article_id) == col(ArticleRow.id))
            .order_by(col(MatchRow.created).desc(), col(MatchRow.id).desc())
        )
        if topic is not None:
            query = query.where(col(MatchRow.topic_id) == topic)
        if since is not None:
            query = query.where(col(MatchRow.created) >= since)
        with self._session("reading matches") as session:
            rows = list(session.exec(query.limit(limit)))
            outlets = self._outlets(session, [match.id for match, _ in rows])
            return [_convert.stored_match(m, a, outlets.get(_id(m.id), ())) for m, a in rows]

    def article(self, ref: str) -> Document | None:
        """A stored article by its number (``42``) or key (its URL), as a Document to match."""
        query = select(ArticleRow)
        if ref.isdigit():
            query = query.where(col(ArticleRow.id) == int(ref))
        else:
            query = query.where(col(ArticleRow.key) == ref)
        with self._session("reading an article") as session:
            row = session.exec(query).first()
        if row is None:
            return None
        return Document(row.key, row.title, row.summary, row.language)

    def counts(self) -> dict[str, int]:
        """``articles``, ``matches`` and ``deliveries_<status>`` for every delivery status."""
        with self._session("counting") as session:
            counts = {
                "articles": session.exec(select(func.count()).select_from(ArticleRow)).one(),
                "matches": session.exec(select(func.count()).select_from(MatchRow)).one(),
            }
            counts |= {f"deliveries_{status}": 0 for status in DELIVERY_STATUSES}
            by_status = select(DeliveryRow.status, func.count()).group_by(col(DeliveryRow.status))
            for status, count in session.exec(by_status):
                counts[f"deliveries_{status}"] = count
        return counts

    # --- internals -------------------------------------------------------------------------

    def _outlets(self, session: Session, match_ids: list[int | None]) -> dict[int, tuple[str, ...]]:
        """The other outlets recorded for each match (display names, first recorded first)."""
        wanted = sorted({i for i in match_ids if i is not None})
        found: dict[int, list[str]] = {}
        for start in range(0, len(wanted), _KEYS_PER_QUERY):
            query = (
                select(MatchOutletRow.match_id, MatchOutletRow.source_name)
                .where(col(MatchOutletRow.match_id).in_(wanted[start : start + _KEYS_PER_QUERY]))
                .order_by(col(MatchOutletRow.id))
            )
            for match_id, name in session.exec(query):
                found.setdefault(match_id, []).append(name)
        return {key: tuple(dict.fromkeys(names)) for key, names in found.items()}

    @contextmanager
    def _transaction(self, action: str) -> Iterator[Connection]:
        with _engine.guard(action, self._engine.url), self._engine.begin() as connection:
            yield connection

    @contextmanager
    def _session(self, action: str) -> Iterator[Session]:
        with _engine.guard(action, self._engine.url), Session(self._engine) as session:
            yield session

    def _insert(self, table: type[SQLModel], values: dict[str, Any]) -> Insert:
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table).values(values)

    def _insert_new(self, table: type[SQLModel], values: dict[str, Any], *on: str) -> Insert:
        """``INSERT ... ON CONFLICT DO NOTHING``: on the columns ``on``, or on any constraint."""
        insert = self._insert(table, values)
        assert isinstance(insert, postgresql.Insert | sqlite.Insert)
        return insert.on_conflict_do_nothing(index_elements=list(on) or None)

    def _upsert_source(self, connection: Connection, state: SourceState) -> None:
        values = _convert.source_columns(state)
        insert = self._insert(SourceRow, values)
        assert isinstance(insert, postgresql.Insert | sqlite.Insert)
        changes = {name: value for name, value in values.items() if name != "id"}
        connection.execute(insert.on_conflict_do_update(index_elements=["id"], set_=changes))

    def _save_article(self, connection: Connection, new: NewArticle, now: datetime) -> PollSaved:
        insert = self._insert_new(ArticleRow, _convert.article_columns(new, now), "key")
        article_id = connection.execute(insert.returning(col(ArticleRow.id))).scalar()
        if article_id is None:
            return PollSaved(0, 0, 0)  # stored before, by another source or an earlier poll
        saved = PollSaved(1, 0, 0)
        for match, topic_name, channels in new.matches:
            added = self._save_match(connection, article_id, new, match, topic_name, now)
            if added is None:
                # the story already matched this topic through another outlet: note, not notify
                self._add_outlet(connection, article_id, new, match.topic, now)
            else:
                deliveries = self._add_deliveries(connection, added, new, match, channels, now)
                saved = _add(saved, PollSaved(0, 1, deliveries))
        return saved

    def _save_match(
        self,
        connection: Connection,
        article_id: int,
        new: NewArticle,
        match: Match,
        topic_name: str,
        now: datetime,
    ) -> int | None:
        """The new match's id, or None if this article already has a match for the topic."""
        values = _convert.match_columns(article_id, match, topic_name, now, new.page.story_id)
        # on any unique key: (article, topic), or (story, topic) for a syndicated copy
        insert = self._insert_new(MatchRow, values)
        match_id: int | None = connection.execute(insert.returning(col(MatchRow.id))).scalar()
        return match_id

    def _add_outlet(
        self, connection: Connection, article_id: int, new: NewArticle, topic: str, now: datetime
    ) -> None:
        story = new.page.story_id
        if story is None:
            return
        existing = connection.execute(
            select(MatchRow.id).where(
                col(MatchRow.story_id) == story, col(MatchRow.topic_id) == topic
            )
        ).scalar()
        if existing is not None:
            values = _convert.outlet_columns(existing, article_id, new, now)
            connection.execute(self._insert_new(MatchOutletRow, values))

    def _add_deliveries(
        self,
        connection: Connection,
        match_id: int,
        new: NewArticle,
        match: Match,
        channels: tuple[str, ...],
        now: datetime,
    ) -> int:
        if not new.notify:
            return 0  # a baseline poll: the backlog is stored, not announced
        added = 0
        for channel in dict.fromkeys(channels):
            values = _convert.delivery_columns(match_id, new.item.key, match.topic, channel, now)
            insert = self._insert_new(DeliveryRow, values).returning(col(DeliveryRow.id))
            added += connection.execute(insert).scalar() is not None
        return added

    def _update_delivery(self, action: str, delivery_id: str, **values: Any) -> None:
        statement = update(DeliveryRow).where(col(DeliveryRow.id) == delivery_id).values(values)
        with self._transaction(action) as connection:
            if connection.execute(statement).rowcount == 0:
                raise StoreError(f"{action}: no delivery {delivery_id!r}")


def _delivery_query() -> Any:
    # Any: sqlmodel's select() over three entities has no precise type for the chained calls.
    return (
        select(DeliveryRow, MatchRow, ArticleRow)
        .join(MatchRow, col(DeliveryRow.match_id) == col(MatchRow.id))
        .join(ArticleRow, col(MatchRow.article_id) == col(ArticleRow.id))
    )


def _id(value: int | None) -> int:
    assert value is not None  # rows read back always have their primary key
    return value


def _add(a: PollSaved, b: PollSaved) -> PollSaved:
    return PollSaved(
        a.new_articles + b.new_articles,
        a.new_matches + b.new_matches,
        a.new_deliveries + b.new_deliveries,
    )
