"""Delivery layer: digests, rolled-up and reported deliveries, per-channel back-off.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-03

Adds the ``digest`` table (one row per digest message), ``channel_state`` (consecutive failures
and back-off of each channel), and three columns to ``delivery``: ``digest_id`` (the digest it
is part of), ``rolled`` (a rate limit rolled it into the next digest) and ``reported`` (a dead
delivery already reported through the dead-letter channel). Existing rows get false/NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def _when(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "digest",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        _when("created", nullable=False),
        _when("sent_at"),
    )
    op.create_index("ix_digest_channel_status", "digest", ["channel", "status"])
    op.create_table(
        "channel_state",
        sa.Column("channel", sa.Text(), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        _when("blocked_until"),
        _when("last_failure"),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("digest_id", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("rolled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("reported", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index("ix_delivery_channel_status", ["channel", "status"])
        batch.create_index("ix_delivery_digest", ["digest_id"])


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index("ix_delivery_digest")
        batch.drop_index("ix_delivery_channel_status")
        batch.drop_column("reported")
        batch.drop_column("rolled")
        batch.drop_column("digest_id")
    op.drop_table("channel_state")
    op.drop_index("ix_digest_channel_status", "digest")
    op.drop_table("digest")
