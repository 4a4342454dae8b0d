"""Feeds and their entries: syncing the configured list, claiming due feeds, recording polls."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    bindparam,
    delete,
    false,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import (
    CacheValidators,
    FeedForUpdate,
    FeedSpec,
    FetchStatus,
    PollOutcome,
    PollRecord,
    sort_time,
)
from bot.store.edits import queue_for_entries, reads_the_same
from bot.store.enqueue import enqueue, one_per_story
from bot.store.keyword_filters import drop_filtered
from bot.store.processes import owner_dead
from bot.store.sql import chunks, insert_ignoring_duplicates, skip_locked
from bot.store.tables import (
    CONFIG,
    entries,
    entry_topics,
    feeds,
    outbox,
)
from bot.store.topics import ensure_topic_ids
from bot.text.links import canonical_link

# ----------------------------------------------------------------------------- the feed list


async def sync_feeds(connection: AsyncConnection, specs: Sequence[FeedSpec], now: datetime) -> None:
    """Bring the config's feeds in: add new ones (due now), rename, and remove the
    config-managed feeds the file no longer lists. Feeds added in chat stay; one the file
    now lists becomes the config's.

    Removed feeds keep their rows and entries (so re-adding one does not re-announce
    anything); they are just no longer followed.
    """
    rows = await connection.execute(
        select(
            feeds.c.id,
            feeds.c.url,
            feeds.c.name,
            feeds.c.configured,
            feeds.c.managed_by,
            feeds.c.topics,
        )
    )
    existing = {row.url: row for row in rows}
    wanted = {spec.url: spec for spec in specs}
    new_rows = [
        {
            "url": spec.url,
            "name": spec.name,
            "topics": join_topics(spec.topics),
            "managed_by": CONFIG,
            "created_at": now,
            "next_check_at": now,
        }
        for url, spec in wanted.items()
        if url not in existing
    ]
    if new_rows:
        await connection.execute(insert_ignoring_duplicates(connection, feeds), new_rows)
    for url, row in existing.items():
        spec = wanted.get(url)
        if spec is None:
            if row.configured and row.managed_by == CONFIG:
                await connection.execute(
                    update(feeds).where(feeds.c.id == row.id).values(configured=False)
                )
            continue
        values = {
            "configured": True,
            "managed_by": CONFIG,
            "name": spec.name,
            "topics": join_topics(spec.topics),
        }
        if any(getattr(row, name) != value for name, value in values.items()):
            await connection.execute(update(feeds).where(feeds.c.id == row.id).values(**values))


def join_topics(topics: Sequence[str]) -> str:
    """A feed's topics as stored (one per line: a topic never holds a line break)."""
    return "\n".join(topics)


def split_topics(stored: str) -> tuple[str, ...]:
    return tuple(topic for topic in stored.split("\n") if topic)


async def claim_due_feeds(
    connection: AsyncConnection,
    now: datetime,
    limit: int,
    lease: timedelta,
    owner: str | None = None,
    due_by: datetime | None = None,
) -> list[FeedForUpdate]:
    """Up to ``limit`` configured feeds due for a check, most overdue first, for ``owner``.

    A feed is due when its ``next_check_at`` is at or before ``due_by`` (default ``now``):
    a poll cycle passes its own start, so that feeds falling due while it runs wait for
    the next cycle instead of keeping this one going.

    Their ``next_check_at`` moves ``lease`` ahead so that another worker (or the next
    cycle, while this poll is still running) does not take them too; recording the poll
    sets the real next check. A feed whose owner died mid-poll is due again once its
    heartbeat has stopped (:mod:`bot.store.processes`), at the latest after the lease.
    """
    query = (
        select(
            feeds.c.id,
            feeds.c.url,
            feeds.c.name,
            feeds.c.title,
            feeds.c.etag,
            feeds.c.last_modified,
            feeds.c.body_hash,
            feeds.c.last_success_at,
            feeds.c.error_count,
            feeds.c.topics,
        )
        .where(
            feeds.c.configured == true(),
            feeds.c.paused == false(),
            or_(
                feeds.c.next_check_at <= (now if due_by is None else due_by),
                owner_dead(feeds.c.claimed_by, now),
            ),
        )
        .order_by(feeds.c.next_check_at, feeds.c.id)
        .limit(limit)
    )
    rows = (await connection.execute(skip_locked(connection, query))).all()
    if rows:
        await connection.execute(
            update(feeds)
            .where(feeds.c.id.in_([row.id for row in rows]))
            .values(next_check_at=now + lease, claimed_by=owner)
        )
    return [
        FeedForUpdate(
            id=row.id,
            url=row.url,
            name=row.name,
            title=row.title,
            validators=CacheValidators(etag=row.etag, last_modified=row.last_modified),
            body_hash=row.body_hash,
            first_fetch=row.last_success_at is None,
            error_count=row.error_count,
            topics=split_topics(row.topics),
        )
        for row in rows
    ]


