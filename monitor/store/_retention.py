"""Retention in the store: which old articles may go, deleting them in short batches, what stays.

Owns: the rule that decides which articles first seen before a cutoff are deleted (``_prunable``)
and which are kept; the batch delete of an article with its matches, their deliveries and other
outlets, and its band keys, in one short transaction per batch; the dry run's counts, made by
the same rule; the ``seen_key`` record that keeps a deleted article's key seen; the ``job_run``
claim that lets one node a day run the daemon's prune; ``VACUUM`` and the database's size
(``monitor prune --vacuum`` prints it before and after).

Kept, whatever its age (an analyst or the outbox still needs it):
- an article whose key has a verdict (``feedback``: the learner reads the judged text from the
  article, ``_learning.judgments``), with its matches;
- an article with a match that is still needed: one with a delivery not sent (``pending`` or
  ``dead``: a match waiting to be sent, or to be retried, is never lost), one with a verdict, one
  created after the cutoff (``monitor rematch`` matched an old article lately), or one whose
  story another outlet carried after the cutoff (the story is still running: its match keeps
  copies from alerting again);
- an article that is another outlet of such a match (the match's "also in" stays whole).

Why ``seen_key``: whether an item is new is decided by its article row (``Store.unseen_keys``),
and a feed may list an item for months (a sitemap, an evergreen page). Deleting the row alone
would make the next poll store and alert it as new. So each deleted key is kept as the first 8
bytes of its SHA-256 (on SQLite the table's rowid: about 15 bytes a key, against 2.7 KB and
more for the article). Two keys share a hash with a chance of n / 2^64 for n keys kept (one in
10^12 at 10 million): that new article would be taken for seen.
Does not own: when or how often to prune and how long to pause between batches
(``monitor.retention``), what the counts are shown as (``monitor.cli``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, and_, delete, exists, func, or_, text, update
from sqlalchemy import select as columns_of
from sqlalchemy.orm import aliased
from sqlmodel import col

from monitor.errors import StoreError
from monitor.store import _engine, _poll
from monitor.store._tables import (
    ArticleRow,
    DeliveryRow,
    DigestRow,
    FeedbackRow,
    JobRunRow,
    MatchOutletRow,
    MatchRow,
    SeenKeyRow,
    StoryBandRow,
)
from monitor.store._values import Pruned

_KEYS_PER_QUERY = 500  # well under SQLite's bound-parameter limit
#: the tables ``monitor prune --vacuum`` asks PostgreSQL to vacuum
_PRUNED_TABLES = ("article", "match", "match_outlet", "delivery", "story_band", "digest")


def key_hash(key: str) -> int:
    """An article key as the signed 64-bit integer ``seen_key`` stores."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


