"""replicas: which running process holds the Telegram duties, for /stats

Revision ID: 0012_replicas
Revises: 0010_search
Create Date: 2026-12-02

``processes.leader`` is true on the row of the replica that holds the leader lock (it says
so with each heartbeat); the lock itself is a PostgreSQL advisory lock, not this column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_replicas"
down_revision = "0010_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processes") as batch:
        batch.add_column(
            sa.Column("leader", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("processes") as batch:
        batch.drop_column("leader")