async def make_feeds_due(connection: AsyncConnection, now: datetime) -> None:
    """Every followed feed but the paused becomes due (``poll --once`` checks them all)."""
    await connection.execute(
        update(feeds)
        .where(feeds.c.configured == true(), feeds.c.paused == false())
        .values(next_check_at=now)
    )


async def next_feed_check(connection: AsyncConnection) -> datetime | None:
    """When the next configured, unpaused feed is due (the poller sleeps until then)."""
    value: datetime | None = (
        await connection.execute(
            select(func.min(feeds.c.next_check_at)).where(
                feeds.c.configured == true(), feeds.c.paused == false()
            )
        )
    ).scalar()
    return value


# ----------------------------------------------------------------------------- entries


async def known_entries(
    connection: AsyncConnection, feed_id: int, keys: Sequence[str]
) -> dict[str, str]:
    """key -> content hash for the ``keys`` this feed has stored."""
    known: dict[str, str] = {}
    for part in chunks(list(dict.fromkeys(keys))):
        rows = await connection.execute(
            select(entries.c.key, entries.c.content_hash).where(
                entries.c.feed_id == feed_id, entries.c.key.in_(part)
            )
        )
        known.update((key, digest) for key, digest in rows)
    return known


async def record_poll(connection: AsyncConnection, record: PollRecord) -> PollOutcome:
    """Apply one poll's result: feed row, entries, topics and outbox rows, all or nothing.

    Runs inside the caller's (write) transaction. Only entries this call really inserted are
    queued, so a concurrent poll of the same feed cannot queue an entry twice (and the
    outbox's unique (chat, entry) would stop it anyway).
    """
    await connection.execute(
        update(feeds).where(feeds.c.id == record.feed_id).values(**_feed_values(record))
    )
    inserted = await _insert_entries(connection, record)
    if record.updated:
        await _update_entries(connection, record)
    if record.seen:
        await _touch_entries(connection, record.feed_id, record.seen, record.checked_at)
    to_queue = [inserted[key] for key in one_per_story(record) if key in inserted]
    queued = 0
    if to_queue:
        queued = await enqueue(connection, to_queue, record.checked_at, record.dedup_since)
        queued -= await drop_filtered(connection, to_queue, record.checked_at)
    chats_reached = await _chats_queued_for(connection, to_queue) if queued else 0
    return PollOutcome(new_entries=len(inserted), queued=queued, chats=chats_reached)


async def _chats_queued_for(connection: AsyncConnection, entry_ids: Sequence[int]) -> int:
    """How many chats the (new) entries were queued for."""
    reached: set[int] = set()
    for part in chunks(entry_ids):
        rows = await connection.execute(
            select(outbox.c.chat_id).where(outbox.c.entry_id.in_(part)).distinct()
        )
        reached.update(rows.scalars())
    return len(reached)


async def chats_queued_since(connection: AsyncConnection, since: datetime) -> int:
    """How many chats got deliveries queued since ``since`` (``poll --once``'s summary)."""
    value = (
        await connection.execute(
            select(func.count(func.distinct(outbox.c.chat_id))).where(outbox.c.created_at >= since)
        )
    ).scalar()
    return int(value or 0)


async def record_polls(
    connection: AsyncConnection, records: Sequence[PollRecord]
) -> list[PollOutcome]:
    """:func:`record_poll` for many polls in the caller's one transaction, in order.

    Polls that only touch their feed row (304, same document, errors: most of them) are
    written with one ``executemany`` per set of changed columns instead of one statement
    each; the others go through :func:`record_poll`.
    """
    outcomes: list[PollOutcome] = []
    rows: dict[tuple[str, ...], list[dict[str, Any]]] = {}  # changed columns -> parameters
    feed_ids: set[int] = set()

    async def flush() -> None:  # keeps the order of writes to any one feed row
        for names, params in rows.items():
            await connection.execute(
                update(feeds)
                .where(feeds.c.id == bindparam("b_id"))
                .values({name: bindparam(f"b_{name}") for name in names}),
                params,
            )
        rows.clear()
        feed_ids.clear()

    for record in records:
        if record.new or record.updated or record.seen or record.feed_id in feed_ids:
            await flush()
        if record.new or record.updated or record.seen:
            outcomes.append(await record_poll(connection, record))
            continue
        values = _feed_values(record)
        rows.setdefault(tuple(values), []).append(
            {"b_id": record.feed_id, **{f"b_{name}": value for name, value in values.items()}}
        )
        feed_ids.add(record.feed_id)
        outcomes.append(PollOutcome(new_entries=0, queued=0))
    await flush()
    return outcomes


def _feed_values(record: PollRecord) -> dict[str, Any]:
    values: dict[str, Any] = {
        "last_checked_at": record.checked_at,
        "next_check_at": record.schedule.next_check_at,
        "error_count": record.schedule.error_count,
        "http_status": record.http_status,
        "claimed_by": None,
    }
    if record.error is not None:
        values.update(last_error=record.error[:1000], last_error_at=record.checked_at)
        return values
    values.update(
        last_error=None,
        last_success_at=record.checked_at,
        etag=record.validators.etag,
        last_modified=record.validators.last_modified,
    )
    if record.status is FetchStatus.OK:
        values.update(body_hash=record.body_hash, final_url=record.final_url)
    if record.feed_title is not None:
        values.update(title=record.feed_title, site_link=record.site_link)
    if record.entry_count is not None:
        values["entry_count"] = record.entry_count
    if record.new:
        values["last_new_at"] = record.checked_at
    return values


