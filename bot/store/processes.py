"""Running processes and their heartbeats: a claim is held only while its owner is alive.

Each ``feedbot run`` process registers an id and refreshes its heartbeat every few seconds
(:data:`HEARTBEAT_EVERY`). An outbox row (or edit) it claimed carries that id in
``claimed_by``; once the owner's heartbeat is older than :data:`ALIVE_WITHIN` (the process
died, even by ``kill -9``), any process may take the row back at once instead of waiting
for the lease.
On SQLite there is only one process: it takes back every claim when it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.tables import PENDING, edits, feeds, outbox, processes

#: seconds between two heartbeats of a running process
HEARTBEAT_EVERY = 3.0
#: a process whose heartbeat is older than this is taken for dead
ALIVE_WITHIN = timedelta(seconds=10)
#: rows of processes gone this long are deleted when another one starts
FORGET_AFTER = timedelta(days=1)


def owner_dead(claimed_by: ColumnElement[str | None], now: datetime) -> ColumnElement[bool]:
    """A row claimed by a process whose heartbeat has stopped (or whose row is gone)."""
    owner_alive = exists().where(
        processes.c.id == claimed_by,
        processes.c.heartbeat_at >= now - ALIVE_WITHIN,
    )
    return and_(claimed_by.is_not(None), ~owner_alive)


def claim_free(now: datetime) -> ColumnElement[bool]:
    """An outbox row nobody holds: never claimed, its lease over, or its owner dead."""
    return or_(
        outbox.c.lease_until.is_(None),
        outbox.c.lease_until < now,
        owner_dead(outbox.c.claimed_by, now),
    )


def outside_running_cycles(
    created_at: ColumnElement[datetime], now: datetime, gather_max: timedelta
) -> ColumnElement[bool]:
    """A row no poll cycle still running on a live replica may add to: queued before the
    earliest such cycle began, or more than ``gather_max`` ago (across replicas, what
    :meth:`bot.delivery.sender.Sender.gathering` is within one process)."""
    earliest = (
        select(func.min(processes.c.cycle_since))
        .where(processes.c.heartbeat_at >= now - ALIVE_WITHIN)
        .scalar_subquery()
    )
    return or_(created_at < now - gather_max, earliest.is_(None), created_at < earliest)


async def cycle_started(connection: AsyncConnection, process_id: str, now: datetime) -> None:
    await connection.execute(
        update(processes).where(processes.c.id == process_id).values(cycle_since=now)
    )


async def cycle_ended(connection: AsyncConnection, process_id: str) -> None:
    await connection.execute(
        update(processes).where(processes.c.id == process_id).values(cycle_since=None)
    )


async def register_process(connection: AsyncConnection, process_id: str, now: datetime) -> int:
    """This process is alive from now on. On SQLite (one process only) every claim left by
    an earlier one is taken back (deliveries, edits, and feeds it was polling: due at once);
    returns how many deliveries that was."""
    await connection.execute(delete(processes).where(processes.c.heartbeat_at < now - FORGET_AFTER))
    await connection.execute(
        processes.insert().values(id=process_id, started_at=now, heartbeat_at=now)
    )
    if connection.dialect.name != "sqlite":
        return 0
    await connection.execute(
        update(feeds)
        .where(feeds.c.claimed_by.is_not(None))
        .values(next_check_at=now, claimed_by=None)
    )
    result = await connection.execute(
        update(outbox)
        .where(outbox.c.state == PENDING, outbox.c.lease_until.is_not(None))
        .values(lease_until=None, claimed_by=None)
    )
    await connection.execute(
        update(edits)
        .where(edits.c.state == PENDING, edits.c.lease_until.is_not(None))
        .values(lease_until=None, claimed_by=None)
    )
    return max(result.rowcount, 0)


async def heartbeat(
    connection: AsyncConnection, process_id: str, now: datetime, leader: bool = False
) -> None:
    """Still alive, and whether it leads (re-registers a row someone deleted)."""
    result = await connection.execute(
        update(processes)
        .where(processes.c.id == process_id)
        .values(heartbeat_at=now, leader=leader)
    )
    if result.rowcount == 0:
        await connection.execute(
            processes.insert().values(
                id=process_id, started_at=now, heartbeat_at=now, leader=leader
            )
        )


async def take_over_claims(connection: AsyncConnection, process_id: str) -> int:
    """A new leader's first step: deliveries and edits claimed by any other process are
    free at once (only the leader sends, so their claimer is dead or has stopped sending);
    returns how many deliveries that was."""
    foreign = outbox.c.claimed_by.is_not(None) & (outbox.c.claimed_by != process_id)
    result = await connection.execute(
        update(outbox)
        .where(outbox.c.state == PENDING, foreign)
        .values(lease_until=None, claimed_by=None)
    )
    await connection.execute(
        update(edits)
        .where(
            edits.c.state == PENDING,
            edits.c.claimed_by.is_not(None),
            edits.c.claimed_by != process_id,
        )
        .values(lease_until=None, claimed_by=None)
    )
    return max(result.rowcount, 0)


@dataclass(frozen=True, slots=True)
class Replica:
    """A running ``feedbot run`` process, as /stats lists it."""

    id: str
    leader: bool
    started_at: datetime
    heartbeat_at: datetime


async def replicas(connection: AsyncConnection, now: datetime) -> list[Replica]:
    """The live processes, the leader first, then by start."""
    rows = await connection.execute(
        select(processes)
        .where(processes.c.heartbeat_at >= now - ALIVE_WITHIN)
        .order_by(processes.c.leader.desc(), processes.c.started_at, processes.c.id)
    )
    return [Replica(r.id, bool(r.leader), r.started_at, r.heartbeat_at) for r in rows]


async def retire_process(connection: AsyncConnection, process_id: str) -> None:
    """A clean stop: the process row goes (its claims were released before)."""
    await connection.execute(delete(processes).where(processes.c.id == process_id))


async def another_leader(connection: AsyncConnection, process_id: str, now: datetime) -> bool:
    """Whether a live process other than this one said with its last heartbeat that it
    leads (it may not know yet that it lost the lock)."""
    found = await connection.execute(
        select(processes.c.id)
        .where(
            processes.c.id != process_id,
            processes.c.leader == true(),
            processes.c.heartbeat_at >= now - ALIVE_WITHIN,
        )
        .limit(1)
    )
    return found.first() is not None


async def live_processes(connection: AsyncConnection, now: datetime) -> list[str]:
    """Ids of processes whose heartbeat is fresh."""
    rows = await connection.execute(
        select(processes.c.id).where(processes.c.heartbeat_at >= now - ALIVE_WITHIN)
    )
    return [row.id for row in rows]
