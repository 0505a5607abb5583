"""A poll's articles written in a few statements: one per table, not a few per article.

Owns: the rows a poll's articles add, inside the poll's transaction, in their two forms. The
batch (``save_batch``): the articles in one ``INSERT ... ON CONFLICT DO NOTHING RETURNING``,
their band keys in one, their matches in one and the pending deliveries in one (a blank
article already stored is filled in, and a story that already matched a topic gains an outlet,
one by one: both are rare). One by one (``save_one``): an article, its bands, its matches and
deliveries, as the store wrote every article before (issue 14: the write of a poll of 10
articles took 59 statements, each a round trip, 20 of them savepoints; now 14). Both
add the same rows and count them alike, and both go in the order they are given
(``_store``'s ``_row_lock_order``): two nodes saving at once take their unique-key locks in
one order.
Does not own: which form runs (``_store``: the batch, under one savepoint; if the database
refuses any of its rows, it is rolled back and the articles are saved one by one, each under
a savepoint of its own, so that a refused one costs only itself), the transaction, its locks
and fence (``_store``, ``_stories``, ``_cluster``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, func, update
from sqlalchemy import insert as plain_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel, col, select

from monitor.store import _convert
from monitor.store._tables import (
    ArticleRow,
    DeliveryRow,
    MatchOutletRow,
    MatchRow,
    StoryBandRow,
)
from monitor.store._values import NewArticle, PollSaved
from monitor.types import Match

# rows in one multi-row INSERT of band keys: 2 parameters each, well under SQLite's 999
_BANDS_PER_STATEMENT = 400


def save_batch(connection: Connection, articles: Sequence[NewArticle], now: datetime) -> PollSaved:
    """Add ``articles`` (new ones only: a stored key adds nothing) in one statement per table."""
    ids = _insert_articles(connection, articles, now)
    kept = [(i, new) for i, new in zip(ids, articles, strict=True) if i is not None]
    # a plain INSERT: the articles are new, or were blank (no text: no bands), so none has
    # bands yet; checking each row for a conflict cost PostgreSQL a quarter more. Were there
    # one, the batch would be undone and saved one by one, where a conflict adds nothing.
    _index_bands(connection, [(article_id, new.page.bands) for article_id, new in kept], batch=True)
    wanted = [
        (article_id, new, match, topic_name, channels)
        for article_id, new in kept
        for match, topic_name, channels in new.matches
    ]
    match_ids = _insert_matches(connection, wanted, now)
    deliveries = []
    for (article_id, new, match, _name, channels), match_id in zip(wanted, match_ids, strict=True):
        if match_id is None:
            # the story already matched this topic through another outlet: note, not notify
            add_outlet(connection, article_id, new, match.topic, now)
        elif new.notify:
            deliveries += [(match_id, new, match, channel) for channel in dict.fromkeys(channels)]
    added = _insert_deliveries(connection, deliveries, now)
    return PollSaved(len(kept), sum(i is not None for i in match_ids), added)


def save_one(connection: Connection, new: NewArticle, now: datetime) -> PollSaved:
    """Add one article (nothing if its key is stored), its bands, matches and deliveries."""
    columns = _convert.article_columns(new, now)
    insert = insert_new(connection, ArticleRow, "key").values(columns)
    article_id = connection.execute(insert.returning(col(ArticleRow.id))).scalar()
    if article_id is None:
        article_id = fill_blank(connection, columns)
    if article_id is None:
        return PollSaved(0, 0, 0)  # stored before, by another source or an earlier poll
    _index_bands(connection, [(article_id, new.page.bands)])
    saved = PollSaved(1, 0, 0)
    for match, topic_name, channels in new.matches:
        values = _convert.match_columns(article_id, match, topic_name, now, _convert.facts(new))
        # on any unique key: (article, topic), or (story, topic) for a syndicated copy
        insert = insert_new(connection, MatchRow).values(values)
        match_id = connection.execute(insert.returning(col(MatchRow.id))).scalar()
        if match_id is None:
            add_outlet(connection, article_id, new, match.topic, now)
            continue
        channels = channels if new.notify else ()  # a baseline poll: stored, not announced
        wanted = [(match_id, new, match, channel) for channel in dict.fromkeys(channels)]
        added = _insert_deliveries(connection, wanted, now)
        saved = PollSaved(1, saved.new_matches + 1, saved.new_deliveries + added)
    return saved


def insert_new(connection: Connection, table: type[SQLModel], *on: str) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` on the columns ``on``, or on any constraint."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table)
    return insert.on_conflict_do_nothing(index_elements=list(on) or None)


def fill_blank(connection: Connection, columns: dict[str, Any]) -> int | None:
    """The id of the stored blank article with this key, now filled in with ``columns``; None
    if it is not blank or the new one is blank too. Conditional, so two sources racing to
    fill it in fill it once."""
    if not (columns["title"] or columns["summary"] or columns["text"]):
        return None
    changes = {k: v for k, v in columns.items() if k not in ("key", "first_seen")}
    statement = (
        update(ArticleRow)
        .where(col(ArticleRow.key) == columns["key"], blank())
        .values(changes)
        .returning(col(ArticleRow.id))
    )
    article_id: int | None = connection.execute(statement).scalar()
    return article_id


def blank() -> Any:
    """An article stored with nothing to match on: no title, no summary, no text."""
    # Any: sqlmodel types these column expressions loosely
    return (
        (func.coalesce(col(ArticleRow.title), "") == "")
        & (func.coalesce(col(ArticleRow.summary), "") == "")
        & col(ArticleRow.text).is_(None)
    )


def add_outlet(
    connection: Connection, article_id: int, new: NewArticle, topic: str, now: datetime
) -> None:
    """Record ``new`` as one more outlet of its story's match of ``topic``."""
    story = new.page.story_id
    if story is None:
        return
    existing = connection.execute(
        select(MatchRow.id).where(col(MatchRow.story_id) == story, col(MatchRow.topic_id) == topic)
    ).scalar()
    if existing is not None:
        values = _convert.outlet_columns(existing, article_id, new, now)
        connection.execute(insert_new(connection, MatchOutletRow).values(values))


