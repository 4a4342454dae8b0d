"""Reading entries for people: LATEST UPDATES pages and transmissions.

Pages are newest first (``sort_at``, then id). Page counts are bounded: we count at most a
window of pages past the one asked for, so that a million stored entries cost the same as a
hundred. Pruned entries (bodies removed) are not shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, false, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import EntryView, Page
from bot.store.tables import entries, entry_topics, feeds, topics
from bot.store.topics import topic_ids

#: how many pages past the requested one we count to draw page buttons
WINDOW_PAGES = 5


async def latest_page(
    connection: AsyncConnection,
    wanted_topics: Sequence[str] | None,
    page: int,
    page_size: int,
    excluded_topics: Sequence[str] = (),
) -> Page:
    """Page ``page`` (1-based) of the newest entries, filtered by topics (None: all, except
    entries that carry one of ``excluded_topics``)."""
    page = max(page, 1)
    ids_query = await _ids_query(connection, wanted_topics, excluded_topics)
    if ids_query is None:  # none of the topics exists yet: nothing can match
        return Page(entries=(), number=page, known_pages=0, has_more=False)
    horizon = (page + WINDOW_PAGES) * page_size
    counted = (
        await connection.execute(
            select(func.count()).select_from(ids_query.limit(horizon + 1).subquery())
        )
    ).scalar_one()
    known_pages = -(-min(counted, horizon) // page_size)
    ids = list(
        (
            await connection.execute(ids_query.limit(page_size).offset((page - 1) * page_size))
        ).scalars()
    )
    views = await entry_views(connection, ids)
    return Page(
        entries=tuple(views),
        number=page,
        known_pages=known_pages,
        has_more=counted > horizon,
    )


async def _ids_query(
    connection: AsyncConnection,
    wanted_topics: Sequence[str] | None,
    excluded_topics: Sequence[str] = (),
) -> Select[Any] | None:
    if wanted_topics is None:
        query = (
            select(entries.c.id)
            .where(entries.c.pruned == false())
            .order_by(entries.c.sort_at.desc(), entries.c.id.desc())
        )
        excluded = list((await topic_ids(connection, excluded_topics)).values())
        if excluded:
            query = query.where(
                ~exists().where(
                    entry_topics.c.entry_id == entries.c.id,
                    entry_topics.c.topic_id.in_(excluded),
                )
            )
        return query
    ids = list((await topic_ids(connection, wanted_topics)).values())
    if not ids:
        return None
    query = select(entry_topics.c.entry_id).where(entry_topics.c.topic_id.in_(ids))
    if len(ids) > 1:  # one entry may carry several of the wanted topics
        query = query.group_by(entry_topics.c.entry_id, entry_topics.c.sort_at)
    return query.order_by(entry_topics.c.sort_at.desc(), entry_topics.c.entry_id.desc())


async def entry_views(connection: AsyncConnection, ids: Sequence[int]) -> list[EntryView]:
    """The entries with these ids, in the order given (missing ones skipped)."""
    if not ids:
        return []
    rows = await connection.execute(
        select(
            entries.c.id,
            entries.c.title,
            entries.c.link,
            entries.c.published_at,
            entries.c.text,
            feeds.c.name,
            feeds.c.title.label("feed_title"),
            feeds.c.url,
        )
        .join(feeds, feeds.c.id == entries.c.feed_id)
        .where(entries.c.id.in_(ids))
    )
    found = {row.id: row for row in rows}
    names = await connection.execute(
        select(entry_topics.c.entry_id, topics.c.name)
        .join(topics, topics.c.id == entry_topics.c.topic_id)
        .where(entry_topics.c.entry_id.in_(list(found)))
        .order_by(entry_topics.c.entry_id, topics.c.name)
    )
    by_entry: dict[int, list[str]] = {}
    for entry_id, name in names:
        by_entry.setdefault(entry_id, []).append(name)
    return [
        EntryView(
            entry_id=row.id,
            title=row.title,
            link=row.link,
            published=row.published_at,
            text=row.text,
            topics=tuple(by_entry.get(row.id, ())),
            feed_name=row.name or row.feed_title or _host(row.url),
        )
        for entry_id in ids
        if (row := found.get(entry_id)) is not None
    ]


def _host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


async def topic_names_in_use(connection: AsyncConnection, limit: int = 40) -> list[str]:
    """Topics carried by recent entries, most used first (what /topics offers)."""
    recent_entries = (
        select(entries.c.id).order_by(entries.c.sort_at.desc(), entries.c.id.desc()).limit(2000)
    ).subquery()
    recent = (
        select(entry_topics.c.topic_id)
        .join(recent_entries, recent_entries.c.id == entry_topics.c.entry_id)
        .subquery()
    )
    rows = await connection.execute(
        select(topics.c.name, func.count().label("uses"))
        .join(recent, recent.c.topic_id == topics.c.id)
        .group_by(topics.c.name)
        .order_by(func.count().desc(), topics.c.name)
        .limit(limit)
    )
    return [name for name, _ in rows]
