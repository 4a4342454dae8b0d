"""mutes: the feeds each chat muted with the button under a push

Revision ID: 0009_mutes
Revises: 0008_edits
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_mutes"
down_revision = "0008_edits"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "chat_muted_feeds",
        sa.Column("chat_id", _ID, nullable=False),
        sa.Column("feed_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["chats.id"],
            name=op.f("fk_chat_muted_feeds_chat_id_chats"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["feeds.id"],
            name=op.f("fk_chat_muted_feeds_feed_id_feeds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "feed_id", name=op.f("pk_chat_muted_feeds")),
    )


def downgrade() -> None:
    op.drop_table("chat_muted_feeds")