def _insert_articles(
    connection: Connection, articles: Sequence[NewArticle], now: datetime
) -> list[int | None]:
    """Each article's new id, in order; None for one whose key was stored (and not blank)."""
    rows = [_convert.article_columns(new, now) for new in articles]
    if not rows:
        return []
    insert = insert_new(connection, ArticleRow, "key")
    returned = connection.execute(insert.returning(col(ArticleRow.id), col(ArticleRow.key)), rows)
    by_key = {key: article_id for article_id, key in returned}
    ids: list[int | None] = []
    for columns in rows:
        # a key twice in one poll: the first inserted it, the second finds it stored
        article_id = by_key.pop(columns["key"], None)
        ids.append(article_id if article_id is not None else fill_blank(connection, columns))
    return ids


def _index_bands(
    connection: Connection, articles: Sequence[tuple[int, Sequence[int]]], batch: bool = False
) -> None:
    """The band keys of each (article id, bands), each band once per article; ``batch``: with
    no ``ON CONFLICT`` (see ``save_batch``)."""
    rows = [
        {"band": band, "article_id": article_id}
        for article_id, bands in articles
        for band in dict.fromkeys(bands)
    ]
    statement = plain_insert(StoryBandRow) if batch else insert_new(connection, StoryBandRow)
    for start in range(0, len(rows), _BANDS_PER_STATEMENT):
        connection.execute(statement.values(rows[start : start + _BANDS_PER_STATEMENT]))


def _insert_matches(
    connection: Connection,
    wanted: Sequence[tuple[int, NewArticle, Match, str, tuple[str, ...]]],
    now: datetime,
) -> list[int | None]:
    """Each wanted match's new id, in order; None where the article or its story already
    matched the topic."""
    rows = [
        _convert.match_columns(article_id, match, topic_name, now, _convert.facts(new))
        for article_id, new, match, topic_name, _channels in wanted
    ]
    if not rows:
        return []
    # on any unique key: (article, topic), or (story, topic) for a syndicated copy
    insert = insert_new(connection, MatchRow).returning(
        col(MatchRow.id), col(MatchRow.article_id), col(MatchRow.topic_id)
    )
    returned = connection.execute(insert, rows)
    by_pair = {(article_id, topic): match_id for match_id, article_id, topic in returned}
    return [by_pair.get((row["article_id"], row["topic_id"])) for row in rows]


def _insert_deliveries(
    connection: Connection, wanted: Sequence[tuple[int, NewArticle, Match, str]], now: datetime
) -> int:
    """Pending deliveries for each (match id, article, match, channel): how many were new."""
    rows = [
        _convert.delivery_columns(match_id, new.item.key, match.topic, channel, now)
        for match_id, new, match, channel in wanted
    ]
    if not rows:
        return 0
    insert = insert_new(connection, DeliveryRow).returning(col(DeliveryRow.id))
    return len(connection.execute(insert, rows).all())
