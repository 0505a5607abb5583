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

from sqlalchemy import Connection, Engine, Insert, bindparam, func, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, col, select

from monitor.errors import StoreError
from monitor.store import _convert, _engine, _poll
from monitor.store._cluster import Coordination
from monitor.store._feedback import FeedbackLog
from monitor.store._learning import LearningLog
from monitor.store._outbox import Outbox
from monitor.store._retention import Retention
from monitor.store._stories import Stories, band_keys_of
from monitor.store._tables import (
    ArticleRow,
    DeliveryRow,
    MatchOutletRow,
    MatchRow,
    SourceRow,
    UTCDateTime,
)
from monitor.store._values import (
    NewArticle,
    Placing,
    PollSaved,
    SourceState,
    StoredArticle,
    StoredMatch,
    row_id,
)
from monitor.store._views import Views
from monitor.types import Document, Match

_KEYS_PER_QUERY = 500  # well under SQLite's bound-parameter limit
#: the statuses of deliveries still queued or given up on: few, whatever the history's size
QUEUED_STATUSES = ("pending", "dead")


class Store(Outbox, FeedbackLog, LearningLog, Views, Coordination, Stories, Retention):
    """The monitor's database. Open with ``Store.open(url)``; close when done.

    The delivery layer's queries (queues, digests, back-off, dead letters) come from ``Outbox``;
    relevance feedback from ``FeedbackLog``; imported judgments and learned filters from
    ``LearningLog``; the dashboard's pages from ``Views``; the cluster's (heartbeats, leases, the
    fence every transaction checks) from ``Coordination``; the story look-up and its locks
    from ``Stories``; pruning old articles (and the keys they leave seen) from ``Retention``.
    """

    def __init__(self, engine: Engine) -> None:
        """Use ``Store.open``: it migrates the schema first."""
        self._engine = engine
        self._closed = False

    @classmethod
    def open(cls, url: str, migrate: bool = True) -> Store:
        """Connect to ``url`` and migrate it to the latest schema (fresh or older database).

        ``migrate=False`` (commands that only look) neither creates nor migrates: a missing
        database or an older schema is a ``StoreError`` that says what to run.
        """
        engine = _engine.create(_engine.parse_url(url), make=migrate)
        try:
            if migrate:
                _engine.upgrade(engine)
            else:
                _engine.require_current(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        """Close every connection. A read or write after this is a ``ValueError`` (a bug, as
        reading a closed file is): disposed, SQLAlchemy's engine would silently connect again,
        as a lazy reader (``matches``, ``stored_articles``) read past its ``with`` block did."""
        self._closed = True
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({_engine.safe(self._engine.url)!r})"

    # --- sources and polls -----------------------------------------------------------------

    def unseen_keys(self, keys: Iterable[str], source_id: str | None = None) -> set[str]:
        """The article keys among ``keys`` that are not stored yet, and were not pruned either
        (``_retention``: a deleted article's key stays seen, so a feed still listing it does not
        bring it back as new).

        For ``source_id``, an article another source stored blank (no title, summary or text: a
        sitemap entry without a title, say, in that source's silent baseline) counts as unseen
        too: nothing was ever matched on it, and this source may fill it in (``save_poll``).
        """
        wanted = sorted(set(keys))
        seen: set[str] = set()
        query = select(ArticleRow.key)
        if source_id is not None:
            query = query.where(~(_poll.blank() & (col(ArticleRow.source_id) != source_id)))
        with self._session("reading article keys") as session:
            for start in range(0, len(wanted), _KEYS_PER_QUERY):
                chunk = wanted[start : start + _KEYS_PER_QUERY]
                seen.update(session.exec(query.where(col(ArticleRow.key).in_(chunk))))
        unseen = set(wanted) - seen
        return unseen - self.seen_keys(unseen) if unseen else unseen

    def save_poll(
        self,
        state: SourceState,
        articles: Sequence[NewArticle],
        now: datetime,
        placing: Placing | None = None,
    ) -> PollSaved:
        """Save a successful poll in ONE transaction: the source state, then each new article
        with its matches and (when ``notify``) one pending delivery per channel, due ``now``.
        With ``placing``, each article with band keys is first placed in its story, in the
        same transaction (``_stories``: on PostgreSQL, under a lock per band key, taken first).

        An article whose key is already stored adds nothing, not even matches: the same article
        is stored and notified once, whichever source or thread got there first. Except over a
        blank one (see ``unseen_keys``): an article with a title, summary or text fills it in,
        and is matched and notified as if new.
        An article the database refuses (one hostile item) is rolled back alone and named in
        ``refused``.
        """
        bands = band_keys_of(articles) if placing is not None else []
        with self._transaction("saving a poll", bands) as connection:
            self._upsert_source(connection, state)
            if placing is not None:
                articles = self._in_stories(connection, state.source_id, articles, placing)
            return self._save_articles(connection, sorted(articles, key=_row_lock_order), now)

    def _save_articles(
        self, connection: Connection, articles: Sequence[NewArticle], now: datetime
    ) -> PollSaved:
        """In one statement per table (``_poll.save_batch``), under one savepoint. If the
        database refuses any row, that is rolled back and each article is saved on its own."""
        if not articles:
            return PollSaved(0, 0, 0)
        savepoint = connection.begin_nested()
        try:
            saved = _poll.save_batch(connection, articles, now)
        except DBAPIError:  # a value the database refuses (or an outage: the rollback fails)
            savepoint.rollback()
        else:
            savepoint.commit()
            return saved
        saved = PollSaved(0, 0, 0)
        for article in articles:
            saved = _add(saved, self._save_one(connection, article, now))
        return saved

    def _save_one(self, connection: Connection, new: NewArticle, now: datetime) -> PollSaved:
        """One article in its own savepoint: refused by the database, it costs only itself. A
        connection that is gone fails the rollback too, and with it the whole poll (an outage,
        not an item); an error of ours (not the database's) fails the whole poll as well."""
        savepoint = connection.begin_nested()
        try:
            saved = _poll.save_one(connection, new, now)
        except DBAPIError as e:  # the database refused this article's values, not our bug
            savepoint.rollback()
            why = _engine.describe(e, self._engine.url)
            return PollSaved(0, 0, 0, ((new.item.key, f"store: {why}"),))
        savepoint.commit()
        return saved

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

    def mark_sent(self, delivery_id: str, now: datetime) -> None:
        self._update_delivery(
            "marking a delivery sent", delivery_id, status="sent", sent_at=now, last_attempt=now
        )

    # --- reports ---------------------------------------------------------------------------

    def matches(
        self,
        topic: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        page: int = _KEYS_PER_QUERY,
    ) -> Iterator[StoredMatch]:
        """Up to ``limit`` stored matches, newest first; only ``topic`` (an id) and at or after
        ``since``. Read ``page`` at a time (keyset on ``(created, id)``, each page in a short
        session of its own) and only the columns a ``StoredMatch`` holds, never the article's
        text: ``monitor matches --limit 1000000`` prints as it reads, in little memory."""
        after: tuple[datetime, int] | None = None
        while limit > 0:
            wanted = min(page, limit)
            found = self._match_rows(topic, since, after, wanted)
            yield from found
            if len(found) < wanted:
                return
            limit -= wanted
            after = (found[-1].created, found[-1].match_id)

    def _match_rows(
        self,
        topic: str | None,
        since: datetime | None,
        after: tuple[datetime, int] | None,
        limit: int,
    ) -> list[StoredMatch]:
        query = _stored_match_query()
        if topic is not None:
            query = query.where(col(MatchRow.topic_id) == topic)
        if since is not None:
            query = query.where(col(MatchRow.created) >= since)
        if after is not None:
            position = tuple_(
                bindparam("after_created", after[0], type_=UTCDateTime),
                bindparam("after_id", after[1]),
            )
            query = query.where(tuple_(col(MatchRow.created), col(MatchRow.id)) < position)
        query = query.order_by(col(MatchRow.created).desc(), col(MatchRow.id).desc())
        with self._session("reading matches") as session:
            rows = list(session.exec(query.limit(limit)))
            outlets = self._outlets(session, [row[0] for row in rows])
        return [_convert.stored_match(row, outlets.get(row[0], ())) for row in rows]

    def article(self, ref: str) -> Document | None:
        """A stored article by its number (``42``) or key (its URL), as a Document to match."""
        query = select(ArticleRow)
        if ref.isdigit():
            number = row_id(ref)
            if number is None:  # past any row id: the driver would refuse to compare it
                return None
            query = query.where(col(ArticleRow.id) == number)
        else:
            query = query.where(col(ArticleRow.key) == ref)
        with self._session("reading an article") as session:
            row = session.exec(query).first()
        if row is None:
            return None
        # the page's full text, as the pipeline matched it; the feed's summary when not followed
        return Document(row.key, row.title, row.text or row.summary, row.language)

    # --- re-matching -------------------------------------------------------------------------

    def stored_articles(
        self,
        since: datetime | None = None,
        batch: int = _KEYS_PER_QUERY,
        newest: int | None = None,
    ) -> Iterator[StoredArticle]:
        """Stored articles first seen at or after ``since``, oldest first, read in batches;
        only the ``newest`` last stored of them when given."""
        after = self._before_newest(since, newest) if newest is not None else 0
        while True:
            query = select(ArticleRow).where(col(ArticleRow.id) > after)
            if since is not None:
                query = query.where(col(ArticleRow.first_seen) >= since)
            with self._session("reading articles") as session:
                rows = list(session.exec(query.order_by(col(ArticleRow.id)).limit(batch)))
            yield from (_convert.stored_article(row) for row in rows)
            if len(rows) < batch:
                return
            after = _id(rows[-1].id)

    def _before_newest(self, since: datetime | None, newest: int) -> int:
        """The number of the article stored just before the ``newest`` last ones (0: none)."""
        query = select(ArticleRow.id).order_by(col(ArticleRow.id).desc()).offset(newest).limit(1)
        if since is not None:
            query = query.where(col(ArticleRow.first_seen) >= since)
        with self._session("reading articles") as session:
            return session.exec(query).first() or 0

    def new_rematches(
        self, article: StoredArticle, matches: Sequence[tuple[Match, str, tuple[str, ...]]]
    ) -> list[tuple[Match, str, tuple[str, ...]]]:
        """Those of ``matches`` that ``save_rematch`` would store now: the topics neither the
        article nor its story has a match for (a copy of a story already alerted joins that
        match). ``monitor rematch --dry-run`` lists these, so it shows what a real run stores."""
        with self._session("reading matches") as session:
            return _unmatched(session.connection(), article, matches)

    def matched_by(self, topic_id: str, first: int = 0) -> set[int]:
        """The numbers of the articles (numbered ``first`` or later) that ``topic_id`` has a
        stored match for, in one query."""
        query = select(MatchRow.article_id).where(
            col(MatchRow.topic_id) == topic_id, col(MatchRow.article_id) >= first
        )
        with self._session("reading matches") as session:
            return set(session.exec(query))

    def save_rematch(
        self,
        article: StoredArticle,
        matches: Sequence[tuple[Match, str, tuple[str, ...]]],
        notify: bool,
        now: datetime,
    ) -> PollSaved:
        """Store the article's new matches ((match, topic name, channels) each) in one
        transaction; a topic it (or its story) already matched is left as it is. With
        ``notify``, each new match gets pending deliveries to its channels."""
        saved = PollSaved(0, 0, 0)
        with self._transaction("storing re-matched articles") as connection:
            for match, topic_name, channels in _unmatched(connection, article, matches):
                values = _convert.match_columns(
                    article.article_id, match, topic_name, now, _convert.stored_facts(article)
                )
                insert = _poll.insert_new(connection, MatchRow).values(values)
                insert = insert.returning(col(MatchRow.id))
                match_id = connection.execute(insert).scalar()
                if match_id is None:
                    continue
                added = 0
                for channel in dict.fromkeys(channels) if notify else ():
                    values = _convert.delivery_columns(
                        match_id, article.document.id, match.topic, channel, now
                    )
                    row = _poll.insert_new(connection, DeliveryRow).values(values)
                    row = row.returning(col(DeliveryRow.id))
                    added += connection.execute(row).scalar() is not None
                saved = _add(saved, PollSaved(0, 1, added))
        return saved

    def queue_sizes(self) -> dict[str, int]:
        """``deliveries_pending`` and ``deliveries_dead``: the queue gauges of ``/metrics``.
        Read from the status index (``ix_delivery_status_next``), so a scrape counts the few
        queued rows, never the sent history (a whole-table count took 0.6-0.8 s a scrape on
        PostgreSQL at 236,000 articles)."""
        sizes = {f"deliveries_{status}": 0 for status in QUEUED_STATUSES}
        query = (
            select(DeliveryRow.status, func.count())
            .where(col(DeliveryRow.status).in_(QUEUED_STATUSES))
            .group_by(col(DeliveryRow.status))
        )
        with self._session("counting queued deliveries") as session:
            for status, count in session.exec(query):
                sizes[f"deliveries_{status}"] = count
        return sizes

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
    def _transaction(self, action: str, bands: Sequence[int] = ()) -> Iterator[Connection]:
        """A write transaction, fenced by the current task's lease if it works under one.
        ``bands``: story band keys to lock first (``_stories``), before the fence locks the
        source's row: a save waiting for a copy's save never holds up this node's heartbeat,
        which renews that row."""
        self._check_open(action)
        with _engine.guard(action, self._engine.url), self._engine.begin() as connection:
            self._lock_bands(connection, bands)
            with self._fence(connection):
                yield connection

    @contextmanager
    def _session(self, action: str) -> Iterator[Session]:
        self._check_open(action)
        with _engine.guard(action, self._engine.url), Session(self._engine) as session:
            yield session

    def _check_open(self, action: str) -> None:
        """Not a ``StoreError``: the daemon takes that for an outage and waits it out; a closed
        store never comes back."""
        if self._closed:
            raise ValueError(f"{action}: the store is closed")

    def _insert(
        self, table: type[SQLModel], values: dict[str, Any] | list[dict[str, Any]]
    ) -> Insert:
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(table).values(values)

    def _upsert_source(self, connection: Connection, state: SourceState) -> None:
        values = _convert.source_columns(state)
        insert = self._insert(SourceRow, values)
        assert isinstance(insert, postgresql.Insert | sqlite.Insert)
        changes = {name: value for name, value in values.items() if name != "id"}
        connection.execute(insert.on_conflict_do_update(index_elements=["id"], set_=changes))

    def _update_delivery(self, action: str, delivery_id: str, **values: Any) -> None:
        statement = update(DeliveryRow).where(col(DeliveryRow.id) == delivery_id).values(values)
        with self._transaction(action) as connection:
            if connection.execute(statement).rowcount == 0:
                raise StoreError(f"{action}: no delivery {delivery_id!r}")


def _row_lock_order(article: NewArticle) -> tuple[str, str]:
    """The order a poll saves its articles in: by story, then key. Two polls saving at once
    (two nodes) wait for each other's rows on the unique keys (an article's key, a story's
    match of a topic); taken in one order, never each for the other's (a deadlock)."""
    return article.page.story_id or article.item.key, article.item.key


def _unmatched(
    connection: Connection,
    article: StoredArticle,
    matches: Sequence[tuple[Match, str, tuple[str, ...]]],
) -> list[tuple[Match, str, tuple[str, ...]]]:
    """``matches`` but those of topics the article or its story has a stored match for: the
    match table's unique keys, (article, topic) and (story, topic), asked before the insert
    that they would refuse, so that a dry run and a real run agree."""
    same = col(MatchRow.article_id) == article.article_id
    if article.story_id is not None:
        same = same | (col(MatchRow.story_id) == article.story_id)
    taken = set(connection.execute(select(MatchRow.topic_id).where(same)).scalars())
    return [found for found in matches if found[0].topic not in taken]


def _id(value: int | None) -> int:
    assert value is not None  # rows read back always have their primary key
    return value


def _add(a: PollSaved, b: PollSaved) -> PollSaved:
    return PollSaved(
        a.new_articles + b.new_articles,
        a.new_matches + b.new_matches,
        a.new_deliveries + b.new_deliveries,
        a.refused + b.refused,
    )


def _stored_match_query() -> Any:
    """A match with the article columns a ``StoredMatch`` holds (not its text), in the order
    ``_convert.stored_match`` reads them."""
    # Any: sqlmodel's select() over more than 4 columns has no precise type for the chain
    return select(  # type: ignore[call-overload]  # sqlmodel types select() up to 4 columns
        MatchRow.id,
        MatchRow.topic_id,
        MatchRow.topic_name,
        MatchRow.score,
        MatchRow.hits,
        MatchRow.created,
        ArticleRow.key,
        ArticleRow.title,
        ArticleRow.url,
        ArticleRow.source_id,
        ArticleRow.published,
    ).join(ArticleRow, col(MatchRow.article_id) == col(ArticleRow.id))
