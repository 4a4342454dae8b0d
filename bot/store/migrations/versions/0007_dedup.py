"""dedup: entries.canonical_link (backfilled) and the duplicates a chat was spared

Revision ID: 0007_dedup
Revises: 0006_chat_settings
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.text.links import canonical_link

revision = "0007_dedup"
down_revision = "0006_chat_settings"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("canonical_link", sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_entries_canonical_link"), ["canonical_link"], unique=False
        )
    _backfill()
    op.create_table(
        "duplicates",
        sa.Column("chat_id", _ID, nullable=False),
        sa.Column("other_id", _ID, nullable=False),
        sa.Column("entry_id", _ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_duplicates_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["other_id"],
            ["entries.id"],
            name=op.f("fk_duplicates_other_id_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name=op.f("fk_duplicates_entry_id_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "other_id", name=op.f("pk_duplicates")),
    )
    op.create_index(
        op.f("ix_duplicates_chat_entry"), "duplicates", ["chat_id", "entry_id"], unique=False
    )


def _backfill() -> None:
    """Every stored entry gets its canonical link, a batch of rows at a time."""
    bind = op.get_bind()
    entries = sa.table(
        "entries", sa.column("id", _ID), sa.column("link", sa.Text), sa.column("canonical_link")
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(entries.c.id, entries.c.link)
            .where(entries.c.id > last, entries.c.link.is_not(None))
            .order_by(entries.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        values = [
            {"b_id": row.id, "b_canonical": canonical_link(row.link)}
            for row in rows
            if canonical_link(row.link) is not None
        ]
        if values:
            bind.execute(
                sa.update(entries)
                .where(entries.c.id == sa.bindparam("b_id"))
                .values(canonical_link=sa.bindparam("b_canonical")),
                values,
            )
        last = rows[-1].id


def downgrade() -> None:
    op.drop_index(op.f("ix_duplicates_chat_entry"), table_name="duplicates")
    op.drop_table("duplicates")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entries_canonical_link"))
        batch_op.drop_column("canonical_link")
