"""Chats' keyword filters (/filter): stored as JSON on the chat, applied when deliveries are
queued, so an entry a chat filters out never enters its outbox."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.sql import chunks
from bot.store.tables import PENDING, chats, entries, outbox
from bot.text.filters import FilterError, KeywordFilter, parse_filter, passes

log = logging.getLogger(__name__)


def read_filters(stored: str | None) -> tuple[KeywordFilter, ...]:
    """The chat's filters from their column (unusable ones left out, and logged)."""
    if not stored:
        return ()
    found = []
    for text in json.loads(stored):
        try:
            found.append(parse_filter(str(text)))
        except FilterError as error:
            log.warning("stored filter %r ignored: %s", text, error)
    return tuple(found)


async def set_filters(
    connection: AsyncConnection, chat_id: int, filters: Sequence[KeywordFilter], now: datetime
) -> None:
    stored = json.dumps([str(f) for f in filters], ensure_ascii=False) if filters else None
    await connection.execute(
        update(chats).where(chats.c.id == chat_id).values(filters=stored, updated_at=now)
    )


async def drop_filtered(
    connection: AsyncConnection, entry_ids: Sequence[int], queued_at: datetime
) -> int:
    """Delete the rows just queued (at ``queued_at``) for ``entry_ids`` that their chat's
    filters keep out; how many."""
    chat_rows = await connection.execute(
        select(chats.c.id, chats.c.filters).where(chats.c.filters.is_not(None))
    )
    filters = {row.id: read_filters(row.filters) for row in chat_rows}
    filters = {chat_id: found for chat_id, found in filters.items() if found}
    if not filters:
        return 0
    dropped: list[tuple[int, int]] = []
    for part in chunks(list(entry_ids)):
        rows = await connection.execute(
            select(outbox.c.chat_id, outbox.c.entry_id, entries.c.title, entries.c.text)
            .join(entries, entries.c.id == outbox.c.entry_id)
            .where(
                and_(
                    outbox.c.entry_id.in_(part),
                    outbox.c.chat_id.in_(list(filters)),
                    outbox.c.state == PENDING,
                    outbox.c.created_at == queued_at,
                )
            )
        )
        dropped += [
            (row.chat_id, row.entry_id)
            for row in rows
            if not passes(filters[row.chat_id], row.title, row.text)
        ]
    for chat_id, entry_id in dropped:
        await connection.execute(
            delete(outbox).where(outbox.c.chat_id == chat_id, outbox.c.entry_id == entry_id)
        )
    return len(dropped)
