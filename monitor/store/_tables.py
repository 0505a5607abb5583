"""The table rows of the store, as sqlmodel classes.

Owns: the table layout (names, columns, constraints, indexes) and the ``UTCDateTime`` column type.
Does not own: the schema changes themselves (``monitor/migrations/versions``, which must agree with
this file: ``tests/test_store.py`` compares them), nor the values callers see (``_values``).
Nothing outside ``monitor.store`` (and its migrations) imports these rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on every database.

    PostgreSQL keeps the offset (``timestamptz``); SQLite drops it, so naive UTC is stored there and
    UTC is re-attached on the way out. A naive datetime on the way in is a bug: it is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()}: the store takes aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _when(*, nullable: bool = True) -> Any:
    """A ``UTCDateTime`` column field (``Any``: sqlmodel's ``Field`` overloads are not generic)."""
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


class SourceRow(SQLModel, table=True):
    """The polling state of one configured source."""

    __tablename__ = "source"

    id: str = Field(sa_type=Text, primary_key=True)
    url: str = Field(sa_type=Text)
    etag: str | None = Field(default=None, sa_type=Text)
    last_modified: str | None = Field(default=None, sa_type=Text)
    last_check: datetime | None = _when()
    next_check: datetime | None = _when()
    last_success: datetime | None = _when()
    failures: int = Field(default=0, sa_type=Integer)
    last_error: str | None = Field(default=None, sa_type=Text)
    items_seen: int = Field(default=0, sa_type=Integer)
    status: str = Field(default="ok", sa_type=Text)
    baselined: bool = False
    # fetch policy (migration 0004): redirects followed once stable, failures reported once
    configured_url: str | None = Field(default=None, sa_type=Text)
    moved_to: str | None = Field(default=None, sa_type=Text)
    moved_seen: int = Field(default=0, sa_type=Integer, sa_column_kwargs={"server_default": "0"})
    moved_since: datetime | None = _when()
    failing_since: datetime | None = _when()
    reported_at: datetime | None = _when()
    # what the last poll that read the source worked around (migration 0010)
    warning: str | None = Field(default=None, sa_type=Text)
    # several nodes (migration 0006): the node polling it now, the claim's number, and until when
    lease_owner: str | None = Field(default=None, sa_type=Text)
    lease_epoch: int = Field(default=0, sa_type=Integer, sa_column_kwargs={"server_default": "0"})
    lease_expires: datetime | None = _when()


class ArticleRow(SQLModel, table=True):
    """One article, stored once whichever source carried it first."""

    __tablename__ = "article"
    __table_args__ = (
        UniqueConstraint("key", name="uq_article_key"),
        # the dashboard's articles per source and day (migration 0006)
        Index("ix_article_first_seen", "first_seen"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_type=Text)
    url: str | None = Field(default=None, sa_type=Text)
    guid: str | None = Field(default=None, sa_type=Text)
    title: str = Field(sa_type=Text)
    summary: str = Field(sa_type=Text)
    published: datetime | None = _when()
    author: str | None = Field(default=None, sa_type=Text)
    language: str | None = Field(default=None, sa_type=Text)
    source_id: str = Field(sa_type=Text)
    # The display name at the time of storing: alerts are rendered later, maybe after a restart.
    source_name: str = Field(sa_type=Text)
    first_seen: datetime = _when(nullable=False)
    # --- article pages (migration 0002) ---
    #: the page's main text when the item was followed and extracted
    text: str | None = Field(default=None, sa_type=Text)
    #: where ``published`` came from (``json-ld``, ``meta:...``, ``time``, ``text``, ``feed``)
    date_source: str | None = Field(default=None, sa_type=Text)
    #: the page's own canonical URL, if it gave one
    canonical_url: str | None = Field(default=None, sa_type=Text)
    #: why the page was not used (fetch or extraction failure); the feed's text stands in
    follow_error: str | None = Field(default=None, sa_type=Text)
    #: the story (near-duplicate group) this article belongs to, and its MinHash (``monitor.story``)
    story_id: str | None = Field(default=None, sa_type=Text, index=True)
    fingerprint: bytes | None = Field(default=None, sa_type=LargeBinary)


class MatchRow(SQLModel, table=True):
    """A topic that an article matched, with the hits as JSON."""

    __tablename__ = "match"
    __table_args__ = (
        UniqueConstraint("article_id", "topic_id", name="uq_match_article_topic"),
        Index("ix_match_topic_created", "topic_id", "created"),
        # the dashboard's keyset paging: (created, id) < (?, ?) newest first (migration 0006)
        Index("ix_match_created_id", "created", "id"),
        # the same, filtered by source or by language: a page reads its 50 rows from the index
        # whether the value is common or rare (migration 0012)
        Index("ix_match_source_created_id", "source_id", "created", "id"),
        Index("ix_match_language_created_id", "language", "created", "id"),
        # the list by the article's published time (``sort=published``), alone and under each
        # filter, in page order as above (migration 0014); no date: NULL, read after the dated
        Index("ix_match_published_id", "published", "id"),
        Index("ix_match_topic_published_id", "topic_id", "published", "id"),
        Index("ix_match_source_published_id", "source_id", "published", "id"),
        Index("ix_match_language_published_id", "language", "published", "id"),
        # one match per story and topic: a syndicated copy joins the match, never repeats it
        Index("uq_match_story_topic", "story_id", "topic_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("article.id", ondelete="CASCADE", name="fk_match_article"),
            nullable=False,
        )
    )
    topic_id: str = Field(sa_type=Text)
    topic_name: str = Field(sa_type=Text)
    score: float = Field(sa_type=Float)
    #: list of {term, field, position, matched}
    hits: list[dict[str, Any]] = Field(sa_type=JSON)
    created: datetime = _when(nullable=False)
    #: the article's story, copied here so the unique index can hold (migration 0002)
    story_id: str | None = Field(default=None, sa_type=Text)
    #: the article's source and language, copied here so the dashboard's filters on them read
    #: an index in page order (migration 0012); an article's source and language never change
    #: once it has matches (only a blank article, which matched nothing, is filled in)
    source_id: str | None = Field(default=None, sa_type=Text)
    language: str | None = Field(default=None, sa_type=Text)
    #: the article's published time, copied for the list by published date (migration 0014):
    #: it never changes once the article has matches either; None when the article has none
    published: datetime | None = _when()


class MatchOutletRow(SQLModel, table=True):
    """Another outlet that carried the story of a match (a syndicated copy): not re-notified."""

    __tablename__ = "match_outlet"
    __table_args__ = (
        UniqueConstraint("match_id", "article_id", name="uq_match_outlet_article"),
        # deleting an article finds its outlet rows by this (migration 0013): without it, each
        # deleted article scanned the table (the foreign key's cascade does the same look-up)
        Index("ix_match_outlet_article", "article_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    match_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("match.id", ondelete="CASCADE", name="fk_match_outlet_match"),
            nullable=False,
        )
    )
    article_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("article.id", ondelete="CASCADE", name="fk_match_outlet_article"),
            nullable=False,
        )
    )
    source_name: str = Field(sa_type=Text)
    url: str | None = Field(default=None, sa_type=Text)
    created: datetime = _when(nullable=False)


