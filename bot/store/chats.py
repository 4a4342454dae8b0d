"""Chats: subscriptions, topic sets, the /next cursor, deactivation and migration.

A chat's topics are either "every topic except ``chat_excluded_topics``" (``all_topics``)
or "only ``chat_topics``". Every change of them first locks the chat's row (``FOR UPDATE``
on PostgreSQL; SQLite's write transaction is exclusive anyway), so a read-modify-write such
as "add ml to what this chat follows" never loses a concurrent one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, and_, delete, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import ChatInfo, ChatSettings, TopicChoice
from bot.store.sql import insert_ignoring_duplicates
from bot.store.tables import chat_excluded_topics, chat_topics, chats, outbox, topics
from bot.store.topics import ensure_topic_ids

#: the ``chats`` columns of :class:`~bot.domain.ChatSettings`, one per field
SETTINGS_COLUMNS = tuple(ChatSettings.__dataclass_fields__)

#: ``inactive_reason`` the store writes itself: a channel taken out of the config, and the
#: old row of a group that moved to a supergroup (followed by the new Telegram id)
REMOVED_FROM_CONFIG = "removed from the config"
MIGRATED_TO = "migrated to "


def retired_by_store(reason: str) -> bool:
    """Whether ``inactive_reason`` is one the store wrote (see above): the chat was stopped
    on purpose, not because the bot was blocked or removed."""
    return reason == REMOVED_FROM_CONFIG or reason.startswith(MIGRATED_TO)


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A channel from ``telegram.channels``: ``@username`` or numeric id, and its topics."""

    ref: str | int
    topics: tuple[str, ...]


async def chat_by_tg_id(
    connection: AsyncConnection, tg_chat_id: int, thread_id: int = 0
) -> ChatInfo | None:
    """The chat (``thread_id``: one forum thread of it) by Telegram's id."""
    return await _one(
        connection, and_(chats.c.tg_chat_id == tg_chat_id, chats.c.thread_id == thread_id)
    )


async def chat_rows(connection: AsyncConnection, tg_chat_id: int) -> list[ChatInfo]:
    """The chat and each of its forum threads that has a row of its own."""
    ids = await connection.execute(
        select(chats.c.id).where(chats.c.tg_chat_id == tg_chat_id).order_by(chats.c.thread_id)
    )
    found = [await chat_by_id(connection, chat_id) for chat_id in ids.scalars()]
    return [chat for chat in found if chat is not None]


async def set_thread_gone(
    connection: AsyncConnection, chat_id: int, reason: str, now: datetime
) -> None:
    """The chat's forum thread was closed or deleted: its pushes go to General."""
    await connection.execute(
        update(chats).where(chats.c.id == chat_id).values(thread_gone=reason[:500], updated_at=now)
    )


async def chat_by_id(connection: AsyncConnection, chat_id: int) -> ChatInfo | None:
    return await _one(connection, chats.c.id == chat_id)


async def chat_by_ref(connection: AsyncConnection, ref: str) -> ChatInfo | None:
    """A configured channel by its ``@username`` (case-insensitive)."""
    return await _one(connection, func.lower(chats.c.channel_ref) == ref.lower())


async def _one(connection: AsyncConnection, condition: ColumnElement[bool]) -> ChatInfo | None:
    row = (await connection.execute(select(chats).where(condition))).first()
    if row is None:
        return None
    cursor_topic = None
    if row.cursor_topic_id is not None:
        cursor_topic = (
            await connection.execute(
                select(topics.c.name).where(topics.c.id == row.cursor_topic_id)
            )
        ).scalar()
    return chat_info(
        row,
        await _topic_names(connection, chat_topics, row.id),
        cursor_topic,
        await _topic_names(connection, chat_excluded_topics, row.id),
    )


async def _topic_names(connection: AsyncConnection, table: Table, chat_id: int) -> tuple[str, ...]:
    names = await connection.execute(
        select(topics.c.name)
        .join(table, table.c.topic_id == topics.c.id)
        .where(table.c.chat_id == chat_id)
        .order_by(topics.c.name)
    )
    return tuple(names.scalars())


async def chats_with_topics(
    connection: AsyncConnection, chat_ids: Sequence[int]
) -> dict[int, ChatInfo]:
    """The chats with these ids, each with the topics it follows and skips (what a push's
    meta line and buttons depend on), in three queries whatever their number."""
    rows = (await connection.execute(select(chats).where(chats.c.id.in_(list(chat_ids))))).all()
    names: dict[Table, dict[int, list[str]]] = {}
    for table in (chat_topics, chat_excluded_topics):
        found = await connection.execute(
            select(table.c.chat_id, topics.c.name)
            .join(topics, topics.c.id == table.c.topic_id)
            .where(table.c.chat_id.in_([row.id for row in rows]))
            .order_by(table.c.chat_id, topics.c.name)
        )
        by_chat = names.setdefault(table, {})
        for chat_id, name in found:
            by_chat.setdefault(chat_id, []).append(name)
    return {
        row.id: chat_info(
            row,
            tuple(names[chat_topics].get(row.id, ())),
            excluded=tuple(names[chat_excluded_topics].get(row.id, ())),
        )
        for row in rows
    }


