"""MinHash constants from a fixed hash: fingerprints stored before are cleared.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

``monitor.story`` now derives its MinHash constants from BLAKE2b instead of numpy's random
generator (whose stream is guaranteed for one numpy build only). A fingerprint computed with the
old constants never resembles one computed with the new ones, so the old ones are set to NULL
and their band keys (``story_band``, 0005) deleted: story grouping starts afresh with the
articles stored from now on. Story ids already given are kept. Downgrade has nothing to restore.
"""

from __future__ import annotations

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.execute("UPDATE article SET fingerprint = NULL WHERE fingerprint IS NOT NULL")
    op.execute("DELETE FROM story_band")


def downgrade() -> None:
    pass  # the old fingerprints are gone; new ones stay valid under the old code's reading
