"""Topic names <-> ids."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.sql import chunks, insert_ignoring_duplicates
from bot.store.tables import entry_topics, topics


async def ensure_topic_ids(connection: AsyncConnection, names: Iterable[str]) -> dict[str, int]:
    """Ids of ``names`` (already normalised), creating the missing topics."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    await connection.execute(
        insert_ignoring_duplicates(connection, topics), [{"name": name} for name in wanted]
    )
    return await topic_ids(connection, wanted)


async def topic_ids(connection: AsyncConnection, names: Iterable[str]) -> dict[str, int]:
    """Ids of the existing topics among ``names``."""
    found: dict[str, int] = {}
    for part in chunks(sorted(set(names))):
        rows = await connection.execute(
            select(topics.c.name, topics.c.id).where(topics.c.name.in_(part))
        )
        found.update((name, topic_id) for name, topic_id in rows)
    return found


async def all_topic_names(connection: AsyncConnection, limit: int = 200) -> list[str]:
    rows = await connection.execute(select(topics.c.name).order_by(topics.c.name).limit(limit))
    return list(rows.scalars())


async def topic_name(connection: AsyncConnection, topic_id: int) -> str | None:
    result = await connection.execute(select(topics.c.name).where(topics.c.id == topic_id))
    name: str | None = result.scalar()
    return name


async def topic_carried(connection: AsyncConnection, name: str) -> bool:
    """Whether a stored entry carries the topic ``name`` (normalised)."""
    query = (
        select(entry_topics.c.entry_id)
        .join(topics, topics.c.id == entry_topics.c.topic_id)
        .where(topics.c.name == name)
        .limit(1)
    )
    return (await connection.execute(query)).first() is not None
