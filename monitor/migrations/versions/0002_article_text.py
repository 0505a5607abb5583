"""Article pages: full text, date source, canonical URL, follow errors, stories and outlets.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02

Adds to ``article`` the extracted text and what came with it, and the near-duplicate story
(``story_id``, MinHash ``fingerprint``); to ``match`` the story, with a unique index on
(story_id, topic_id) so a topic matches a story once; and ``match_outlet``, the other outlets
that carried a matched story.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

_ARTICLE_COLUMNS = ("text", "date_source", "canonical_url", "follow_error", "story_id")


def upgrade() -> None:
    for name in _ARTICLE_COLUMNS:
        op.add_column("article", sa.Column(name, sa.Text(), nullable=True))
    op.add_column("article", sa.Column("fingerprint", sa.LargeBinary(), nullable=True))
    op.create_index("ix_article_story_id", "article", ["story_id"])
    op.add_column("match", sa.Column("story_id", sa.Text(), nullable=True))
    op.create_index("uq_match_story_topic", "match", ["story_id", "topic_id"], unique=True)
    op.create_table(
        "match_outlet",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"], ["match.id"], name="fk_match_outlet_match", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["article.id"], name="fk_match_outlet_article", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("match_id", "article_id", name="uq_match_outlet_article"),
    )


def downgrade() -> None:
    op.drop_table("match_outlet")
    op.drop_index("uq_match_story_topic", table_name="match")
    op.drop_index("ix_article_story_id", table_name="article")
    # SQLite drops columns by copying the table: batch mode does that on every backend
    with op.batch_alter_table("match") as batch:
        batch.drop_column("story_id")
    with op.batch_alter_table("article") as batch:
        for name in (*_ARTICLE_COLUMNS, "fingerprint"):
            batch.drop_column(name)
