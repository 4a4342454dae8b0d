"""The durable outbox: claim due deliveries with a lease, then mark them sent, retried or failed.

Life of a row: ``pending`` (due when ``not_before`` has passed and no live lease) ->
``sent`` (with its transmission) or ``failed`` (the chat is gone or left, the message was
refused, or it could not be delivered for ``give_up_after``; the reason is kept in
``last_error``). A claim sets ``lease_until`` and ``claimed_by`` (the process); the row is
free again when the lease ends or, sooner, when its owner's heartbeat stops
(:mod:`bot.store.processes`), so a crash re-sends at most what was in flight, never loses a
row, and holds the rest back only seconds.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Delivery, EntryView
from bot.store.chats import chats_with_topics
from bot.store.dedup import also_in
from bot.store.edits import queue_messages, reads_the_same
from bot.store.pages import entry_views
from bot.store.processes import claim_free, outside_running_cycles
from bot.store.sql import chunks, skip_locked
from bot.store.tables import FAILED, PENDING, SENT, chats, entries, outbox, transmissions


def _due(now: datetime, queued_before: datetime | None = None) -> ColumnElement[bool]:
    condition = and_(outbox.c.state == PENDING, outbox.c.not_before <= now, claim_free(now))
    if queued_before is not None:
        condition = and_(condition, outbox.c.created_at < queued_before)
    return condition


async def claim_deliveries(
    connection: AsyncConnection,
    now: datetime,
    lease: timedelta,
    *,
    max_chats: int,
    per_chat: int,
    skip_chats: Collection[int] = (),
    skip_tg_chats: Collection[int] = (),
    queued_before: datetime | None = None,
    owner: str | None = None,
    replicas_gather: timedelta | None = None,
) -> list[Delivery]:
    """Lease the due rows of up to ``max_chats`` chats (oldest first), ``per_chat`` each,
    for the process ``owner``.

    ``skip_chats`` (our chat ids) and ``skip_tg_chats`` (Telegram's) are chats the sender
    cannot send to yet (rate limits, a send in progress).
    ``queued_before``: only rows queued before then (a poll cycle still running may queue
    more for the same chats; they wait for it, to go out as one transmission).
    ``replicas_gather``: the same for the poll cycles of every replica (several processes on
    one database): rows wait for those running now, at most this long.
    """
    due = _due(now, queued_before)
    if replicas_gather is not None:
        due = and_(due, outside_running_cycles(outbox.c.created_at, now, replicas_gather))
    chat_query = (
        select(outbox.c.chat_id, func.min(outbox.c.id).label("first"))
        .join(chats, chats.c.id == outbox.c.chat_id)
        .where(due, chats.c.active == true())
        .group_by(outbox.c.chat_id)
        .order_by(func.min(outbox.c.id))
        .limit(max_chats)
    )
    if skip_chats:
        chat_query = chat_query.where(outbox.c.chat_id.not_in(list(skip_chats)))
    if skip_tg_chats:
        chat_query = chat_query.where(
            or_(chats.c.tg_chat_id.is_(None), chats.c.tg_chat_id.not_in(list(skip_tg_chats)))
        )
    chat_ids = [row.chat_id for row in await connection.execute(chat_query)]
    if not chat_ids:
        return []
    rows_query = (
        select(
            outbox.c.id,
            outbox.c.chat_id,
            outbox.c.entry_id,
            outbox.c.attempts,
            outbox.c.created_at,
        )
        .where(due, outbox.c.chat_id.in_(chat_ids))
        .order_by(outbox.c.id)
    )
    per: dict[int, list[_Row]] = {}
    for row in await connection.execute(skip_locked(connection, rows_query)):
        taken = per.setdefault(row.chat_id, [])
        if len(taken) < per_chat:
            taken.append((row.id, row.entry_id, row.attempts, row.created_at))
    wanted = [row[0] for rows in per.values() for row in rows]
    got = await _lease(connection, wanted, due, now + lease, owner)
    return await _deliveries(connection, per, got)


async def _lease(
    connection: AsyncConnection,
    outbox_ids: Sequence[int],
    due: ColumnElement[bool],
    until: datetime,
    owner: str | None,
) -> set[int]:
    """Lease the rows that are still ``due``: the ids actually leased."""
    got: set[int] = set()
    for part in chunks(outbox_ids):
        # The condition is re-checked at update time: rows another replica leased in the
        # meantime are not returned, so each row goes to exactly one sender.
        result = await connection.execute(
            update(outbox)
            .where(outbox.c.id.in_(part), due)
            .values(lease_until=until, claimed_by=owner)
            .returning(outbox.c.id)
        )
        got.update(result.scalars())
    return got


#: a claimed outbox row: id, entry id, attempts, queued at
_Row = tuple[int, int, int, datetime]


async def _deliveries(
    connection: AsyncConnection, per: dict[int, list[_Row]], got: set[int]
) -> list[Delivery]:
    infos = await chats_with_topics(connection, list(per))
    deliveries = []
    for chat_id, rows in per.items():
        mine = [row for row in rows if row[0] in got]
        if not mine or chat_id not in infos:
            continue
        views = await entry_views(connection, [row[1] for row in mine])
        others = await also_in(connection, chat_id, [view.entry_id for view in views])
        views = [replace(v, also_in=others.get(v.entry_id, ())) for v in views]
        deliveries.append(
            Delivery(
                chat=infos[chat_id],
                outbox_ids=tuple(row[0] for row in mine),
                entries=tuple(_newest_first(views)),
                attempts=max(row[2] for row in mine),
                queued_at=tuple(row[3] for row in mine),
            )
        )
    return deliveries


def _newest_first(views: list[EntryView]) -> list[EntryView]:
    return sorted(
        views,
        key=lambda v: (v.published.timestamp() if v.published else 0.0, v.entry_id),
        reverse=True,
    )


async def create_transmission(
    connection: AsyncConnection, chat_id: int, entry_ids: Sequence[int], now: datetime
) -> int:
    """A transmission row, so that its page buttons can find its entries later."""
    result = await connection.execute(
        transmissions.insert()
        .values(chat_id=chat_id, entry_ids=",".join(map(str, entry_ids)), created_at=now)
        .returning(transmissions.c.id)
    )
    return int(result.scalar_one())


async def transmission_entries(
    connection: AsyncConnection, transmission_id: int, chat_id: int
) -> list[int] | None:
    """Entry ids of a transmission sent to this chat (None: unknown or someone else's)."""
    row = (
        await connection.execute(
            select(transmissions.c.entry_ids).where(
                transmissions.c.id == transmission_id, transmissions.c.chat_id == chat_id
            )
        )
    ).first()
    if row is None:
        return None
    return [int(part) for part in row.entry_ids.split(",") if part]


async def mark_sent(
    connection: AsyncConnection,
    outbox_ids: Sequence[int],
    now: datetime,
    *,
    transmission_id: int | None,
    message_id: int | None,
    shown: Sequence[EntryView] = (),
) -> None:
    """Sent as ``message_id``. ``shown`` are the entries as the message showed them: one
    that changed after it was read for the send (a poll committed while the send was in
    flight, too late to queue the edit itself) has the message queued for an edit."""
    if transmission_id is not None:
        await connection.execute(
            update(transmissions)
            .where(transmissions.c.id == transmission_id)
            .values(message_id=message_id)
        )
    for part in chunks(outbox_ids):
        await connection.execute(
            update(outbox)
            .where(outbox.c.id.in_(part))
            .values(
                state=SENT,
                sent_at=now,
                lease_until=None,
                transmission_id=transmission_id,
                message_id=message_id,
                attempts=outbox.c.attempts + 1,
                last_error=None,
            )
        )
    if message_id is not None and shown and outbox_ids:
        await _edit_if_changed_meanwhile(connection, outbox_ids[0], message_id, shown, now)


async def _edit_if_changed_meanwhile(
    connection: AsyncConnection,
    outbox_id: int,
    message_id: int,
    shown: Sequence[EntryView],
    now: datetime,
) -> None:
    query = select(entries.c.id, entries.c.title, entries.c.text).where(
        entries.c.id.in_([view.entry_id for view in shown]),
        entries.c.pruned == false(),  # a pruned body is gone, not changed
    )
    if connection.dialect.name == "postgresql":
        # waits for a poll that is updating these entries: either it commits first and is
        # read here, or it reads this send as sent and queues the edit itself
        query = query.with_for_update(read=True)
    stored = {row.id: row for row in await connection.execute(query)}
    if not any(
        (row := stored.get(view.entry_id)) is not None
        and not (reads_the_same(row.title, view.title) and reads_the_same(row.text, view.text))
        for view in shown
    ):
        return
    chat_id = (
        await connection.execute(select(outbox.c.chat_id).where(outbox.c.id == outbox_id))
    ).scalar_one()
    await queue_messages(connection, [(chat_id, message_id)], now)


async def mark_retry(
    connection: AsyncConnection,
    outbox_ids: Sequence[int],
    not_before: datetime,
    error: str,
    *,
    count_attempt: bool = True,
) -> None:
    """Back to pending, due again at ``not_before``. 429 waits do not count as attempts."""
    for part in chunks(outbox_ids):
        values: dict[str, object] = {
            "not_before": not_before,
            "lease_until": None,
            "last_error": error[:500],
        }
        if count_attempt:
            values["attempts"] = outbox.c.attempts + 1
        await connection.execute(update(outbox).where(outbox.c.id.in_(part)).values(**values))


async def mark_failed(connection: AsyncConnection, outbox_ids: Sequence[int], error: str) -> None:
    """Given up (chat blocked the bot, message rejected for good): kept, with the reason."""
    for part in chunks(outbox_ids):
        await connection.execute(
            update(outbox)
            .where(outbox.c.id.in_(part))
            .values(state=FAILED, lease_until=None, last_error=error[:500])
        )


async def fail_pending_for_chat(connection: AsyncConnection, chat_id: int, error: str) -> int:
    """A chat became unreachable: its whole queue fails, with the reason recorded."""
    result = await connection.execute(
        update(outbox)
        .where(outbox.c.chat_id == chat_id, outbox.c.state == PENDING)
        .values(state=FAILED, lease_until=None, last_error=error[:500])
    )
    return max(result.rowcount, 0)


async def defer_chat(connection: AsyncConnection, chat_id: int, not_before: datetime) -> None:
    """Telegram asked this chat to wait (429): nothing of it is due before ``not_before``."""
    await connection.execute(
        update(outbox)
        .where(
            outbox.c.chat_id == chat_id,
            outbox.c.state == PENDING,
            outbox.c.not_before < not_before,
        )
        .values(not_before=not_before)
    )


async def hold(connection: AsyncConnection, outbox_ids: Sequence[int], until: datetime) -> None:
    """Quiet hours or a digest: the rows wait, unleased, until ``until`` (no attempt)."""
    for part in chunks(outbox_ids):
        await connection.execute(
            update(outbox).where(outbox.c.id.in_(part)).values(not_before=until, lease_until=None)
        )


async def release(connection: AsyncConnection, outbox_ids: Sequence[int]) -> None:
    """Hand claimed rows back unsent (shutdown): due again at once, no attempt counted."""
    for part in chunks(outbox_ids):
        await connection.execute(
            update(outbox).where(outbox.c.id.in_(part)).values(lease_until=None)
        )


async def next_due_at(
    connection: AsyncConnection,
    queued_before: datetime | None = None,
    replicas_gather: tuple[datetime, timedelta] | None = None,
) -> datetime | None:
    """When the earliest pending row of an active chat can be claimed (the sender sleeps
    until then): its ``not_before``, or the end of its lease if that is later.

    ``queued_before``: rows queued since then are not counted (see :func:`claim_deliveries`).
    """
    ready_at = case(
        (outbox.c.lease_until > outbox.c.not_before, outbox.c.lease_until),
        else_=outbox.c.not_before,
    )
    query = (
        select(func.min(ready_at))
        .join(chats, chats.c.id == outbox.c.chat_id)
        .where(outbox.c.state == PENDING, chats.c.active == true())
    )
    if queued_before is not None:
        query = query.where(outbox.c.created_at < queued_before)
    if replicas_gather is not None:  # (now, gather_max)
        query = query.where(outside_running_cycles(outbox.c.created_at, *replicas_gather))
    value: datetime | None = (await connection.execute(query)).scalar()
    return value


@dataclass(frozen=True, slots=True)
class Swept:
    """What :func:`sweep` gave up, each row with its reason in ``last_error``."""

    inactive: int  #: pending rows of chats that no longer take pushes (e.g. left the config)
    expired: int  #: pending rows not delivered within ``give_up_after``


async def sweep(connection: AsyncConnection, now: datetime, give_up_after: timedelta) -> Swept:
    """Fail (with the reason) what can no longer go out, so that nothing stays pending forever.

    * Rows of inactive chats: nobody claims them. A blocked chat or /stop fails its queue
      right away (``deactivate_chat``); this catches the rest, e.g. a channel taken out of
      ``telegram.channels``. The chat's ``inactive_reason`` is recorded.
    * Rows queued more than ``give_up_after`` ago (an outage that lasted days): the last
      error is kept after "gave up after ...".

    Rows leased by a sender right now are left to it.
    """
    free = and_(outbox.c.state == PENDING, claim_free(now))
    reasons = await connection.execute(
        select(chats.c.id, chats.c.inactive_reason)
        .where(
            chats.c.active == false(),
            select(outbox.c.id).where(free, outbox.c.chat_id == chats.c.id).exists(),
        )
        .order_by(chats.c.id)
    )
    inactive = 0
    for chat_id, reason in reasons:
        error = f"dropped: the chat is inactive ({reason or 'unsubscribed'})"
        result = await connection.execute(
            update(outbox)
            .where(free, outbox.c.chat_id == chat_id)
            .values(state=FAILED, lease_until=None, last_error=error[:500])
        )
        inactive += max(result.rowcount, 0)
    prefix = f"gave up after {_human(give_up_after)}: "
    result = await connection.execute(
        update(outbox)
        .where(free, outbox.c.created_at < now - give_up_after)
        .values(
            state=FAILED,
            lease_until=None,
            last_error=literal(prefix) + func.coalesce(outbox.c.last_error, "never sent"),
        )
    )
    return Swept(inactive=inactive, expired=max(result.rowcount, 0))


def _human(delay: timedelta) -> str:
    seconds = delay.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


async def queue_counts(connection: AsyncConnection) -> dict[str, int]:
    rows = await connection.execute(select(outbox.c.state, func.count()).group_by(outbox.c.state))
    counts = {PENDING: 0, SENT: 0, FAILED: 0}
    counts.update((state, number) for state, number in rows)
    return counts
