"""Keeping storage bounded, and the figures admins ask for (/stats, /feeds, metrics).

Pruning keeps two promises at once:
- **bodies** go when an entry is older than ``keep_days`` *and* not among its feed's
  ``keep_entries`` newest: the row stays (title, link, key) but its text is emptied and it
  leaves LATEST UPDATES;
- **keys** (whole rows) go only when they are also beyond max(2 x the feed's length, 100,
  ``keep_entries``) newest by last sighting, so an entry that drops out of a feed and comes
  back is still recognised and never announced twice. Rows still waiting in the outbox stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    UnaryExpression,
    and_,
    delete,
    exists,
    false,
    func,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.sql import chunks
from bot.store.tables import (
    FAILED,
    PENDING,
    SENT,
    chats,
    duplicates,
    edits,
    entries,
    feeds,
    outbox,
    transmissions,
)

#: sent outbox rows and transmissions older than this are deleted (their buttons expire)
SENT_RETENTION = timedelta(days=30)
MIN_KEYS_PER_FEED = 100


@dataclass(frozen=True, slots=True)
class PruneResult:
    bodies: int
    keys: int
    outbox_rows: int


async def prune(
    connection: AsyncConnection, now: datetime, keep_days: timedelta, keep_entries: int
) -> PruneResult:
    cutoff = now - keep_days
    bodies = keys = 0
    feed_rows = (await connection.execute(select(feeds.c.id, feeds.c.entry_count))).all()
    for feed_id, entry_count in feed_rows:
        bodies += await _prune_bodies(connection, feed_id, cutoff, keep_entries)
        keep_keys = max(2 * entry_count, MIN_KEYS_PER_FEED, keep_entries)
        keys += await _prune_keys(connection, feed_id, cutoff, keep_keys)
    old = now - SENT_RETENTION
    result = await connection.execute(
        delete(outbox).where(outbox.c.state == SENT, outbox.c.sent_at < old)
    )
    await connection.execute(delete(transmissions).where(transmissions.c.created_at < old))
    # an edit still pending after all this time (its chat went away) is of no use either
    await connection.execute(delete(edits).where(edits.c.queued_at < old))
    await connection.execute(delete(duplicates).where(duplicates.c.created_at < old))
    return PruneResult(bodies=bodies, keys=keys, outbox_rows=max(result.rowcount, 0))


async def _ids_beyond(
    connection: AsyncConnection,
    feed_id: int,
    keep: int,
    order: UnaryExpression[datetime],
    extra: ColumnElement[bool],
) -> list[int]:
    query = (
        select(entries.c.id)
        .where(entries.c.feed_id == feed_id, extra)
        .order_by(order, entries.c.id.desc())
        .offset(keep)
    )
    return list((await connection.execute(query)).scalars())


async def _prune_bodies(
    connection: AsyncConnection, feed_id: int, cutoff: datetime, keep: int
) -> int:
    ids = await _ids_beyond(
        connection,
        feed_id,
        keep,
        entries.c.sort_at.desc(),
        and_(entries.c.pruned == false(), entries.c.first_seen_at < cutoff),
    )
    for part in chunks(ids):
        await connection.execute(
            update(entries).where(entries.c.id.in_(part)).values(text="", pruned=True)
        )
    return len(ids)


async def _prune_keys(
    connection: AsyncConnection, feed_id: int, cutoff: datetime, keep: int
) -> int:
    waiting = exists().where(outbox.c.entry_id == entries.c.id, outbox.c.state == PENDING)
    ids = await _ids_beyond(
        connection,
        feed_id,
        keep,
        entries.c.last_seen_at.desc(),
        and_(entries.c.pruned == true(), entries.c.last_seen_at < cutoff, ~waiting),
    )
    for part in chunks(ids):
        await connection.execute(delete(entries).where(entries.c.id.in_(part)))
    return len(ids)


# ----------------------------------------------------------------------------- figures


@dataclass(frozen=True, slots=True)
class Stats:
    feeds: int
    feeds_failing: int
    entries: int
    chats_active: int
    chats_inactive: int
    queue_pending: int
    queue_failed: int
    sent: int


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str
    name: str
    entry_count: int
    last_success_at: datetime | None
    next_check_at: datetime
    error_count: int
    last_error: str | None


async def stats(connection: AsyncConnection) -> Stats:
    feed_row = (
        await connection.execute(
            select(
                func.count(),
                func.count().filter(feeds.c.error_count > 0),
            ).where(feeds.c.configured == true())
        )
    ).one()
    entry_total = (await connection.execute(select(func.count()).select_from(entries))).scalar_one()
    chat_rows = await connection.execute(
        select(chats.c.active, func.count()).group_by(chats.c.active)
    )
    by_activity: dict[bool, int] = {bool(active): number for active, number in chat_rows}
    queue_rows = await connection.execute(
        select(outbox.c.state, func.count()).group_by(outbox.c.state)
    )
    queue: dict[str, int] = dict(queue_rows.all())
    return Stats(
        feeds=feed_row[0],
        feeds_failing=int(feed_row[1]),
        entries=entry_total,
        chats_active=by_activity.get(True, 0),
        chats_inactive=by_activity.get(False, 0),
        queue_pending=queue.get(PENDING, 0),
        queue_failed=queue.get(FAILED, 0),
        sent=queue.get(SENT, 0),
    )


async def feed_states(connection: AsyncConnection) -> list[FeedState]:
    rows = await connection.execute(
        select(
            feeds.c.url,
            feeds.c.name,
            feeds.c.title,
            feeds.c.entry_count,
            feeds.c.last_success_at,
            feeds.c.next_check_at,
            feeds.c.error_count,
            feeds.c.last_error,
        )
        .where(feeds.c.configured == true())
        .order_by(feeds.c.error_count.desc(), feeds.c.id)
    )
    return [
        FeedState(
            url=row.url,
            name=row.name or row.title or row.url,
            entry_count=row.entry_count,
            last_success_at=row.last_success_at,
            next_check_at=row.next_check_at,
            error_count=row.error_count,
            last_error=row.last_error,
        )
        for row in rows
    ]