async def _insert_entries(connection: AsyncConnection, record: PollRecord) -> dict[str, int]:
    if not record.new:
        return {}
    now = record.checked_at
    rows = []
    sort_at: dict[str, datetime] = {}
    for position, write in enumerate(record.new):
        entry = write.entry
        sort_at[entry.key] = sort_time(entry.published, position, now)
        rows.append(
            {
                "feed_id": record.feed_id,
                "key": entry.key,
                "title": entry.title,
                "link": entry.link,
                "canonical_link": canonical_link(entry.link),
                "published_at": entry.published,
                "sort_at": sort_at[entry.key],
                "first_seen_at": now,
                "last_seen_at": now,
                "content_hash": entry.content_hash,
                "text": entry.text,
            }
        )
    statement = insert_ignoring_duplicates(connection, entries).returning(
        entries.c.id, entries.c.key
    )
    inserted = {key: entry_id for entry_id, key in await connection.execute(statement, rows)}
    topic_rows = [
        (inserted[write.entry.key], name, sort_at[write.entry.key])
        for write in record.new
        if write.entry.key in inserted
        for name in write.topics
    ]
    await _insert_entry_topics(connection, topic_rows)
    return inserted


async def _insert_entry_topics(
    connection: AsyncConnection, rows: Sequence[tuple[int, str, datetime]]
) -> None:
    if not rows:
        return
    # A topic new to us is stored as this poll spells it most often (on a tie, as its oldest
    # entry does); one we know keeps the spelling it has.
    uses = Counter(name for _, name, _ in rows)
    oldest: dict[str, datetime] = {}
    for _, name, at in rows:
        oldest[name] = min(oldest.get(name, at), at)
    ids = await ensure_topic_ids(connection, sorted(uses, key=lambda n: (-uses[n], oldest[n])))
    await connection.execute(
        insert_ignoring_duplicates(connection, entry_topics),
        [{"entry_id": e, "topic_id": ids[name], "sort_at": at} for e, name, at in rows],
    )


async def _update_entries(connection: AsyncConnection, record: PollRecord) -> None:
    """Edited entries: new content in place, topics replaced; never queued again. When the
    title or text changed as a reader sees it (not only whitespace), ``updated_at`` moves
    and the messages that show the entry are queued for an edit (``bot.store.edits``)."""
    now = record.checked_at
    keys = [write.entry.key for write in record.updated]
    rows = await connection.execute(
        select(
            entries.c.key, entries.c.id, entries.c.sort_at, entries.c.title, entries.c.text
        ).where(entries.c.feed_id == record.feed_id, entries.c.key.in_(keys))
    )
    stored = {row.key: row for row in rows}
    writes = [w for w in record.updated if w.entry.key in stored]
    changed = [
        stored[w.entry.key].id
        for w in writes
        if not reads_the_same(stored[w.entry.key].title, w.entry.title)
        or not reads_the_same(stored[w.entry.key].text, w.entry.text)
    ]
    await connection.execute(
        update(entries)
        .where(entries.c.id == bindparam("b_id"))
        .values(
            title=bindparam("b_title"),
            link=bindparam("b_link"),
            canonical_link=bindparam("b_canonical"),
            published_at=bindparam("b_published"),
            content_hash=bindparam("b_hash"),
            text=bindparam("b_text"),
            last_seen_at=now,
            pruned=False,
        ),
        [
            {
                "b_id": stored[w.entry.key].id,
                "b_title": w.entry.title,
                "b_link": w.entry.link,
                "b_canonical": canonical_link(w.entry.link),
                "b_published": w.entry.published,
                "b_hash": w.entry.content_hash,
                "b_text": w.entry.text,
            }
            for w in writes
        ],
    )
    for part in chunks(changed):
        await connection.execute(
            update(entries).where(entries.c.id.in_(part)).values(updated_at=now)
        )
    await queue_for_entries(connection, changed, now)
    ids = [row.id for row in stored.values()]
    for part in chunks(ids):
        await connection.execute(delete(entry_topics).where(entry_topics.c.entry_id.in_(part)))
    await _insert_entry_topics(
        connection,
        [
            (stored[w.entry.key].id, name, stored[w.entry.key].sort_at)
            for w in writes
            for name in w.topics
        ],
    )


async def _touch_entries(
    connection: AsyncConnection, feed_id: int, keys: Sequence[str], now: datetime
) -> None:
    for part in chunks(keys):
        await connection.execute(
            update(entries)
            .where(entries.c.feed_id == feed_id, entries.c.key.in_(part))
            .values(last_seen_at=now)
        )
