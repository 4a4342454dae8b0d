"""edits: the message id on each outbox row, and the queue of messages to edit in place

Revision ID: 0008_edits
Revises: 0007_dedup
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_edits"
down_revision = "0007_dedup"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_entry_sent"), ["entry_id", "sent_at"], unique=False
        )
    # Rows sent as a paged transmission know their message through it.
    transmissions = sa.table(
        "transmissions", sa.column("id", _ID), sa.column("message_id", sa.BigInteger)
    )
    outbox = sa.table(
        "outbox", sa.column("transmission_id", _ID), sa.column("message_id", sa.BigInteger)
    )
    op.execute(
        sa.update(outbox)
        .where(outbox.c.transmission_id.is_not(None))
        .values(
            message_id=sa.select(transmissions.c.message_id)
            .where(transmissions.c.id == outbox.c.transmission_id)
            .scalar_subquery()
        )
    )
    op.create_table(
        "edits",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("chat_id", _ID, nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=8), server_default="pending", nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_edits_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edits")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_edits_chat_id_message_id")),
    )
    op.create_index(op.f("ix_edits_due"), "edits", ["state", "not_before"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_edits_due"), table_name="edits")
    op.drop_table("edits")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_entry_sent"))
        batch_op.drop_column("message_id")