class DeliveryRow(SQLModel, table=True):
    """One message to send: a match on one channel (the outbox)."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("match_id", "channel", name="uq_delivery_match_channel"),
        Index("ix_delivery_status_next", "status", "next_attempt"),
        Index("ix_delivery_channel_status", "channel", "status"),
        Index("ix_delivery_digest", "digest_id"),
    )

    id: str = Field(sa_type=Text, primary_key=True)
    match_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("match.id", ondelete="CASCADE", name="fk_delivery_match"),
            nullable=False,
        )
    )
    channel: str = Field(sa_type=Text)
    status: str = Field(default="pending", sa_type=Text)
    attempts: int = Field(default=0, sa_type=Integer)
    next_attempt: datetime = _when(nullable=False)
    #: when it was last tried (sent or failed)
    last_attempt: datetime | None = _when()
    last_error: str | None = Field(default=None, sa_type=Text)
    created: datetime = _when(nullable=False)
    sent_at: datetime | None = _when()
    #: the digest message it is part of, once composed (no foreign key: a failed digest is
    #: dissolved and its members go back to the queue, all in one transaction)
    digest_id: str | None = Field(default=None, sa_type=Text)
    #: a rate limit rolled it up: it goes in the next digest message, never alone
    rolled: bool = False
    #: dead and already reported through the dead-letter channel
    reported: bool = False


class DigestRow(SQLModel, table=True):
    """One digest message: several deliveries of one channel sent together."""

    __tablename__ = "digest"
    __table_args__ = (Index("ix_digest_channel_status", "channel", "status"),)

    #: stable: derived from its members' ids, and shown to receivers
    id: str = Field(sa_type=Text, primary_key=True)
    channel: str = Field(sa_type=Text)
    #: "scheduled" | "backlog" | "rollup"
    kind: str = Field(sa_type=Text)
    #: "pending" (composed, not yet sent) | "sent"
    status: str = Field(default="pending", sa_type=Text)
    size: int = Field(sa_type=Integer)
    created: datetime = _when(nullable=False)
    sent_at: datetime | None = _when()


class ChannelStateRow(SQLModel, table=True):
    """Where sending to one channel stands: consecutive failures and the back-off they earned."""

    __tablename__ = "channel_state"

    channel: str = Field(sa_type=Text, primary_key=True)
    failures: int = Field(default=0, sa_type=Integer)
    #: nothing is sent to the channel before this
    blocked_until: datetime | None = _when()
    last_failure: datetime | None = _when()
    last_error: str | None = Field(default=None, sa_type=Text)


class FeedbackRow(SQLModel, table=True):
    """A person's verdict on a match: relevant or not (issue 16 stores it; issue 12 learns)."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("verdict IN ('relevant', 'not-relevant')", name="ck_feedback_verdict"),
        Index("ix_feedback_match", "match_id"),
        Index("ix_feedback_topic_created", "topic_id", "created"),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: the match judged; NULL once the match is deleted (the verdict and its article key stay),
    #: and for a verdict on an article the topic did not match (a near miss)
    match_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("match.id", ondelete="SET NULL", name="fk_feedback_match"),
            nullable=True,
        ),
    )
    topic_id: str = Field(sa_type=Text)
    #: the article's key (its canonical URL or guid), so a verdict outlives its match row
    article_key: str = Field(sa_type=Text)
    #: "relevant" | "not-relevant"
    verdict: str = Field(sa_type=Text)
    #: who gave it (a user name, "web", "cli")
    who: str = Field(sa_type=Text)
    created: datetime = _when(nullable=False)


