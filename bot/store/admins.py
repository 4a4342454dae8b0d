"""Admins who claimed the bot in chat (``/claim``), kept beside the config's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.sql import insert_ignoring_duplicates
from bot.store.tables import admins


async def stored_admins(connection: AsyncConnection) -> list[int]:
    """The user ids that claimed the bot, oldest claim first."""
    rows = await connection.execute(
        select(admins.c.user_id).order_by(admins.c.claimed_at, admins.c.user_id)
    )
    return [row.user_id for row in rows]


async def is_stored_admin(connection: AsyncConnection, user_id: int) -> bool:
    query = select(exists().where(admins.c.user_id == user_id))
    return bool((await connection.execute(query)).scalar())


async def add_admin(connection: AsyncConnection, user_id: int, now: datetime) -> None:
    """``user_id`` becomes an admin (again: no change)."""
    await connection.execute(
        insert_ignoring_duplicates(connection, admins), [{"user_id": user_id, "claimed_at": now}]
    )
