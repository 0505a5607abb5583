"""MinHash constants from a fixed hash: fingerprints stored before are cleared.

Revision ID: 0006_issue_13b
Revises: 0004 (the integrator re-chains it after the other branches' migrations)
Create Date: 2026-12-05

``monitor.story`` now derives its MinHash constants from BLAKE2b instead of numpy's random
generator (whose stream is guaranteed for one numpy build only). A fingerprint computed with the
old constants never resembles one computed with the new ones, so the old ones are set to NULL:
``recent_fingerprints`` skips them, and story grouping starts afresh with the articles stored
from now on. Story ids already given are kept. Downgrade has nothing to restore.
"""

from __future__ import annotations

from alembic import op

revision: str = "0006_issue_13b"
down_revision: str | None = "0004"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.execute("UPDATE article SET fingerprint = NULL WHERE fingerprint IS NOT NULL")


def downgrade() -> None:
    pass  # the old fingerprints are gone; new ones stay valid under the old code's reading
