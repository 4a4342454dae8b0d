"""Cross-feed dedup: a story whose canonical link already reached a chat is not queued again.

"Reached" means an outbox row for that chat, sent or still pending, queued within the
dedup window. The entry that was spared is recorded in ``duplicates``, so the message that
carries the first copy can name the other feed ("also in ...").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, literal, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.sql import chunks, insert_ignoring_duplicates
from bot.store.tables import PENDING, SENT, chats, duplicates, entries, feeds, outbox


def _earlier_copy(since: datetime) -> tuple[ColumnElement[bool], ColumnElement[int]]:
    """For the outer (``chats``, ``entries``) pair: "the chat already has this story", and
    the entry id of the first copy it has."""
    earlier = outbox.alias("earlier")
    copy = entries.alias("copy")
    condition = and_(
        earlier.c.chat_id == chats.c.id,
        earlier.c.entry_id == copy.c.id,
        copy.c.id != entries.c.id,
        copy.c.canonical_link == entries.c.canonical_link,
        earlier.c.state.in_([PENDING, SENT]),
        earlier.c.created_at >= since,
    )
    first = select(func.min(copy.c.id)).where(condition).scalar_subquery()
    return exists().where(condition), first


def not_yet_reached(since: datetime) -> ColumnElement[bool]:
    """The condition ``_enqueue`` adds: the chat has no copy of the story yet."""
    return ~_earlier_copy(since)[0]


async def record_duplicates(
    connection: AsyncConnection,
    entry_ids: Sequence[int],
    wants_entry: ColumnElement[bool],
    now: datetime,
    since: datetime,
) -> None:
    """Remember, for each active chat that would take one of ``entry_ids`` but already has
    the story, which entry it has (before the outbox rows are queued)."""
    reached, first = _earlier_copy(since)
    for part in chunks(entry_ids):
        pairs = (
            select(chats.c.id, entries.c.id, first, literal(now, duplicates.c.created_at.type))
            .select_from(chats.join(entries, true()))
            .where(
                entries.c.id.in_(part),
                entries.c.canonical_link.is_not(None),
                chats.c.active == true(),
                wants_entry,
                reached,
            )
        )
        await connection.execute(
            insert_ignoring_duplicates(connection, duplicates).from_select(
                ["chat_id", "other_id", "entry_id", "created_at"], pairs
            )
        )


async def also_in(
    connection: AsyncConnection, chat_id: int, entry_ids: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """entry id -> the other feeds that carried the same story for this chat (by name)."""
    found: dict[int, list[str]] = {}
    first = entries.alias("first")
    for part in chunks(entry_ids):
        rows = await connection.execute(
            select(duplicates.c.entry_id, feeds.c.name, feeds.c.title, feeds.c.url)
            .join(entries, entries.c.id == duplicates.c.other_id)
            .join(first, first.c.id == duplicates.c.entry_id)
            .join(feeds, feeds.c.id == entries.c.feed_id)
            .where(
                duplicates.c.chat_id == chat_id,
                duplicates.c.entry_id.in_(part),
                entries.c.feed_id != first.c.feed_id,  # a repost in the same feed: no news
            )
            .order_by(duplicates.c.entry_id, duplicates.c.created_at, feeds.c.id)
        )
        for entry_id, name, title, url in rows:
            label = name or title or url.split("//", 1)[-1].split("/", 1)[0]
            names = found.setdefault(entry_id, [])
            if label not in names:
                names.append(label)
    return {entry_id: tuple(names) for entry_id, names in found.items()}
