"""topic names: topics keyed case-, space-, - and _-insensitively, duplicates merged

Revision ID: 0011_topic_names
Revises: 0010_search
Create Date: 2026-12-02

Until now a topic was its lower-cased name, so ``post-training`` and ``post training``
were two topics. Each topic gets a ``key`` (casefolded, without spaces, ``-`` or ``_``);
topics whose keys collide are merged into the one most entries carry (its name is the
spelling shown), and everything that pointed at the others is moved over without losing a
row: entries' topics, chats' followed and skipped topics, the /next cursor. ``name`` stays
the spelling shown; the config's spelling replaces it at the next start.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0011_topic_names"
down_revision = "0010_search"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_SPACES = re.compile(r"\s+")
_KEY_IGNORES = re.compile(r"[\s_\-]+")
_MAX_TOPIC_CHARS = 48

#: tables with one row per (owner, topic): rows of a merged topic move to the one it joins
_LINKS = (
    ("entry_topics", "entry_id"),
    ("chat_topics", "chat_id"),
    ("chat_excluded_topics", "chat_id"),
)


def topic_key(name: str) -> str:
    """bot.domain.topic_key as of this revision (frozen here: the keys stored must not
    change when that function does without a migration of its own)."""
    text = unicodedata.normalize("NFKC", name).strip().lstrip("#").strip()
    folded = _SPACES.sub(" ", text)[:_MAX_TOPIC_CHARS].strip().casefold()
    return _KEY_IGNORES.sub("", folded) or folded


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("topics", sa.Column("key", sa.Text(), nullable=False, server_default=""))
    topics = sa.table("topics", sa.column("id", _ID), sa.column("name"), sa.column("key"))
    counted = bind.execute(sa.text("SELECT topic_id, COUNT(*) FROM entry_topics GROUP BY topic_id"))
    uses: dict[int, int] = dict(counted.all())  # (topic id, entries carrying it) rows
    groups: dict[str, list[int]] = defaultdict(list)
    for topic_id, name in bind.execute(sa.select(topics.c.id, topics.c.name)):
        groups[topic_key(name)].append(topic_id)
    keys = []
    for key, ids in groups.items():
        # the most carried spelling stays (the oldest on a tie); the others join it
        keep = min(ids, key=lambda i: (-uses.get(i, 0), i))
        for gone in ids:
            if gone != keep:
                _merge(bind, gone, keep)
        keys.append({"b_id": keep, "b_key": key})
    if keys:
        bind.execute(
            sa.update(topics)
            .where(topics.c.id == sa.bindparam("b_id"))
            .values(key=sa.bindparam("b_key")),
            keys,
        )
    op.create_index("uq_topics_key", "topics", ["key"], unique=True)
    if bind.dialect.name == "postgresql":
        op.alter_column("topics", "key", server_default=None)


def _merge(bind: sa.Connection, gone: int, keep: int) -> None:
    """Everything that points at topic ``gone`` points at ``keep``; ``gone`` is deleted."""
    ids = {"gone": gone, "keep": keep}
    for table, owner in _LINKS:
        # a row the kept topic already has for the same owner is not moved twice
        bind.execute(
            sa.text(
                f"UPDATE {table} SET topic_id = :keep WHERE topic_id = :gone AND NOT EXISTS "
                f"(SELECT 1 FROM {table} AS other WHERE other.{owner} = {table}.{owner} "
                "AND other.topic_id = :keep)"
            ),
            ids,
        )
        bind.execute(sa.text(f"DELETE FROM {table} WHERE topic_id = :gone"), ids)
    bind.execute(
        sa.text("UPDATE chats SET cursor_topic_id = :keep WHERE cursor_topic_id = :gone"), ids
    )
    bind.execute(sa.text("DELETE FROM topics WHERE id = :gone"), ids)


def downgrade() -> None:
    # merged topics stay merged: their names were one topic's spellings
    op.drop_index("uq_topics_key", table_name="topics")
    op.execute("ALTER TABLE topics DROP COLUMN key")
