"""Several nodes on one PostgreSQL: node heartbeats and leases.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

Adds the ``node`` table (one row per ``monitor run`` process with its heartbeat and the moment
its leases lapse), the ``lease`` table (one row per channel round or other single-holder work:
owner, epoch, expiry), and three columns to ``source``: ``lease_owner``, ``lease_epoch`` and
``lease_expires`` (the node polling it now; the epoch fences a node that lost the lease).
Existing sources get no owner and epoch 0. The ``host`` table holds the politeness the nodes
agree on (the next request start per host, a ``Retry-After`` hold). SQLite gets the same schema
and never uses it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def _when(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "node",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        _when("started", nullable=False),
        _when("heartbeat", nullable=False),
        _when("expires", nullable=False),
    )
    op.create_table(
        "lease",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("owner", sa.Text(), nullable=True),
        sa.Column("epoch", sa.Integer(), nullable=False),
        _when("expires"),
    )
    op.create_table(
        "host",
        sa.Column("name", sa.Text(), primary_key=True),
        _when("next_start"),
        _when("held_until"),
        sa.Column("held_status", sa.Integer(), nullable=False),
    )
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("lease_owner", sa.Text(), nullable=True))
        batch.add_column(sa.Column("lease_epoch", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("lease_expires", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.drop_column("lease_expires")
        batch.drop_column("lease_epoch")
        batch.drop_column("lease_owner")
    op.drop_table("host")
    op.drop_table("lease")
    op.drop_table("node")