class NodeRow(SQLModel, table=True):
    """One ``monitor run`` process sharing the database (PostgreSQL), with its heartbeat."""

    __tablename__ = "node"

    id: str = Field(sa_type=Text, primary_key=True)
    host: str = Field(sa_type=Text)
    pid: int = Field(sa_type=Integer)
    started: datetime = _when(nullable=False)
    #: the last heartbeat, and when the node's leases lapse without another (database clock)
    heartbeat: datetime = _when(nullable=False)
    expires: datetime = _when(nullable=False)


class LeaseRow(SQLModel, table=True):
    """A lease on something one node at a time works on: a channel round, the dead letters."""

    __tablename__ = "lease"

    #: ``channel:<name>`` or ``dead-letters``
    name: str = Field(sa_type=Text, primary_key=True)
    owner: str | None = Field(default=None, sa_type=Text)
    #: raised at every claim: a write fenced with an older epoch is refused
    epoch: int = Field(default=0, sa_type=Integer)
    expires: datetime | None = _when()


class HostRow(SQLModel, table=True):
    """Politeness towards one host, agreed by the nodes: the next request start anyone may take,
    and a ``Retry-After`` hold it gave one of them."""

    __tablename__ = "host"

    name: str = Field(sa_type=Text, primary_key=True)
    next_start: datetime | None = _when()
    held_until: datetime | None = _when()
    held_status: int = Field(default=0, sa_type=Integer)


#: every table of the store, for the migrations' ``target_metadata``
metadata = SQLModel.metadata


class StoryBandRow(SQLModel, table=True):
    """A band key of an article's fingerprint (``monitor.story.band_keys``): the index by which a
    new article finds the earlier ones that may be copies of it (migration 0006)."""

    __tablename__ = "story_band"
    #: deleting an article finds its band keys by this (migration 0013; the primary key starts
    #: with the band)
    __table_args__ = (Index("ix_story_band_article", "article_id"),)

    band: int = Field(sa_column=Column(BigInteger, primary_key=True))
    article_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("article.id", ondelete="CASCADE", name="fk_story_band_article"),
            primary_key=True,
        )
    )


class JudgmentRow(SQLModel, table=True):
    """A judgment imported from a feedback file: the article as judged, and the verdict."""

    __tablename__ = "judgment"
    __table_args__ = (Index("ix_judgment_topic_key", "topic_id", "article_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    topic_id: str = Field(sa_type=Text)
    #: the feedback file's ``id``
    article_key: str = Field(sa_type=Text)
    title: str = Field(sa_type=Text)
    text: str = Field(sa_type=Text)
    lang: str | None = Field(default=None, sa_type=Text)
    #: "relevant" | "not-relevant"
    verdict: str = Field(sa_type=Text)
    who: str = Field(sa_type=Text)
    created: datetime = _when(nullable=False)


class LearnedRow(SQLModel, table=True):
    """A topic's learned filter (``monitor.learn.to_json``) and what it was trained from."""

    __tablename__ = "learned_model"

    topic_id: str = Field(sa_type=Text, primary_key=True)
    #: the model as JSON: coefficients, never pickle
    model: str = Field(sa_type=Text)
    #: ``judgment_state`` (and the query) when it was trained: differs once judgments change
    state: str = Field(sa_type=Text)
    trained: datetime = _when(nullable=False)


class SeenKeyRow(SQLModel, table=True):
    """The key of an article that ``monitor prune`` deleted, as a 64-bit hash (migration 0013):
    a feed that still lists the item finds it seen, and it is not stored or alerted again."""

    __tablename__ = "seen_key"

    #: the first 8 bytes of the key's SHA-256, signed (``_retention.key_hash``); on SQLite the
    #: rowid itself (``INTEGER PRIMARY KEY``): about 15 bytes a key, no separate index
    key_hash: int = Field(
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
        )
    )


class JobRunRow(SQLModel, table=True):
    """When a job that runs once a day across all nodes last started (migration 0013): the
    daemon's prune. A node starts the job only by moving ``last_run`` forward itself, in one
    conditional update, so two nodes never both take one day's run."""

    __tablename__ = "job_run"

    name: str = Field(sa_type=Text, primary_key=True)
    last_run: datetime | None = _when()
