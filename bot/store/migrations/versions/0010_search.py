"""search: a full-text index of entries (FTS5 trigram / pg_trgm) and saved searches

Revision ID: 0010_search
Revises: 0009_mutes
Create Date: 2026-12-01

SQLite: ``entries_fts``, an external-content FTS5 table (trigram tokenizer) over
``entries.title`` and ``entries.text``, kept in step by triggers on insert, update and
delete, and filled from the existing rows here. PostgreSQL: a pg_trgm GIN index on
``lower(title || ' ' || text)``; a role that may not create the extension gets a warning
and no index (searches then still work, by scanning).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0010_search"
down_revision = "0009_mutes"
branch_labels = None
depends_on = None

log = logging.getLogger("bot.store.migrate")

SQLITE_UP = [
    "CREATE VIRTUAL TABLE entries_fts USING fts5("
    "title, text, content='entries', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN "
    "INSERT INTO entries_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN "
    "INSERT INTO entries_fts(entries_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, text ON entries BEGIN "
    "INSERT INTO entries_fts(entries_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO entries_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS entries_fts_update",
    "DROP TRIGGER IF EXISTS entries_fts_delete",
    "DROP TRIGGER IF EXISTS entries_fts_insert",
    "DROP TABLE IF EXISTS entries_fts",
]
PG_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_entries_search ON entries "
    "USING gin (lower(title || ' ' || text) gin_trgm_ops)"
)


def upgrade() -> None:
    _create_searches()
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif bind.dialect.name == "postgresql" and _pg_trgm(bind):
        op.execute(PG_INDEX)


def _pg_trgm(bind: sa.Connection) -> bool:
    """Create pg_trgm if it is missing; False (with a warning) when this role may not."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        log.warning(
            "pg_trgm is not available (%s): /search works without its index, by scanning "
            "entries; to index them, a superuser runs in this database: "
            "CREATE EXTENSION pg_trgm; %s",
            reason,
            PG_INDEX,
        )
        return False
    return True


def _create_searches() -> None:
    op.create_table(
        "searches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chat_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("everything", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"], ["chats.id"], name=op.f("fk_searches_chat_id_chats"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_searches")),
    )
    op.create_index("ix_searches_chat", "searches", ["chat_id", "id"])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    else:
        op.execute("DROP INDEX IF EXISTS ix_entries_search")
    op.drop_index("ix_searches_chat", table_name="searches")
    op.drop_table("searches")
