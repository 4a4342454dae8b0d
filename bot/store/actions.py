"""What the buttons under a push read and change: the pushed entry, the chat's muted feeds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import EntryView
from bot.store.dedup import also_in
from bot.store.pages import entry_views
from bot.store.sql import insert_ignoring_duplicates
from bot.store.tables import FAILED, chat_muted_feeds, entries, outbox


@dataclass(frozen=True, slots=True)
class PushedEntry:
    """An entry as a push to this chat showed it, and whether the chat muted its feed."""

    view: EntryView
    feed_id: int
    muted: bool


async def pushed_entry(
    connection: AsyncConnection, chat_id: int, entry_id: int
) -> PushedEntry | None:
    """The entry, if it was pushed to this chat (None: unknown, or someone else's). A row
    still pending counts: a press can come in before the sender has marked its send."""
    feed_id = (
        await connection.execute(
            select(entries.c.feed_id)
            .join(outbox, outbox.c.entry_id == entries.c.id)
            .where(
                outbox.c.chat_id == chat_id,
                outbox.c.entry_id == entry_id,
                outbox.c.state != FAILED,
            )
        )
    ).scalar()
    views = await views_for_chat(connection, chat_id, [entry_id]) if feed_id else []
    if feed_id is None or not views:
        return None
    muted = await is_muted(connection, chat_id, entry_id)
    return PushedEntry(view=views[0], feed_id=feed_id, muted=muted)


async def views_for_chat(
    connection: AsyncConnection, chat_id: int, entry_ids: Sequence[int]
) -> list[EntryView]:
    """The entries (order kept) as this chat's pushes show them: with the feeds that also
    carried them, and marked when they changed after they were pushed."""
    views = await entry_views(connection, entry_ids)
    rows = await connection.execute(
        select(outbox.c.entry_id)
        .join(entries, entries.c.id == outbox.c.entry_id)
        .where(
            outbox.c.chat_id == chat_id,
            outbox.c.entry_id.in_(list(entry_ids)),
            entries.c.updated_at > outbox.c.sent_at,
        )
    )
    changed = set(rows.scalars())
    others = await also_in(connection, chat_id, list(entry_ids))
    return [
        replace(v, also_in=others.get(v.entry_id, ()), updated=v.entry_id in changed) for v in views
    ]


async def is_muted(connection: AsyncConnection, chat_id: int, entry_id: int) -> bool:
    """Whether the chat muted the feed of this entry."""
    found = await connection.execute(
        select(chat_muted_feeds.c.feed_id)
        .join(entries, entries.c.feed_id == chat_muted_feeds.c.feed_id)
        .where(chat_muted_feeds.c.chat_id == chat_id, entries.c.id == entry_id)
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