def chat_info(
    row: Row[Any],
    topic_names: tuple[str, ...] = (),
    cursor_topic: str | None = None,
    excluded: tuple[str, ...] = (),
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
        excluded_topics=excluded,
        inactive_reason=row.inactive_reason,
        settings=ChatSettings(**{name: getattr(row, name) for name in SETTINGS_COLUMNS}),
        thread_id=row.thread_id,
        thread_gone=row.thread_gone,
        filters=tuple(json.loads(row.filters)) if row.filters else (),
    )


async def ensure_chat(
    connection: AsyncConnection,
    tg_chat_id: int,
    kind: str,
    title: str,
    now: datetime,
    language: str | None = None,
    thread_id: int = 0,
) -> ChatInfo:
    """The chat's row (``thread_id``: a forum thread's), created (inactive: not subscribed)
    when we have never seen it; ``language`` (the user's, in a private chat) is kept when
    the chat has chosen none. A thread someone writes in exists again."""
    this = and_(chats.c.tg_chat_id == tg_chat_id, chats.c.thread_id == thread_id)
    if language is not None:
        await connection.execute(
            update(chats)
            .where(this, chats.c.language.is_(None))
            .values(language=language, updated_at=now)
        )
    if thread_id:
        await connection.execute(
            update(chats).where(this, chats.c.thread_gone.is_not(None)).values(thread_gone=None)
        )
    await connection.execute(
        insert_ignoring_duplicates(connection, chats),
        {
            "tg_chat_id": tg_chat_id,
            "kind": kind,
            "title": title,
            "source": "user",
            "active": False,
            "language": language,
            "thread_id": thread_id,
            "created_at": now,
            "updated_at": now,
        },
    )
    chat = await chat_by_tg_id(connection, tg_chat_id, thread_id)
    assert chat is not None
    return chat


async def set_settings(
    connection: AsyncConnection, chat_id: int, settings: ChatSettings, now: datetime
) -> None:
    """Store what ``/settings`` chose for the chat."""
    values = {name: getattr(settings, name) for name in SETTINGS_COLUMNS}
    await connection.execute(
        update(chats).where(chats.c.id == chat_id).values(**values, updated_at=now)
    )


async def set_active(
    connection: AsyncConnection,
    chat_id: int,
    active: bool,
    now: datetime,
    reason: str | None = None,
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
    """Replace the chat's topic set (``all_topics``: everything, no exclusions)."""
    await _lock_chat(connection, chat_id)
    choice = TopicChoice(everything=all_topics, only=frozenset(() if all_topics else names))
    await _write_choice(connection, chat_id, choice, now)


async def change_topics(
    connection: AsyncConnection,
    chat_id: int,
    decide: Callable[[TopicChoice], TopicChoice | None],
    now: datetime,
    *,
    activate: bool = False,
) -> tuple[ChatInfo, ChatInfo]:
    """Read the chat's topics, let ``decide`` (pure) say what they become, write that: all
    under the chat's row lock, so concurrent changes apply one after the other.

    ``decide`` returns None to refuse (nothing is written). ``activate``: an accepted change
    also turns pushes on. Returns the chat before and after.
    """
    await _lock_chat(connection, chat_id)
    before = await chat_by_id(connection, chat_id)
    if before is None:
        raise LookupError(f"no chat {chat_id}")
    wanted = decide(before.topic_choice)
    if wanted is None:
        return before, before
    if wanted != before.topic_choice:
        await _write_choice(connection, chat_id, wanted, now)
    if activate and not before.active:
        await set_active(connection, chat_id, True, now, None)
    after = await chat_by_id(connection, chat_id)
    assert after is not None
    return before, after


async def _lock_chat(connection: AsyncConnection, chat_id: int) -> None:
    """Hold the chat's row until the transaction ends (SQLAlchemy omits FOR UPDATE on
    SQLite, whose write transactions never overlap)."""
    await connection.execute(select(chats.c.id).where(chats.c.id == chat_id).with_for_update())


async def _write_choice(
    connection: AsyncConnection, chat_id: int, choice: TopicChoice, now: datetime
) -> None:
    """Store ``choice`` as it is: the topic rows that do not apply to its mode are removed."""
    only = sorted(() if choice.everything else choice.only)
    excluded = sorted(choice.excluded if choice.everything else ())
    for table, names in ((chat_topics, only), (chat_excluded_topics, excluded)):
        await connection.execute(delete(table).where(table.c.chat_id == chat_id))
        if names:
            ids = await ensure_topic_ids(connection, names)
            # two spellings of one topic are one row
            rows = [{"chat_id": chat_id, "topic_id": i} for i in sorted(set(ids.values()))]
            await connection.execute(table.insert(), rows)
    await connection.execute(
        update(chats)
        .where(chats.c.id == chat_id)
        .values(all_topics=choice.everything, updated_at=now)
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
        .values(active=old.active or new.active, updated_at=now)
    )
    await _lock_chat(connection, new.id)
    await _write_choice(connection, new.id, old.topic_choice, now)
    await set_active(connection, old.id, False, now, f"{MIGRATED_TO}{new_tg_id}")


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
        retired.values(active=False, inactive_reason=REMOVED_FROM_CONFIG, updated_at=now)
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
