"""What the buttons under a push read and change: the pushed entry, the chat's muted feeds."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import EntryView
from bot.store.dedup import also_in
from bot.store.pages import entry_views
from bot.store.sql import insert_ignoring_duplicates
from bot.store.tables import SENT, chat_muted_feeds, entries, outbox


@dataclass(frozen=True, slots=True)
class PushedEntry:
    """An entry as a push to this chat showed it, and whether the chat muted its feed."""

    view: EntryView
    feed_id: int
    muted: bool


async def pushed_entry(
    connection: AsyncConnection, chat_id: int, entry_id: int
) -> PushedEntry | None:
    """The entry, if it was pushed to this chat (None: unknown, or someone else's)."""
    row = (
        await connection.execute(
            select(outbox.c.sent_at, entries.c.updated_at, entries.c.feed_id)
            .join(entries, entries.c.id == outbox.c.entry_id)
            .where(
                outbox.c.chat_id == chat_id,
                outbox.c.entry_id == entry_id,
                outbox.c.state == SENT,
            )
        )
    ).first()
    views = await entry_views(connection, [entry_id]) if row is not None else []
    if row is None or not views:
        return None
    others = await also_in(connection, chat_id, [entry_id])
    updated = (
        row.updated_at is not None and row.sent_at is not None and row.updated_at > row.sent_at
    )
    view = replace(views[0], also_in=others.get(entry_id, ()), updated=updated)
    muted = await _is_muted(connection, chat_id, row.feed_id)
    return PushedEntry(view=view, feed_id=row.feed_id, muted=muted)


async def _is_muted(connection: AsyncConnection, chat_id: int, feed_id: int) -> bool:
    found = await connection.execute(
        select(chat_muted_feeds.c.feed_id).where(
            chat_muted_feeds.c.chat_id == chat_id, chat_muted_feeds.c.feed_id == feed_id
        )
    )
    return found.first() is not None


async def set_muted(connection: AsyncConnection, chat_id: int, feed_id: int, muted: bool) -> None:
    """Mute (or unmute) a feed for one chat; doing it twice changes nothing."""
    if muted:
        await connection.execute(
            insert_ignoring_duplicates(connection, chat_muted_feeds),
            [{"chat_id": chat_id, "feed_id": feed_id}],
        )
    else:
        await connection.execute(
            delete(chat_muted_feeds).where(
                chat_muted_feeds.c.chat_id == chat_id, chat_muted_feeds.c.feed_id == feed_id
            )
        )
