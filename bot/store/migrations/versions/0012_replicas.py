"""replicas: which running process leads, and which runs a poll cycle now

Revision ID: 0012_replicas
Revises: 0011_topic_names
Create Date: 2026-12-02

``processes.leader`` is true on the row of the replica that holds the leader lock (it says
so with each heartbeat; /stats shows it); the lock itself is a PostgreSQL advisory lock.
``processes.cycle_since``: when the poll cycle this replica runs now began (NULL between
cycles), so that the leader holds back what any replica's cycle queues until it ends.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_replicas"
down_revision = "0011_topic_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processes") as batch:
        batch.add_column(
            sa.Column("leader", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("cycle_since", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("processes") as batch:
        batch.drop_column("cycle_since")
        batch.drop_column("leader")
