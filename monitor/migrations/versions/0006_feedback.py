"""Relevance feedback: a person's verdict on a match (the dashboard's buttons, issue 16).

Revision ID: 0006
Revises: 0004 (the integrator re-chains parallel 0005/0006 migrations at merge)
Create Date: 2026-12-05

Adds the ``feedback`` table: one row per verdict ("relevant" | "not-relevant") on a match, with
the topic and the article key copied so a verdict outlives its match row (``match_id`` becomes
NULL when the match is deleted). Undo deletes the latest row of a match. Two indexes serve the
dashboard: ``match (created, id)`` for keyset paging and ``article (first_seen)`` per day.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "match_id",
            sa.Integer(),
            sa.ForeignKey("match.id", ondelete="SET NULL", name="fk_feedback_match"),
            nullable=True,
        ),
        sa.Column("topic_id", sa.Text(), nullable=False),
        sa.Column("article_key", sa.Text(), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("verdict IN ('relevant', 'not-relevant')", name="ck_feedback_verdict"),
    )
    op.create_index("ix_feedback_match", "feedback", ["match_id"])
    op.create_index("ix_feedback_topic_created", "feedback", ["topic_id", "created"])
    # the dashboard: keyset paging over matches, articles per day
    op.create_index("ix_match_created_id", "match", ["created", "id"])
    op.create_index("ix_article_first_seen", "article", ["first_seen"])


def downgrade() -> None:
    op.drop_index("ix_article_first_seen", "article")
    op.drop_index("ix_match_created_id", "match")
    op.drop_index("ix_feedback_topic_created", "feedback")
    op.drop_index("ix_feedback_match", "feedback")
    op.drop_table("feedback")
