"""Chats: subscriptions, topic sets, the /next cursor, deactivation and migration."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, delete, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import ChatInfo
from bot.store.sql import insert_ignoring_duplicates
from bot.store.tables import chat_topics, chats, outbox, topics
from bot.store.topics import ensure_topic_ids


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A channel from ``telegram.channels``: ``@username`` or numeric id, and its topics."""

    ref: str | int
    topics: tuple[str, ...]


async def chat_by_tg_id(connection: AsyncConnection, tg_chat_id: int) -> ChatInfo | None:
    return await _one(connection, chats.c.tg_chat_id == tg_chat_id)


async def chat_by_id(connection: AsyncConnection, chat_id: int) -> ChatInfo | None:
    return await _one(connection, chats.c.id == chat_id)


async def _one(connection: AsyncConnection, condition: ColumnElement[bool]) -> ChatInfo | None:
    row = (await connection.execute(select(chats).where(condition))).first()
    if row is None:
        return None
    names = await connection.execute(
        select(topics.c.name)
        .join(chat_topics, chat_topics.c.topic_id == topics.c.id)
        .where(chat_topics.c.chat_id == row.id)
        .order_by(topics.c.name)
    )
    cursor_topic = None
    if row.cursor_topic_id is not None:
        cursor_topic = (
            await connection.execute(
                select(topics.c.name).where(topics.c.id == row.cursor_topic_id)
            )
        ).scalar()
    return chat_info(row, tuple(names.scalars()), cursor_topic)


def chat_info(
    row: Row[Any], topic_names: tuple[str, ...] = (), cursor_topic: str | None = None
) -> ChatInfo:
    """A ``chats`` row as the value handlers and the sender use."""
    return ChatInfo(
        id=row.id,
        tg_chat_id=row.tg_chat_id,
        channel_ref=row.channel_ref,
        kind=row.kind,
        title=row.title,
        active=row.active,
        all_topics=row.all_topics,
        topics=topic_names,
        cursor_topic=cursor_topic,
        cursor_page=row.cursor_page,
    )


async def ensure_chat(
    connection: AsyncConnection, tg_chat_id: int, kind: str, title: str, now: datetime
) -> ChatInfo:
    """The chat's row, created (inactive: not subscribed) when we have never seen it."""
    await connection.execute(
        insert_ignoring_duplicates(connection, chats),
        {
            "tg_chat_id": tg_chat_id,
            "kind": kind,
            "title": title,
            "source": "user",
            "active": False,
            "created_at": now,
            "updated_at": now,
        },
    )
    chat = await chat_by_tg_id(connection, tg_chat_id)
    assert chat is not None
    return chat


async def set_active(
    connection: AsyncConnection, chat_id: int, active: bool, now: datetime, reason: str | None
) -> None:
    await connection.execute(
        update(chats)
        .where(chats.c.id == chat_id)
        .values(active=active, inactive_reason=None if active else reason, updated_at=now)
    )


async def deactivate_by_target(
    connection: AsyncConnection, target: int | str, reason: str, now: datetime
) -> None:
    condition = (
        chats.c.tg_chat_id == target if isinstance(target, int) else chats.c.channel_ref == target
    )
    await connection.execute(
        update(chats).where(condition).values(active=False, inactive_reason=reason, updated_at=now)
    )


async def set_topics(
    connection: AsyncConnection,
    chat_id: int,
    *,
    all_topics: bool,
    names: Iterable[str],
    now: datetime,
) -> None:
    """Replace the chat's topic set (``all_topics``: everything, the set is kept empty)."""
    wanted = [] if all_topics else sorted(set(names))
    await connection.execute(delete(chat_topics).where(chat_topics.c.chat_id == chat_id))
    if wanted:
        ids = await ensure_topic_ids(connection, wanted)
        await connection.execute(
            chat_topics.insert(), [{"chat_id": chat_id, "topic_id": ids[name]} for name in wanted]
        )
    await connection.execute(
        update(chats).where(chats.c.id == chat_id).values(all_topics=all_topics, updated_at=now)
    )


async def set_cursor(
    connection: AsyncConnection, chat_id: int, topic: str | None, page: int
) -> None:
    topic_id = None
    if topic is not None:
        topic_id = (await ensure_topic_ids(connection, [topic]))[topic]
    await connection.execute(
        update(chats)
        .where(chats.c.id == chat_id)
        .values(cursor_topic_id=topic_id, cursor_page=page)
    )


