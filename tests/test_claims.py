"""Claims belong to a live process: a dead one's are taken back in seconds, not a lease."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import utcnow
from bot.domain import FeedSpec
from bot.store import Store
from bot.store.processes import ALIVE_WITHIN
from tests.test_sender import chat, queue, rows

pytestmark = pytest.mark.store

LONG_LEASE = timedelta(minutes=2)


async def claim(store: Store, owner: str, at_offset: timedelta = timedelta()) -> int:
    claimed = await store.claim_deliveries(
        utcnow() + at_offset, LONG_LEASE, max_chats=10, per_chat=10, owner=owner
    )
    return sum(len(d.outbox_ids) for d in claimed)


async def test_a_live_owners_claim_holds_and_a_dead_owners_is_free_after_its_heartbeat(
    store: Store,
) -> None:
    await chat(store, 21)
    await chat(store, 22)
    await queue(store, 2)
    await store.register_process("alive", utcnow())
    await store.register_process("dead", utcnow() - timedelta(minutes=1))  # no heartbeat since
    await store.heartbeat("alive", utcnow())
    assert await claim(store, "alive") == 4
    assert await claim(store, "other") == 0  # held by a process that beats
    # the same rows, claimed by a process that stopped beating, are free at once
    await store.release([row.id for row in await rows(store)])
    assert await claim(store, "dead") == 4
    assert await claim(store, "other") == 4


async def test_a_claim_is_taken_back_once_the_heartbeat_is_older_than_alive_within(
    store: Store,
) -> None:
    await chat(store, 23)
    await queue(store, 1)
    await store.register_process("p1", utcnow())
    assert await claim(store, "p1") == 1
    assert await claim(store, "p2", ALIVE_WITHIN / 2) == 0
    assert await claim(store, "p2", ALIVE_WITHIN + timedelta(seconds=1)) == 1
    assert "p1" not in await store.live_processes(utcnow() + ALIVE_WITHIN * 2)


async def test_on_sqlite_a_process_that_starts_takes_back_every_claim(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("on PostgreSQL claims come back by heartbeat, not at start")
    await chat(store, 24)
    await queue(store, 3)
    assert await claim(store, "before-the-crash") == 3
    assert await store.register_process("restarted", utcnow()) == 3
    assert await claim(store, "restarted") == 3


async def test_a_retired_process_no_longer_holds_anything(store: Store) -> None:
    await chat(store, 25)
    await queue(store, 1)
    await store.register_process("gone", utcnow())
    assert await claim(store, "gone") == 1
    await store.retire_process("gone")
    assert await claim(store, "next") == 1


FEED = "https://claims.example/feed.xml"


async def test_a_feed_held_by_a_dead_poller_is_due_again_once_its_heartbeat_stops(
    store: Store,
) -> None:
    now = utcnow()
    await store.sync_feeds([FeedSpec(url=FEED, name="Claims")], now)
    await store.register_process("poller", now)
    (feed,) = await store.claim_due_feeds(now, 10, timedelta(minutes=10), "poller")
    assert feed.url == FEED
    assert await store.claim_due_feeds(now + ALIVE_WITHIN / 2, 10, timedelta(1), "other") == []
    later = now + ALIVE_WITHIN + timedelta(seconds=1)  # no heartbeat since: taken for dead
    (again,) = await store.claim_due_feeds(later, 10, timedelta(minutes=10), "other")
    assert again.url == FEED


async def test_on_sqlite_a_restart_makes_feeds_polled_at_the_crash_due_at_once(
    store: Store,
) -> None:
    if store.dialect != "sqlite":
        pytest.skip("on PostgreSQL feeds come back by heartbeat, not at start")
    now = utcnow()
    await store.sync_feeds([FeedSpec(url=FEED, name="Claims")], now)
    assert len(await store.claim_due_feeds(now, 10, timedelta(minutes=10), "crashed")) == 1
    await store.register_process("restarted", now)
    assert len(await store.claim_due_feeds(now, 10, timedelta(minutes=10), "restarted")) == 1
