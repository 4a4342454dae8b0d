"""search: the SQLite full-text index keeps which entries hold a trigram, not where

Revision ID: 0013_search_no_positions
Revises: 0012_replicas
Create Date: 2026-12-02

``entries_fts`` is made again with ``detail=none``: the index names the entries that hold
each trigram, without positions. A search asks it for every trigram of a word and checks
the word on the text itself anyway (:mod:`bot.store.search`), so the positions bought
nothing; without them the index takes 15-40% of the space and a fifth to two thirds less
time to write (docs/BENCHMARKS.md). The index is rebuilt from the stored entries here, which takes
a while on a large database (about a minute per 250,000 entries of a few hundred
characters on the benchmark machine). PostgreSQL: nothing changes.
"""

from __future__ import annotations

import logging

from alembic import op

revision = "0013_search_no_positions"
down_revision = "0012_replicas"
branch_labels = None
depends_on = None

log = logging.getLogger("bot.store.migrate")

_TRIGGERS = ("entries_fts_update", "entries_fts_delete", "entries_fts_insert")


def _index(detail: str) -> list[str]:
    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in _TRIGGERS),
        "DROP TABLE IF EXISTS entries_fts",
        "CREATE VIRTUAL TABLE entries_fts USING fts5(title, text, content='entries', "
        f"content_rowid='id', tokenize='trigram'{detail})",
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


def _rebuild(detail: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    count = bind.exec_driver_sql("SELECT count(*) FROM entries").scalar_one()
    if count > 50_000:
        log.info("rebuilding the search index over %d entries: this takes a while", count)
    for statement in _index(detail):
        op.execute(statement)


def upgrade() -> None:
    _rebuild(", detail=none")


def downgrade() -> None:
    _rebuild("")
