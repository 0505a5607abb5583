"""Retention: the keys of pruned articles, the daily job's last run, and the indexes a delete needs.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

Adds ``seen_key`` (the 64-bit hash of each article key ``monitor prune`` deleted: a feed that
still lists the item finds it seen, and does not alert it again), ``job_run`` (when the daily
prune last started: one node takes each day's run), and indexes on ``story_band.article_id``
and ``match_outlet.article_id``: deleting an article looks its rows up there (so does the
foreign key's cascade), and without them every deleted article scanned both tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "seen_key",
        # INTEGER PRIMARY KEY on SQLite: the rowid itself, no second copy of the hash
        sa.Column(
            "key_hash",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
    )
    op.create_table(
        "job_run",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("last_run", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_story_band_article", "story_band", ["article_id"])
    op.create_index("ix_match_outlet_article", "match_outlet", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_match_outlet_article", table_name="match_outlet")
    op.drop_index("ix_story_band_article", table_name="story_band")
    op.drop_table("job_run")
    op.drop_table("seen_key")
