"""A source's warning: what its last poll worked around, kept to be shown.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Adds to ``source``: ``warning`` (what the last poll that read the source worked around, such as
"no article links found" or "dropped 40 older items over limits.items_per_poll"; one line,
bounded, secret-free). Existing sources get none until their next poll that reads them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("warning", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.drop_column("warning")