async def migrate_chat(
    connection: AsyncConnection, old_tg_id: int, new_tg_id: int, now: datetime
) -> None:
    """A group became a supergroup: follow it to its new id, keeping its settings and queue.

    When the supergroup already has a row (someone used a command there first), the old
    chat's pending deliveries move to it and the old row is retired.
    """
    old = await chat_by_tg_id(connection, old_tg_id)
    if old is None:
        return
    new = await chat_by_tg_id(connection, new_tg_id)
    if new is None:
        await connection.execute(
            update(chats)
            .where(chats.c.id == old.id)
            .values(tg_chat_id=new_tg_id, kind="supergroup", updated_at=now)
        )
        return
    pending = await connection.execute(
        select(outbox.c.entry_id, outbox.c.created_at, outbox.c.not_before).where(
            outbox.c.chat_id == old.id, outbox.c.state == "pending"
        )
    )
    moved = [
        {"chat_id": new.id, "entry_id": e, "state": "pending", "created_at": c, "not_before": n}
        for e, c, n in pending
    ]
    if moved:
        await connection.execute(insert_ignoring_duplicates(connection, outbox), moved)
    await connection.execute(
        delete(outbox).where(outbox.c.chat_id == old.id, outbox.c.state == "pending")
    )
    await connection.execute(
        update(chats)
        .where(chats.c.id == new.id)
        .values(active=old.active or new.active, all_topics=old.all_topics, updated_at=now)
    )
    if not old.all_topics:
        await set_topics(connection, new.id, all_topics=False, names=old.topics, now=now)
    await set_active(connection, old.id, False, now, f"migrated to {new_tg_id}")


async def sync_channels(
    connection: AsyncConnection, channels: Sequence[ChannelSpec], now: datetime
) -> None:
    """Configured channels are active with their topics; channels no longer listed stop."""
    listed: list[int] = []
    for channel in channels:
        key: dict[str, int | str]
        if isinstance(channel.ref, int):
            key = {"tg_chat_id": channel.ref}
            condition = chats.c.tg_chat_id == channel.ref
        else:
            key = {"channel_ref": channel.ref}
            condition = chats.c.channel_ref == channel.ref
        await connection.execute(
            insert_ignoring_duplicates(connection, chats),
            {**key, "kind": "channel", "source": "config", "created_at": now, "updated_at": now},
        )
        chat_id = (await connection.execute(select(chats.c.id).where(condition))).scalar_one()
        listed.append(chat_id)
        await connection.execute(
            update(chats)
            .where(chats.c.id == chat_id)
            .values(active=True, source="config", inactive_reason=None, updated_at=now)
        )
        await set_topics(
            connection, chat_id, all_topics=not channel.topics, names=channel.topics, now=now
        )
    retired = update(chats).where(chats.c.source == "config", chats.c.active == true())
    if listed:
        retired = retired.where(chats.c.id.not_in(listed))
    await connection.execute(
        retired.values(active=False, inactive_reason="removed from the config", updated_at=now)
    )


async def resolve_channel(
    connection: AsyncConnection, channel_ref: str, tg_chat_id: int, title: str
) -> None:
    """Record the numeric id the Bot API gave for ``@channel`` (sends then use it)."""
    taken = await chat_by_tg_id(connection, tg_chat_id)
    if taken is not None and taken.channel_ref != channel_ref:
        return  # the id already belongs to a row; keep sending by username
    await connection.execute(
        update(chats)
        .where(chats.c.channel_ref == channel_ref)
        .values(tg_chat_id=tg_chat_id, title=title)
    )


async def unresolved_channels(connection: AsyncConnection) -> list[str]:
    rows = await connection.execute(
        select(chats.c.channel_ref).where(
            chats.c.channel_ref.is_not(None),
            chats.c.tg_chat_id.is_(None),
            chats.c.active == true(),
        )
    )
    return [ref for ref in rows.scalars() if ref]


async def count_chats(connection: AsyncConnection) -> tuple[int, int]:
    """(active, inactive)."""
    rows = await connection.execute(select(chats.c.active, func.count()).group_by(chats.c.active))
    counts = {bool(active): number for active, number in rows}
    return counts.get(True, 0), counts.get(False, 0)
