"""The feed list in the database: config feeds synced and removed, chat feeds kept, pauses."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Connection, text

from bot.domain import FeedSpec
from bot.store import Store
from bot.store.engine import WRITE
from bot.store.migrate import alembic_config

pytestmark = pytest.mark.store

A, B, C = "https://a.example/feed", "https://b.example/feed", "https://c.example/feed"


async def urls(store: Store) -> dict[str, str]:
    return {feed.url: feed.managed_by for feed in await store.followed_feeds()}


async def test_config_feeds_removed_from_the_file_go_and_chat_feeds_stay(
    store: Store, now: datetime
) -> None:
    await store.sync_feeds([FeedSpec(A, None, ("ml",)), FeedSpec(B, "Bee")], now)
    assert await store.add_feed(C, None, ["rl"], now) is not None
    assert await store.add_feed(A, None, [], now) is None  # followed already
    assert await urls(store) == {A: "config", B: "config", C: "chat"}
    await store.sync_feeds([FeedSpec(B, "Bee")], now)  # A left the file
    assert await urls(store) == {B: "config", C: "chat"}
    await store.sync_feeds([FeedSpec(B, "Bee"), FeedSpec(C, None)], now)  # the file takes C
    assert await urls(store) == {B: "config", C: "config"}
    [feed] = await store.find_feeds("bee")
    assert feed.url == B


async def test_a_paused_feed_is_not_claimed_and_resumes_due_now(
    store: Store, now: datetime
) -> None:
    feed_id = await store.add_feed(A, "Alpha", ["ml"], now)
    assert feed_id is not None
    assert await store.set_paused(feed_id, True, now)
    assert not await store.set_paused(feed_id, True, now)  # already paused
    assert await store.claim_due_feeds(now, 10, timedelta(minutes=1)) == []
    assert await store.set_paused(feed_id, False, now + timedelta(minutes=1))
    [claimed] = await store.claim_due_feeds(now + timedelta(minutes=1), 10, timedelta(minutes=1))
    assert (claimed.url, claimed.topics, claimed.first_fetch) == (A, ("ml",), True)


async def test_feeds_asked_for_join_the_cycle_running_now_first_in_line(
    store: Store, now: datetime
) -> None:
    # B and C are due long before the cycle starts; A is added, and C asked for, after it
    # started: a cycle leaves what falls due later to the next one, but not those two
    await store.sync_feeds([FeedSpec(B, None), FeedSpec(C, None)], now - timedelta(hours=1))
    cycle_start, later = now, now + timedelta(minutes=3)
    [claimed_b] = await store.claim_due_feeds(
        cycle_start, 1, timedelta(minutes=1), None, cycle_start
    )
    assert claimed_b.url == B
    feed_id = await store.add_feed(A, None, [], later)
    assert feed_id is not None
    [c] = [feed for feed in await store.followed_feeds() if feed.url == C]
    assert await store.check_now(c.id)
    claimed = await store.claim_due_feeds(later, 10, timedelta(minutes=1), None, cycle_start)
    assert {feed.url for feed in claimed} == {A, C}
    # resumed after the start: in this cycle too
    assert await store.set_paused(feed_id, True, later)
    assert await store.set_paused(feed_id, False, later)
    [resumed] = await store.claim_due_feeds(later, 10, timedelta(minutes=1), None, cycle_start)
    assert resumed.url == A


async def test_a_removed_feed_added_again_has_a_silent_first_fetch(
    store: Store, now: datetime
) -> None:
    feed_id = await store.add_feed(A, None, [], now)
    assert feed_id is not None
    assert await store.remove_feed(feed_id)
    assert not await store.remove_feed(feed_id)
    assert await store.followed_feeds() == []
    assert await store.add_feed(A, None, ["ml"], now) == feed_id
    [claimed] = await store.claim_due_feeds(now, 10, timedelta(minutes=1))
    assert claimed.first_fetch


async def test_the_migration_marks_existing_feeds_as_the_configs(database_url: str) -> None:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.store.engine import create_engine

    engine: AsyncEngine = create_engine(database_url)

    def to_0002_with_a_feed(connection: Connection) -> None:
        from alembic import command

        command.upgrade(alembic_config(connection), "0002")
        connection.execute(
            text(
                "INSERT INTO feeds (url, created_at, next_check_at) "
                "VALUES ('https://old.example/feed', '2026-01-01', '2026-01-01')"
            )
        )

    async with engine.connect() as connection:
        connection = await connection.execution_options(**{WRITE: True})
        async with connection.begin():
            await connection.run_sync(to_0002_with_a_feed)
    await engine.dispose()
    store = await Store.open(database_url)
    try:
        [feed] = await store.followed_feeds()
        assert (feed.url, feed.managed_by, feed.paused) == (
            "https://old.example/feed",
            "config",
            False,
        )
    finally:
        await store.close()


async def set_errors(store: Store, feed_id: int, count: int, at: datetime | None) -> None:
    from sqlalchemy import update

    from bot.store.tables import feeds

    async with store._engine.begin() as connection:
        await connection.execute(
            update(feeds)
            .where(feeds.c.id == feed_id)
            .values(error_count=count, last_error="HTTP 503" if count else None, last_error_at=at)
        )


async def test_alerts_come_once_per_failure_once_a_day_and_recoveries_once(
    store: Store, now: datetime
) -> None:
    after = timedelta(hours=6)
    feed_id = await store.add_feed(A, "Alpha", [], now)
    assert feed_id is not None
    await set_errors(store, feed_id, 1, now)
    assert await store.claim_alerts(now, after) == []  # failing, but not for long
    later = now + timedelta(hours=7)
    [alert] = await store.claim_alerts(later, after)
    assert (alert.name, alert.recovered, alert.since, alert.last_error) == (
        "Alpha",
        False,
        now,
        "HTTP 503",
    )
    assert await store.claim_alerts(later + timedelta(hours=1), after) == []  # told already
    await set_errors(store, feed_id, 0, None)
    [back] = await store.claim_alerts(later + timedelta(hours=2), after)
    assert back.recovered
    assert await store.claim_alerts(later + timedelta(hours=2), after) == []
    # failing again the same day: no second alert until a day after the first
    await set_errors(store, feed_id, 3, later + timedelta(hours=3))
    assert await store.claim_alerts(later + timedelta(hours=10), after) == []
    [again] = await store.claim_alerts(later + timedelta(days=1, hours=1), after)
    assert not again.recovered
    # a paused feed is not alerted about
    await set_errors(store, feed_id, 0, None)
    await store.claim_alerts(later + timedelta(days=1, hours=2), after)
    await store.set_paused(feed_id, True, now)
    await set_errors(store, feed_id, 1, later + timedelta(days=3))
    assert await store.claim_alerts(later + timedelta(days=5), after) == []


async def test_an_import_adds_new_and_removed_feeds_and_skips_followed_ones(
    store: Store, now: datetime
) -> None:
    await store.sync_feeds([FeedSpec(A, None)], now)
    gone = await store.add_feed(B, None, [], now)
    assert gone is not None
    await store.remove_feed(gone)
    specs = [FeedSpec(A, "A"), FeedSpec(B, "Bee", ("x",)), FeedSpec(C, "Sea"), FeedSpec(C, "Sea")]
    added, skipped = await store.import_feeds(specs, now)
    assert (added, skipped) == ([B, C], [A])
    assert await urls(store) == {A: "config", B: "chat", C: "chat"}
    assert {feed.url: feed.name for feed in await store.followed_feeds()}[B] == "Bee"
