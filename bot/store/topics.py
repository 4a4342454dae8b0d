"""Topic names <-> ids. A topic is found by its key (``bot.domain.topic_key``), so any
spelling of it finds it; the name read back is the one spelling stored for the key."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import distinct_topics, topic_key
from bot.store.sql import chunks, insert_ignoring_duplicates
from bot.store.tables import entry_topics, topics


async def ensure_topic_ids(connection: AsyncConnection, names: Iterable[str]) -> dict[str, int]:
    """Ids of ``names`` (cleaned; any spelling), creating the missing topics with the first
    spelling given for each key."""
    given = list(names)
    wanted = distinct_topics(given)
    if not wanted:
        return {}
    await connection.execute(
        insert_ignoring_duplicates(connection, topics),
        [{"key": topic_key(name), "name": name} for name in sorted(wanted)],
    )
    return await topic_ids(connection, given)


async def topic_ids(connection: AsyncConnection, names: Iterable[str]) -> dict[str, int]:
    """Ids of the existing topics among ``names``, keyed by the spelling given."""
    by_key: dict[str, list[str]] = {}
    for name in names:
        by_key.setdefault(topic_key(name), []).append(name)
    found: dict[str, int] = {}
    for part in chunks(sorted(by_key)):
        rows = await connection.execute(
            select(topics.c.key, topics.c.id).where(topics.c.key.in_(part))
        )
        for key, topic_id in rows:
            found.update((name, topic_id) for name in by_key[key])
    return found


async def adopt_spellings(connection: AsyncConnection, names: Iterable[str]) -> None:
    """The config's topics exist and are shown as the config spells them (``RL`` over a
    feed's ``rl``): run at start, so /topics can offer them before any entry has them."""
    wanted = distinct_topics(names)
    if not wanted:
        return
    await ensure_topic_ids(connection, wanted)
    for name in wanted:
        await connection.execute(
            update(topics)
            .where(topics.c.key == topic_key(name), topics.c.name != name)
            .values(name=name)
        )


async def all_topic_names(connection: AsyncConnection, limit: int = 200) -> list[str]:
    rows = await connection.execute(select(topics.c.name).order_by(topics.c.key).limit(limit))
    return list(rows.scalars())


async def topic_name(connection: AsyncConnection, topic_id: int) -> str | None:
    result = await connection.execute(select(topics.c.name).where(topics.c.id == topic_id))
    name: str | None = result.scalar()
    return name


async def carried_topic(connection: AsyncConnection, name: str) -> str | None:
    """The stored spelling of ``name`` (any spelling) if a stored entry carries it."""
    query = (
        select(topics.c.name)
        .join(entry_topics, entry_topics.c.topic_id == topics.c.id)
        .where(topics.c.key == topic_key(name))
        .limit(1)
    )
    found: str | None = (await connection.execute(query)).scalar()
    return found


async def stored_spelling(connection: AsyncConnection, name: str) -> str | None:
    """How the topic ``name`` (any spelling) is stored, if it is."""
    query = select(topics.c.name).where(topics.c.key == topic_key(name))
    found: str | None = (await connection.execute(query)).scalar()
    return found
