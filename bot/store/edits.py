"""The edit queue: messages to edit in place because an entry they show changed.

A row per (chat, message), like an outbox row (``pending`` -> ``sent`` | ``failed``, a
lease and ``claimed_by`` while a sender holds it; after a crash the edit is free again as
soon as its owner's heartbeat stops, see :mod:`bot.store.processes`, or at once when the
next process starts on SQLite). What the message shows is read from storage when the edit
goes out, so edits that pile up while one waits become one. Queueing a message again moves
``queued_at``: an edit that was in flight meanwhile is only marked done if nothing was
queued after its claim.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, case, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import EditJob, EntryView
from bot.store.actions import is_muted
from bot.store.chats import chats_with_topics
from bot.store.dedup import also_in
from bot.store.pages import entry_views
from bot.store.processes import owner_dead
from bot.store.sql import chunks, insert_ignoring_duplicates, skip_locked
from bot.store.tables import (
    FAILED,
    PENDING,
    SENT,
    chats,
    duplicates,
    edits,
    entries,
    outbox,
    transmissions,
)

#: Messages sent longer ago than this are left as they are.
EDIT_WINDOW = timedelta(hours=48)


async def queue_for_entries(
    connection: AsyncConnection, entry_ids: Sequence[int], now: datetime
) -> int:
    """Queue an edit of every message sent within :data:`EDIT_WINDOW` that shows one of
    ``entry_ids``, in every chat; the number of messages."""
    pairs: set[tuple[int, int]] = set()
    for part in chunks(entry_ids):
        rows = await connection.execute(
            select(outbox.c.chat_id, outbox.c.message_id)
            .join(chats, chats.c.id == outbox.c.chat_id)
            .where(
                outbox.c.entry_id.in_(part),
                outbox.c.state == SENT,
                outbox.c.message_id.is_not(None),
                outbox.c.sent_at >= now - EDIT_WINDOW,
                chats.c.active == true(),
            )
        )
        pairs.update((chat_id, message_id) for chat_id, message_id in rows)
    return await queue_messages(connection, sorted(pairs), now)


async def queue_for_duplicates(connection: AsyncConnection, now: datetime) -> int:
    """Messages whose story another feed just carried (recorded at ``now``): edited so
    that their meta line names that feed."""
    rows = await connection.execute(
        select(outbox.c.chat_id, outbox.c.message_id)
        .join(
            duplicates,
            and_(
                duplicates.c.chat_id == outbox.c.chat_id,
                duplicates.c.entry_id == outbox.c.entry_id,
            ),
        )
        .where(
            duplicates.c.created_at == now,
            outbox.c.state == SENT,
            outbox.c.message_id.is_not(None),
            outbox.c.sent_at >= now - EDIT_WINDOW,
        )
        .distinct()
    )
    return await queue_messages(connection, sorted((c, m) for c, m in rows), now)


def reads_the_same(one: str, other: str) -> bool:
    """Whether a reader sees no change: runs of whitespace count as one space."""
    return one.split() == other.split()


async def queue_messages(
    connection: AsyncConnection, pairs: Sequence[tuple[int, int]], now: datetime
) -> int:
    """Queue an edit of each (our chat id, message id); one already queued goes again."""
    if not pairs:
        return 0
    params = [{"b_chat": chat_id, "b_message": message_id} for chat_id, message_id in pairs]
    await connection.execute(
        insert_ignoring_duplicates(connection, edits),
        [
            {"chat_id": c, "message_id": m, "state": PENDING, "queued_at": now, "not_before": now}
            for c, m in pairs
        ],
    )
    await connection.execute(
        update(edits)
        .where(edits.c.chat_id == bindparam("b_chat"), edits.c.message_id == bindparam("b_message"))
        .values(state=PENDING, queued_at=now, not_before=now, last_error=None),
        params,
    )
    return len(pairs)


def _due(now: datetime) -> ColumnElement[bool]:
    """Pending, due, and held by nobody: never claimed, its lease over, or its owner dead
    (like an outbox row, :func:`bot.store.processes.claim_free`)."""
    unclaimed = or_(
        edits.c.lease_until.is_(None),
        edits.c.lease_until < now,
        owner_dead(edits.c.claimed_by, now),
    )
    return and_(edits.c.state == PENDING, edits.c.not_before <= now, unclaimed)


async def claim_edits(
    connection: AsyncConnection,
    now: datetime,
    lease: timedelta,
    *,
    limit: int,
    skip_chats: Collection[int] = (),
    skip_tg_chats: Collection[int] = (),
    owner: str | None = None,
) -> list[EditJob]:
    """Lease up to ``limit`` due edits, one per chat, oldest first, for the process ``owner``.

    ``skip_chats`` (our chat ids) and ``skip_tg_chats`` (Telegram's) are chats the sender
    cannot send to yet (a send or edit in progress, rate limits)."""
    active = select(chats.c.id).where(chats.c.active == true())
    if skip_tg_chats:
        active = active.where(
            or_(chats.c.tg_chat_id.is_(None), chats.c.tg_chat_id.not_in(list(skip_tg_chats)))
        )
    query = (
        select(edits.c.id, edits.c.chat_id, edits.c.message_id, edits.c.queued_at)
        .where(_due(now), edits.c.chat_id.in_(active))
        .order_by(edits.c.queued_at, edits.c.id)
        .limit(limit * 4)
    )
    if skip_chats:
        query = query.where(edits.c.chat_id.not_in(list(skip_chats)))
    chosen: dict[int, tuple[int, int, datetime]] = {}
    for row in await connection.execute(skip_locked(connection, query)):
        if row.chat_id not in chosen and len(chosen) < limit:
            chosen[row.chat_id] = (row.id, row.message_id, row.queued_at)
    jobs = []
    for chat_id, (edit_id, message_id, queued_at) in chosen.items():
        leased = await connection.execute(
            update(edits)
            .where(edits.c.id == edit_id, _due(now))
            .values(lease_until=now + lease, claimed_by=owner)
            .returning(edits.c.id)
        )
        if leased.first() is not None:
            jobs.append(await _job(connection, chat_id, edit_id, message_id, queued_at))
    return jobs


async def _job(
    connection: AsyncConnection, chat_id: int, edit_id: int, message_id: int, queued_at: datetime
) -> EditJob:
    """What the message shows now: its entries (page order), each marked when it changed
    after the message went out, with the feeds that also carried it."""
    chat = (await chats_with_topics(connection, [chat_id]))[chat_id]
    rows = (
        await connection.execute(
            select(
                outbox.c.entry_id, outbox.c.sent_at, outbox.c.transmission_id, entries.c.updated_at
            )
            .join(entries, entries.c.id == outbox.c.entry_id)
            .where(outbox.c.chat_id == chat_id, outbox.c.message_id == message_id)
        )
    ).all()
    changed = {r.entry_id for r in rows if r.updated_at is not None and r.updated_at > r.sent_at}
    paged_by = next((r.transmission_id for r in rows if r.transmission_id is not None), None)
    order = await _page_order(connection, paged_by) if paged_by is not None else None
    views = await entry_views(connection, order or [r.entry_id for r in rows])
    if order is None:
        views = sorted(views, key=_newest_first_key, reverse=True)
    others = await also_in(connection, chat_id, [v.entry_id for v in views])
    views = [
        replace(v, also_in=others.get(v.entry_id, ()), updated=v.entry_id in changed) for v in views
    ]
    first_changed = next((i for i, v in enumerate(views) if v.updated), 0)
    muted = len(views) == 1 and await is_muted(connection, chat_id, views[0].entry_id)
    return EditJob(
        chat=chat,
        edit_id=edit_id,
        message_id=message_id,
        queued_at=queued_at,
        entries=tuple(views),
        transmission_id=paged_by,
        position=first_changed,
        muted=muted,
    )


def _newest_first_key(view: EntryView) -> tuple[float, int]:  # as the sender ordered them
    return (view.published.timestamp() if view.published else 0.0, view.entry_id)


async def _page_order(connection: AsyncConnection, transmission_id: int) -> list[int]:
    value = (
        await connection.execute(
            select(transmissions.c.entry_ids).where(transmissions.c.id == transmission_id)
        )
    ).scalar_one_or_none()
    return [int(part) for part in (value or "").split(",") if part]


async def mark_edit_done(
    connection: AsyncConnection, edit_id: int, queued_at: datetime, now: datetime
) -> None:
    """Edited. If it was queued again meanwhile, it stays pending (and goes again)."""
    await connection.execute(
        update(edits)
        .where(edits.c.id == edit_id, edits.c.queued_at == queued_at)
        .values(state=SENT, sent_at=now, last_error=None)
    )
    await connection.execute(update(edits).where(edits.c.id == edit_id).values(lease_until=None))


async def mark_edit_retry(
    connection: AsyncConnection, edit_id: int, not_before: datetime, error: str
) -> None:
    await connection.execute(
        update(edits)
        .where(edits.c.id == edit_id)
        .values(not_before=not_before, lease_until=None, last_error=error[:500])
    )


async def mark_edit_failed(connection: AsyncConnection, edit_id: int, error: str) -> None:
    """Given up (the message was deleted, the chat is gone): kept, with the reason."""
    await connection.execute(
        update(edits)
        .where(edits.c.id == edit_id)
        .values(state=FAILED, lease_until=None, last_error=error[:500])
    )


async def release_edits(connection: AsyncConnection, edit_ids: Sequence[int]) -> None:
    for part in chunks(edit_ids):
        await connection.execute(update(edits).where(edits.c.id.in_(part)).values(lease_until=None))


async def next_edit_due_at(connection: AsyncConnection) -> datetime | None:
    ready_at = case(
        (edits.c.lease_until > edits.c.not_before, edits.c.lease_until),
        else_=edits.c.not_before,
    )
    query = (
        select(func.min(ready_at))
        .join(chats, chats.c.id == edits.c.chat_id)
        .where(edits.c.state == PENDING, chats.c.active == true())
    )
    value: datetime | None = (await connection.execute(query)).scalar()
    return value


async def edit_counts(connection: AsyncConnection) -> dict[str, int]:
    rows = await connection.execute(select(edits.c.state, func.count()).group_by(edits.c.state))
    counts = {PENDING: 0, SENT: 0, FAILED: 0}
    counts.update((state, number) for state, number in rows)
    return counts
