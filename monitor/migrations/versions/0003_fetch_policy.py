"""Fetch policy: permanent redirects followed once stable, and day-long failures reported once.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-04

Adds to ``source``: ``configured_url`` (the configured URL that ``url`` was derived from: a
config edit starts over), ``moved_to``/``moved_seen``/``moved_since`` (a permanent redirect seen
so far: ``url`` follows it only once it was seen several times over a day), ``failing_since``
(first failure of the current run of failures) and ``reported_at`` (when that run of failures,
or a 410, was reported through the channels: once, even across restarts).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("configured_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("moved_to", sa.Text(), nullable=True))
        batch.add_column(sa.Column("moved_seen", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("moved_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch:
        for name in (
            "reported_at",
            "failing_since",
            "moved_since",
            "moved_seen",
            "moved_to",
            "configured_url",
        ):
            batch.drop_column(name)
