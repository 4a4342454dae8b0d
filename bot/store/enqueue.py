"""Queueing new entries for the chats that take them (topics, and cross-feed dedup)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import PollRecord
from bot.store.dedup import not_yet_reached, record_duplicates
from bot.store.edits import queue_for_duplicates
from bot.store.sql import chunks, insert_ignoring_duplicates
from bot.store.tables import (
    PENDING,
    chat_excluded_topics,
    chat_muted_feeds,
    chat_topics,
    chats,
    entries,
    entry_topics,
    outbox,
)
from bot.text.links import canonical_link


def one_per_story(record: PollRecord) -> list[str]:
    """The keys to notify, the first of those sharing a canonical link only."""
    if not record.notify:  # a first fetch: nothing to notify, no link to work out
        return []
    links = {w.entry.key: canonical_link(w.entry.link) for w in record.new}
    seen: set[str] = set()
    keys = []
    for key in record.notify:
        link = links.get(key)
        if link is not None and link in seen:
            continue
        if link is not None:
            seen.add(link)
        keys.append(key)
    return keys


async def enqueue(
    connection: AsyncConnection,
    entry_ids: Sequence[int],
    now: datetime,
    dedup_since: datetime | None,
) -> int:
    """One outbox row per (active chat, entry) whose topics match; duplicates ignored.

    A chat takes an entry when it follows every topic and the entry carries none it
    excluded, or when the entry carries one of the chat's only-these topics; and, with
    ``dedup_since``, when no entry with the same canonical link was queued for it since
    (that one is recorded in ``duplicates`` instead, see ``bot.store.dedup``)."""
    wants_entry = or_(
        and_(
            chats.c.all_topics == true(),
            ~exists().where(
                chat_excluded_topics.c.chat_id == chats.c.id,
                entry_topics.c.topic_id == chat_excluded_topics.c.topic_id,
                entry_topics.c.entry_id == entries.c.id,
            ),
        ),
        exists().where(
            chat_topics.c.chat_id == chats.c.id,
            entry_topics.c.topic_id == chat_topics.c.topic_id,
            entry_topics.c.entry_id == entries.c.id,
        ),
    )
    wants_entry = and_(  # the chat did not mute the entry's feed
        wants_entry,
        ~exists().where(
            chat_muted_feeds.c.chat_id == chats.c.id,
            chat_muted_feeds.c.feed_id == entries.c.feed_id,
        ),
    )
    if dedup_since is not None:
        await record_duplicates(connection, entry_ids, wants_entry, now, dedup_since)
        await queue_for_duplicates(connection, now)
        wants_entry = and_(wants_entry, not_yet_reached(dedup_since))
    queued = 0
    for part in chunks(entry_ids):
        pairs = (
            select(
                chats.c.id,
                entries.c.id,
                literal(PENDING, outbox.c.state.type),
                literal(now, outbox.c.created_at.type),
                literal(now, outbox.c.not_before.type),
            )
            .select_from(chats.join(entries, true()))
            .where(and_(entries.c.id.in_(part), chats.c.active == true(), wants_entry))
        )
        statement = insert_ignoring_duplicates(connection, outbox).from_select(
            ["chat_id", "entry_id", "state", "created_at", "not_before"], pairs
        )
        result = await connection.execute(statement)
        queued += max(result.rowcount, 0)
    return queued
