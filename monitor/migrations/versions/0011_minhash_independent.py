"""Independent MinHash values: recent fingerprints recomputed from their text, older ones cleared.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

``monitor.story`` took its 64 MinHash values as (a*h + b) mod p with a < 2^29 and h < 2^32: for
about half of them a*h + b never reached p, so they kept the order of h and all took the same
shingle, and two different stories sharing one phrase were one story (estimated 0.55 for an exact
0.005). Each value is now an independent hash, so a fingerprint stored before never compares with
a new one.

The fingerprints of the articles first seen within the story window (3 days) before the newest
stored one, the only ones a new article can join, are recomputed from their stored text (the text
they were computed from) with their band keys (``story_band``, 0005): stories in progress keep
grouping. Older fingerprints are set to NULL, as is one whose text is gone, and every old band key
is deleted. Story ids already given are kept: an article filed into another story before stays in
it. About 1 ms of CPU per recomputed article. Downgrade clears the fingerprints: the old code
cannot compare the new ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

# monitor.pipeline's STORY_WINDOW when this was written: older articles are never candidates
_WINDOW = timedelta(days=3)
_BATCH = 500

_article = sa.table(
    "article",
    sa.column("id", sa.Integer()),
    sa.column("first_seen", sa.DateTime(timezone=True)),
    sa.column("text", sa.Text()),
    sa.column("fingerprint", sa.LargeBinary()),
)
_band = sa.table(
    "story_band", sa.column("band", sa.BigInteger()), sa.column("article_id", sa.Integer())
)


def upgrade() -> None:
    connection = op.get_bind()
    connection.execute(_band.delete())
    printed = _article.c.fingerprint.is_not(None)
    newest = connection.execute(sa.select(sa.func.max(_article.c.first_seen)).where(printed))
    last_seen = newest.scalar()
    if last_seen is None:
        return  # no fingerprint stored
    old = _article.update().where(printed, _article.c.first_seen < last_seen - _WINDOW)
    connection.execute(old.values(fingerprint=None))
    recent = sa.select(_article.c.id, _article.c.text).where(printed).order_by(_article.c.id)
    last = 0
    while rows := connection.execute(recent.where(_article.c.id > last).limit(_BATCH)).all():
        _recompute(connection, [(row[0], row[1]) for row in rows])
        last = rows[-1][0]


def _recompute(connection: sa.Connection, rows: Sequence[tuple[int, str | None]]) -> None:
    """New fingerprints (NULL for an article without a text) and their band keys."""
    from monitor.story import band_keys, fingerprint  # here: loading revisions loads no numpy

    prints = {article_id: fingerprint(text) if text else None for article_id, text in rows}
    connection.execute(
        _article.update()
        .where(_article.c.id == sa.bindparam("article"))
        .values(fingerprint=sa.bindparam("print")),
        [{"article": article_id, "print": print_} for article_id, print_ in prints.items()],
    )
    bands = [
        {"band": key, "article_id": article_id}
        for article_id, print_ in prints.items()
        if print_ is not None
        for key in set(band_keys(print_))
    ]
    if bands:
        connection.execute(_band.insert(), bands)


def downgrade() -> None:
    op.execute("UPDATE article SET fingerprint = NULL WHERE fingerprint IS NOT NULL")
    op.execute("DELETE FROM story_band")
