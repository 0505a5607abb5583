"""Topics that learn: imported judgments and learned filters (issue 12).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

Adds ``judgment`` (judgments imported from a feedback file, with the article's title and text,
since the article need not be stored; one per topic and article) and ``learned_model`` (each
topic's learned filter as JSON, keyed by topic id, with the state of the judgments it was
trained from).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "judgment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("topic_id", sa.Text(), nullable=False),
        sa.Column("article_key", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.Text(), nullable=True),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_judgment_topic_key", "judgment", ["topic_id", "article_key"], unique=True)
    op.create_table(
        "learned_model",
        sa.Column("topic_id", sa.Text(), primary_key=True),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("trained", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("learned_model")
    op.drop_index("ix_judgment_topic_key", "judgment")
    op.drop_table("judgment")
