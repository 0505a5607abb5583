"""The match list by the article's published time reads an index in page order.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08

Adds to ``match``: ``published``, copied from its article (filled in here for the matches
stored before; NULL when the article gives no published time, as there), indexed with ``id``
alone and after each of the dashboard's filters of an index of their own (topic, source,
language), as 0012 did for the time matched: a page sorted by published time (``sort=published``)
reads its 50 rows from an index however deep, where a sort by the article's column would order
every match that passes the filters at every page.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

_COPY = (
    'UPDATE "match" SET'
    ' published = (SELECT a.published FROM article a WHERE a.id = "match".article_id)'
)
#: (name, columns) of the new indexes
_INDEXES = (
    ("ix_match_published_id", ["published", "id"]),
    ("ix_match_topic_published_id", ["topic_id", "published", "id"]),
    ("ix_match_source_published_id", ["source_id", "published", "id"]),
    ("ix_match_language_published_id", ["language", "published", "id"]),
)


def upgrade() -> None:
    # plain ADD COLUMN on both databases (nullable, no default): no table copy on SQLite
    op.add_column("match", sa.Column("published", sa.DateTime(timezone=True), nullable=True))
    op.execute(_COPY)
    for name, columns in _INDEXES:
        op.create_index(name, "match", columns)


def downgrade() -> None:
    for name, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name="match")
    with op.batch_alter_table("match") as batch:
        batch.drop_column("published")
