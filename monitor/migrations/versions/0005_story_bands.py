"""Story bands: an index of fingerprint band keys, so grouping a story is a look-up, not a scan.

Revision ID: 0005
Revises: 0004 (the integrator re-chains it after 0005)
Create Date: 2026-12-05

Adds ``story_band`` (band key, article id; the primary key starts with the band, which is what
a look-up asks for) and fills it for every stored article that has a fingerprint.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

_BATCH = 1000


def upgrade() -> None:
    from monitor.story import band_keys  # here: loading the revisions must not load numpy

    band = op.create_table(
        "story_band",
        sa.Column("band", sa.BigInteger(), primary_key=True),
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey("article.id", ondelete="CASCADE", name="fk_story_band_article"),
            primary_key=True,
        ),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, fingerprint FROM article WHERE fingerprint IS NOT NULL ORDER BY id")
    )
    batch: list[dict[str, int]] = []
    for article_id, fingerprint in rows:
        batch += [{"band": key, "article_id": article_id} for key in set(band_keys(fingerprint))]
        if len(batch) >= _BATCH:
            op.bulk_insert(band, batch)
            batch = []
    if batch:
        op.bulk_insert(band, batch)


def downgrade() -> None:
    op.drop_table("story_band")
