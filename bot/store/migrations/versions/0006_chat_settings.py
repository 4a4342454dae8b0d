"""chat settings: language, timezone, quiet hours, mode and digest, sound, length, preview;
forum threads as chats of their own (unique per Telegram chat and thread); keyword filters

Revision ID: 0006_chat_settings
Revises: 0004_feeds_from_chat
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_chat_settings"
down_revision = "0004_feeds_from_chat"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column[object]]:
    """The new ``chats`` columns; None (or the server default) means "the configured one"."""
    return [
        sa.Column("language", sa.String(16)),
        sa.Column("timezone", sa.String(64)),
        sa.Column("quiet_from", sa.String(5)),
        sa.Column("quiet_to", sa.String(5)),
        sa.Column("mode", sa.String(8), nullable=False, server_default="instant"),
        sa.Column("digest_at", sa.String(5)),
        sa.Column("sound", sa.Boolean(), nullable=False, server_default="1"),
        sa.Column("summary_length", sa.Integer()),
        sa.Column("link_preview", sa.Boolean(), nullable=False, server_default="0"),
        sa.Column("thread_id", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("thread_gone", sa.Text()),
        sa.Column("filters", sa.Text()),
    ]


def upgrade() -> None:
    # Existing chats keep every default.
    with op.batch_alter_table("chats") as batch:
        for column in _columns():
            batch.add_column(column)
        batch.drop_constraint("uq_chats_tg_chat_id", type_="unique")
        batch.create_unique_constraint("uq_chats_tg_chat_id_thread_id", ["tg_chat_id", "thread_id"])


def downgrade() -> None:
    # Threads' own rows cannot outlive the uniqueness of tg_chat_id they break.
    op.execute("DELETE FROM chats WHERE thread_id <> 0")
    with op.batch_alter_table("chats") as batch:
        batch.drop_constraint("uq_chats_tg_chat_id_thread_id", type_="unique")
        batch.create_unique_constraint("uq_chats_tg_chat_id", ["tg_chat_id"])
        for column in reversed(_columns()):
            batch.drop_column(column.name)
