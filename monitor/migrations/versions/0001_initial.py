"""Initial schema: source, article, match, delivery.

Revision ID: 0001
Revises:
Create Date: 2025-01-01

Datetimes are ``timestamptz`` on PostgreSQL and naive UTC on SQLite (``UTCDateTime`` in
``monitor.store._tables`` does the conversion; the column DDL is plain ``DateTime(timezone=True)``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def _when(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        _when("last_check"),
        _when("next_check"),
        _when("last_success"),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("items_seen", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("baselined", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("guid", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        _when("published"),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        _when("first_seen", nullable=False),
        sa.UniqueConstraint("key", name="uq_article_key"),
    )
    op.create_table(
        "match",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Text(), nullable=False),
        sa.Column("topic_name", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        _when("created", nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name="fk_match_article", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("article_id", "topic_id", name="uq_match_article_topic"),
    )
    op.create_index("ix_match_topic_created", "match", ["topic_id", "created"])
    op.create_index("ix_match_created", "match", ["created"])
    op.create_table(
        "delivery",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_attempt", nullable=False),
        _when("last_attempt"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _when("created", nullable=False),
        _when("sent_at"),
        sa.ForeignKeyConstraint(
            ["match_id"], ["match.id"], name="fk_delivery_match", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("match_id", "channel", name="uq_delivery_match_channel"),
    )
    op.create_index("ix_delivery_status_next", "delivery", ["status", "next_attempt"])


def downgrade() -> None:
    op.drop_table("delivery")
    op.drop_table("match")
    op.drop_table("article")
    op.drop_table("source")
