"""admins claimed in chat; feeds managed by the config or in chat, paused, alerted

Revision ID: 0004_feeds_from_chat
Revises: 0003_claims
Create Date: 2026-12-01

Existing feeds came from the config: they are marked ``managed_by='config'``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_feeds_from_chat"
down_revision = "0003_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admins",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_admins")),
    )
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(
            sa.Column("managed_by", sa.String(8), nullable=False, server_default="config")
        )
        batch.add_column(sa.Column("topics", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("paused", sa.Boolean(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("failing_since", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("alerted_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("alert_open", sa.Boolean(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("alert_open")
        batch.drop_column("alerted_at")
        batch.drop_column("failing_since")
        batch.drop_column("paused")
        batch.drop_column("topics")
        batch.drop_column("managed_by")
    op.drop_table("admins")
