"""The followed feeds as admins manage them: add, find, remove, pause, list, check now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, false, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import FeedSpec
from bot.store.feeds import join_topics, split_topics
from bot.store.sql import chunks, insert_ignoring_duplicates
from bot.store.tables import CHAT, feeds

#: ``next_check_at`` of a feed an admin wants checked at once (/add, /resume, Check now):
#: before the start of any poll cycle, so the cycle running now takes it too (a cycle
#: leaves feeds that fall due after its start to the next one), and first in line
ASKED_FOR = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FollowedFeed:
    """One feed the bot follows, as /feeds, /sources and the CLI show it."""

    id: int
    url: str
    name: str  #: the given name, else the feed's own title, else the URL
    topics: tuple[str, ...]
    managed_by: str  #: "config" or "chat"
    paused: bool
    entry_count: int
    last_success_at: datetime | None
    next_check_at: datetime
    error_count: int
    last_error: str | None
    last_error_at: datetime | None


_COLUMNS = (
    feeds.c.id,
    feeds.c.url,
    feeds.c.name,
    feeds.c.title,
    feeds.c.topics,
    feeds.c.managed_by,
    feeds.c.paused,
    feeds.c.entry_count,
    feeds.c.last_success_at,
    feeds.c.next_check_at,
    feeds.c.error_count,
    feeds.c.last_error,
    feeds.c.last_error_at,
)


def _followed(r: Row[*tuple[Any, ...]]) -> FollowedFeed:
    return FollowedFeed(
        id=r.id,
        url=r.url,
        name=r.name or r.title or r.url,
        topics=split_topics(r.topics),
        managed_by=r.managed_by,
        paused=bool(r.paused),
        entry_count=r.entry_count,
        last_success_at=r.last_success_at,
        next_check_at=r.next_check_at,
        error_count=r.error_count,
        last_error=r.last_error,
        last_error_at=r.last_error_at,
    )


async def followed_feeds(connection: AsyncConnection) -> list[FollowedFeed]:
    """Every followed feed (paused ones too), by name."""
    rows = await connection.execute(
        select(*_COLUMNS).where(feeds.c.configured == true()).order_by(feeds.c.id)
    )
    return sorted(map(_followed, rows), key=lambda feed: (feed.name.casefold(), feed.id))


async def followed_feed(connection: AsyncConnection, feed_id: int) -> FollowedFeed | None:
    row = (
        await connection.execute(
            select(*_COLUMNS).where(feeds.c.id == feed_id, feeds.c.configured == true())
        )
    ).first()
    return _followed(row) if row is not None else None


async def find_feeds(connection: AsyncConnection, ref: str) -> list[FollowedFeed]:
    """The followed feeds whose URL is ``ref``, else whose name or title is (any case)."""
    ref = ref.strip()
    by_url = await connection.execute(
        select(*_COLUMNS).where(feeds.c.configured == true(), feeds.c.url == ref)
    )
    found = [_followed(row) for row in by_url]
    if found:
        return found
    folded = ref.casefold()
    rows = await connection.execute(
        select(*_COLUMNS).where(
            feeds.c.configured == true(),
            or_(func.lower(feeds.c.name) == ref.lower(), func.lower(feeds.c.title) == ref.lower()),
        )
    )
    candidates = [_followed(row) for row in rows]
    # lower() in SQL folds ASCII only on SQLite: confirm with Python's casefold
    return [feed for feed in candidates if feed.name.casefold() == folded] or candidates


async def add_feed(
    connection: AsyncConnection,
    url: str,
    name: str | None,
    topics: Sequence[str],
    now: datetime,
) -> int | None:
    """Follow ``url`` (managed in chat), due now; its first fetch is silent. None: it is
    followed already. A feed removed before comes back with its stored entries known, so
    nothing it had is announced again."""
    row = (
        await connection.execute(select(feeds.c.id, feeds.c.configured).where(feeds.c.url == url))
    ).first()
    values = {
        "name": name,
        "topics": join_topics(topics),
        "managed_by": CHAT,
        "paused": False,
        "next_check_at": ASKED_FOR,
    }
    if row is None:
        await connection.execute(
            insert_ignoring_duplicates(connection, feeds),
            [{"url": url, "created_at": now, **values}],
        )
        added = (await connection.execute(select(feeds.c.id).where(feeds.c.url == url))).first()
        return int(added.id) if added is not None else None
    if row.configured:
        return None
    fresh = {"etag": None, "last_modified": None, "body_hash": None, "last_success_at": None}
    reset = {"error_count": 0, "last_error": None, "last_error_at": None, **fresh}
    await connection.execute(
        update(feeds).where(feeds.c.id == row.id).values(configured=True, **values, **reset)
    )
    return int(row.id)


async def remove_feed(connection: AsyncConnection, feed_id: int) -> bool:
    """Stop following the feed (its entries stay known). False: it was not followed."""
    result = await connection.execute(
        update(feeds)
        .where(feeds.c.id == feed_id, feeds.c.configured == true())
        .values(configured=False, paused=False)
    )
    return bool(result.rowcount)


async def set_paused(
    connection: AsyncConnection, feed_id: int, paused: bool, now: datetime
) -> bool:
    """Pause (no fetches) or resume (due now). False: the feed is not followed, or was
    already in that state."""
    values: dict[str, object] = {"paused": paused}
    if not paused:
        values["next_check_at"] = ASKED_FOR
    result = await connection.execute(
        update(feeds)
        .where(feeds.c.id == feed_id, feeds.c.configured == true(), feeds.c.paused == (not paused))
        .values(**values)
    )
    return bool(result.rowcount)


async def check_now(connection: AsyncConnection, feed_id: int) -> bool:
    """The feed becomes due at once, in the cycle running now if there is one (if followed
    and not paused)."""
    result = await connection.execute(
        update(feeds)
        .where(feeds.c.id == feed_id, feeds.c.configured == true(), feeds.c.paused == false())
        .values(next_check_at=ASKED_FOR)
    )
    return bool(result.rowcount)


async def import_feeds(
    connection: AsyncConnection, specs: Sequence[FeedSpec], now: datetime
) -> tuple[list[str], list[str]]:
    """Follow each feed not followed yet (as :func:`add_feed`), all in one transaction;
    (the URLs added, the URLs skipped as followed already). New feeds go in one statement."""
    unique = list({spec.url: spec for spec in specs}.values())
    followed: dict[str, bool] = {}
    for part in chunks([spec.url for spec in unique]):
        rows = await connection.execute(
            select(feeds.c.url, feeds.c.configured).where(feeds.c.url.in_(part))
        )
        followed.update((row.url, bool(row.configured)) for row in rows)
    fresh = [spec for spec in unique if spec.url not in followed]
    if fresh:
        await connection.execute(
            insert_ignoring_duplicates(connection, feeds),
            [
                {
                    "url": spec.url,
                    "name": spec.name,
                    "topics": join_topics(spec.topics),
                    "managed_by": CHAT,
                    "created_at": now,
                    "next_check_at": now,
                }
                for spec in fresh
            ],
        )
    revived = [spec for spec in unique if followed.get(spec.url) is False]
    for spec in revived:  # removed before: followed again (rare; one at a time)
        await add_feed(connection, spec.url, spec.name, spec.topics, now)
    added = {spec.url for spec in (*fresh, *revived)}
    return (
        [spec.url for spec in unique if spec.url in added],
        [spec.url for spec in unique if spec.url not in added],
    )