class Retention:
    """Mixed into ``Store``: pruning old articles (see the module docstring)."""

    if TYPE_CHECKING:
        _engine: Engine

        def _transaction(self, action: str) -> AbstractContextManager[Connection]: ...
        def _reading(self, action: str) -> AbstractContextManager[Connection]: ...

    def seen_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` whose articles ``monitor prune`` deleted (they stay seen)."""
        by_hash = {key_hash(key): key for key in keys}
        wanted = sorted(by_hash)
        found: set[str] = set()
        with self._reading("reading pruned keys") as connection:
            for start in range(0, len(wanted), _KEYS_PER_QUERY):
                chunk = wanted[start : start + _KEYS_PER_QUERY]
                query = columns_of(col(SeenKeyRow.key_hash)).where(
                    col(SeenKeyRow.key_hash).in_(chunk)
                )
                found.update(by_hash[h] for h in connection.execute(query).scalars())
        return found

    def prune_batch(self, cutoff: datetime, after: int, limit: int) -> tuple[Pruned, int | None]:
        """Delete up to ``limit`` prunable articles numbered above ``after`` (first seen before
        ``cutoff``), with what goes with them, in one transaction. Returns what was deleted and
        the number to continue after; None when no prunable article is left past ``after``."""
        with self._transaction("pruning old articles") as connection:
            found = [
                (article_id, key)
                for article_id, key in connection.execute(
                    columns_of(col(ArticleRow.id), col(ArticleRow.key))
                    .where(col(ArticleRow.id) > after, _prunable(cutoff))
                    .order_by(col(ArticleRow.id))
                    .limit(limit)
                )
                if article_id is not None  # a primary key: never None, but typed so
            ]
            if not found:
                return Pruned(), None
            # the first write: on SQLite it takes the database's write lock (the driver begins
            # the transaction only then), so the check below sees the last word of every writer;
            # a key kept after all is harmless in seen_key (its article says it is seen anyway)
            seen = _remember(connection, [key for _, key in found])
            ids = _still_prunable(connection, [article_id for article_id, _ in found], cutoff)
            deleted = _delete(connection, ids) if ids else Pruned()
        return deleted + Pruned(seen_keys=seen), found[-1][0]

    def prune_digests(self, cutoff: datetime) -> Pruned:
        """Delete the sent digests older than ``cutoff`` none of whose deliveries is left."""
        with self._transaction("pruning old digests") as connection:
            gone = connection.execute(delete(DigestRow).where(_orphan_digest(cutoff)))
        return Pruned(digests=gone.rowcount)

    def prune_counts(self, cutoff: datetime) -> Pruned:
        """What pruning before ``cutoff`` would delete now (``monitor prune --dry-run``): counted
        by the rule the deletes use; nothing is written."""
        chosen = _prunable(cutoff)
        with self._reading("counting old articles") as connection:
            counts = _counts(connection, chosen)
            digests = connection.execute(
                columns_of(func.count())
                .select_from(DigestRow)
                .where(_orphan_digest(cutoff, unless=chosen))
            ).scalar_one()
            kept = connection.execute(
                columns_of(func.count())
                .select_from(ArticleRow)
                .where(col(ArticleRow.first_seen) < cutoff, ~chosen)
            ).scalar_one()
        return counts + Pruned(digests=digests, seen_keys=counts.articles, kept=kept)

    def kept_count(self, cutoff: datetime) -> int:
        """Articles first seen before ``cutoff`` that the rule keeps."""
        with self._reading("counting kept articles") as connection:
            query = (
                columns_of(func.count())
                .select_from(ArticleRow)
                .where(col(ArticleRow.first_seen) < cutoff, ~_prunable(cutoff))
            )
            return int(connection.execute(query).scalar_one())

    def claim_run(self, name: str, now: datetime, every: timedelta) -> bool:
        """Take job ``name``'s run now if its last one started ``every`` ago or more (or never):
        True for the one caller (node) whose conditional update moved ``last_run`` to ``now``."""
        due = or_(col(JobRunRow.last_run).is_(None), col(JobRunRow.last_run) <= now - every)
        with self._transaction("claiming a daily job") as connection:
            connection.execute(_poll.insert_new(connection, JobRunRow, "name").values(name=name))
            taken = connection.execute(
                update(JobRunRow)
                .where(col(JobRunRow.name) == name, due)
                .values(last_run=now)
                .returning(col(JobRunRow.name))
            ).first()
        return taken is not None

    def database_size(self) -> int:
        """Bytes the database takes: a SQLite file with its write-ahead log (0 in memory), or
        PostgreSQL's ``pg_database_size`` of the current database."""
        url = self._engine.url
        if url.get_backend_name() == "sqlite":
            path = _engine.sqlite_file(url.render_as_string())
            if path is None:
                return 0
            try:
                return sum(_file_size(name) for name in (path, f"{path}-wal"))
            except OSError as e:
                raise StoreError(f"cannot read the size of {path}: {e.strerror}") from e
        with self._reading("reading the database size") as connection:
            query = text("SELECT pg_database_size(current_database())")
            return int(connection.execute(query).scalar_one())

    def vacuum(self) -> None:
        """Give the space deleted rows took back: SQLite rewrites the file (it shrinks only so,
        and no other writer may write meanwhile); PostgreSQL marks it free for new rows."""
        with (
            _engine.guard("vacuuming the database", self._engine.url),
            self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection,
        ):
            if connection.dialect.name == "sqlite":
                connection.execute(text("VACUUM"))
                connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            else:
                for table in _PRUNED_TABLES:
                    connection.execute(text(f'VACUUM ANALYZE "{table}"'))


def _file_size(path: str) -> int:
    """Size of ``path`` in bytes; 0 when it does not exist (a write-ahead log checkpointed away)."""
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def _kept_match(match: Any, cutoff: datetime) -> Any:
    """A match that is still needed (``match``: an alias of the match table)."""
    carried: Any = aliased(MatchOutletRow)  # not the outlet table of an enclosing query
    return or_(
        match.created >= cutoff,
        exists().where(col(DeliveryRow.match_id) == match.id, col(DeliveryRow.status) != "sent"),
        exists().where(col(FeedbackRow.match_id) == match.id),
        exists().where(carried.match_id == match.id, carried.created >= cutoff),
    )


def _prunable(cutoff: datetime) -> Any:
    """An article first seen before ``cutoff`` that nothing keeps (see the module docstring).
    Each test is an indexed look-up by the article's number, but the verdicts' keys: those are
    few, read once per statement."""
    # Any: SQLAlchemy's boolean expressions over sqlmodel columns
    own: Any = aliased(MatchRow)
    outlet_of: Any = aliased(MatchRow)
    return and_(
        col(ArticleRow.first_seen) < cutoff,
        col(ArticleRow.key).not_in(columns_of(col(FeedbackRow.article_key))),
        ~exists().where(own.article_id == col(ArticleRow.id), _kept_match(own, cutoff)),
        ~exists().where(
            col(MatchOutletRow.article_id) == col(ArticleRow.id),
            outlet_of.id == col(MatchOutletRow.match_id),
            _kept_match(outlet_of, cutoff),
        ),
    )


def _remember(connection: Connection, keys: Sequence[str]) -> int:
    """Add ``keys`` to ``seen_key``: how many were not there yet."""
    rows = [{"key_hash": h} for h in sorted({key_hash(key) for key in keys})]
    insert = _poll.insert_new(connection, SeenKeyRow, "key_hash")
    return len(connection.execute(insert.returning(col(SeenKeyRow.key_hash)), rows).all())


def _still_prunable(connection: Connection, ids: Sequence[int], cutoff: datetime) -> list[int]:
    """Those of ``ids`` the rule still lets go, asked again inside the deleting transaction."""
    query = columns_of(col(ArticleRow.id)).where(col(ArticleRow.id).in_(ids), _prunable(cutoff))
    return [i for i in connection.execute(query).scalars() if i is not None]


def _delete(connection: Connection, ids: Sequence[int]) -> Pruned:
    """Delete the articles ``ids`` and what goes with them, children first, counting each."""
    chosen = col(ArticleRow.id).in_(ids)
    texts = connection.execute(
        columns_of(func.count())
        .select_from(ArticleRow)
        .where(chosen, col(ArticleRow.text).is_not(None))
    ).scalar_one()
    matches = columns_of(col(MatchRow.id)).where(col(MatchRow.article_id).in_(ids))
    deliveries = connection.execute(
        delete(DeliveryRow).where(col(DeliveryRow.match_id).in_(matches))
    )
    outlets = connection.execute(
        delete(MatchOutletRow).where(
            or_(col(MatchOutletRow.article_id).in_(ids), col(MatchOutletRow.match_id).in_(matches))
        )
    )
    bands = connection.execute(delete(StoryBandRow).where(col(StoryBandRow.article_id).in_(ids)))
    gone_matches = connection.execute(delete(MatchRow).where(col(MatchRow.article_id).in_(ids)))
    articles = connection.execute(delete(ArticleRow).where(chosen))
    return Pruned(
        articles=articles.rowcount,
        texts=texts,
        matches=gone_matches.rowcount,
        deliveries=deliveries.rowcount,
        outlets=outlets.rowcount,
        bands=bands.rowcount,
    )


def _counts(connection: Connection, chosen: Any) -> Pruned:
    """What deleting the articles ``chosen`` (a condition on the article table) would delete."""
    articles = columns_of(col(ArticleRow.id)).where(chosen)
    matches = columns_of(col(MatchRow.id)).where(col(MatchRow.article_id).in_(articles))

    def count(query: Any) -> int:
        return int(connection.execute(query).scalar_one())

    return Pruned(
        articles=count(columns_of(func.count()).select_from(ArticleRow).where(chosen)),
        texts=count(columns_of(func.count()).select_from(ArticleRow).where(
            chosen, col(ArticleRow.text).is_not(None)
        )),
        matches=count(columns_of(func.count()).select_from(MatchRow).where(
            col(MatchRow.article_id).in_(articles)
        )),
        deliveries=count(columns_of(func.count()).select_from(DeliveryRow).where(
            col(DeliveryRow.match_id).in_(matches)
        )),
        outlets=count(columns_of(func.count()).select_from(MatchOutletRow).where(
            or_(col(MatchOutletRow.article_id).in_(articles),
                col(MatchOutletRow.match_id).in_(matches))
        )),
        bands=count(columns_of(func.count()).select_from(StoryBandRow).where(
            col(StoryBandRow.article_id).in_(articles)
        )),
    )  # fmt: skip


def _orphan_digest(cutoff: datetime, unless: Any = None) -> Any:
    """A sent digest older than ``cutoff`` none of whose deliveries is left; with ``unless``
    (a condition on articles), none would be left once those articles are deleted."""
    left = col(DeliveryRow.digest_id) == col(DigestRow.id)
    if unless is not None:
        deleted = columns_of(col(MatchRow.id)).where(
            col(MatchRow.article_id).in_(columns_of(col(ArticleRow.id)).where(unless))
        )
        left = and_(left, col(DeliveryRow.match_id).not_in(deleted))
    return and_(
        col(DigestRow.status) == "sent",
        col(DigestRow.created) < cutoff,
        ~exists().where(left),
    )
