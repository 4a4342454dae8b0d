"""Cross-feed dedup in storage: the same story from a second feed is not queued again."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.store import Store
from tests.factories import parsed
from tests.test_store import add_feed, record, subscriber

pytestmark = pytest.mark.store

WEEK = timedelta(days=7)
STORY = "https://news.example/2026/12/big-story"


async def two_feeds(store: Store, now: datetime) -> tuple[int, int]:
    first = await add_feed(store, now, "https://feeds.example/a.xml")
    second = await add_feed(store, now, "https://feeds.example/b.xml")
    return first, second


def poll(feed_id: int, now: datetime, title: str, *entries, dedup: bool = True):  # type: ignore[no-untyped-def]
    base = record(feed_id, now, [(e, ()) for e in entries])
    return replace(base, feed_title=title, dedup_since=now - WEEK if dedup else None)


async def test_the_same_story_from_another_feed_is_not_queued_and_is_named(
    store: Store, now: datetime
) -> None:
    feed_a, feed_b = await two_feeds(store, now)
    chat = await subscriber(store, 1, now)
    a = parsed("a1", link=f"{STORY}?utm_source=rss", title="Big story")
    b = parsed("b1", link="http://www.news.example/2026/12/big-story/?from=feed&spm=1")
    assert (await store.record_poll(poll(feed_a, now, "Feed A", a))).queued == 1
    later = now + timedelta(minutes=5)
    outcome = await store.record_poll(poll(feed_b, later, "Feed B", b))
    assert (outcome.new_entries, outcome.queued) == (1, 0)
    (delivery,) = await store.claim_deliveries(later, timedelta(minutes=1), max_chats=5, per_chat=5)
    assert delivery.chat.id == chat.id
    assert [(e.title, e.also_in) for e in delivery.entries] == [("Big story", ("Feed B",))]


async def test_a_chat_without_the_first_copy_still_gets_the_second(
    store: Store, now: datetime
) -> None:
    feed_a, feed_b = await two_feeds(store, now)
    await subscriber(store, 1, now, ("ml",))
    await subscriber(store, 2, now)
    a = parsed("a1", link=STORY)
    b = parsed("b1", link=STORY + "?fbclid=abc")
    news = replace(record(feed_a, now, [(a, ("news",))]), dedup_since=now - WEEK)
    assert (await store.record_poll(news)).queued == 1  # chat 2 only: chat 1 takes ml
    ml = replace(record(feed_b, now, [(b, ("ml",))]), feed_title="Feed B", dedup_since=now - WEEK)
    assert (await store.record_poll(ml)).queued == 1  # chat 1 (ml) had none; chat 2 has one


async def test_different_paths_with_the_same_title_are_different_stories(
    store: Store, now: datetime
) -> None:
    feed_a, feed_b = await two_feeds(store, now)
    await subscriber(store, 1, now)
    a = parsed("a1", link="https://news.example/one", title="Weekly notes")
    b = parsed("b1", link="https://news.example/two", title="Weekly notes")
    assert (await store.record_poll(poll(feed_a, now, "Feed A", a))).queued == 1
    assert (await store.record_poll(poll(feed_b, now, "Feed B", b))).queued == 1


async def test_after_the_window_the_story_is_sent_again(store: Store, now: datetime) -> None:
    feed_a, feed_b = await two_feeds(store, now)
    await subscriber(store, 1, now)
    await store.record_poll(poll(feed_a, now, "Feed A", parsed("a1", link=STORY)))
    later = now + WEEK + timedelta(hours=1)
    again = await store.record_poll(poll(feed_b, later, "Feed B", parsed("b1", link=STORY)))
    assert again.queued == 1


async def test_dedup_off_queues_every_copy(store: Store, now: datetime) -> None:
    feed_a, feed_b = await two_feeds(store, now)
    await subscriber(store, 1, now)
    await store.record_poll(poll(feed_a, now, "Feed A", parsed("a1", link=STORY), dedup=False))
    off = poll(feed_b, now, "Feed B", parsed("b1", link=STORY), dedup=False)
    assert (await store.record_poll(off)).queued == 1


async def test_one_feed_listing_a_story_twice_queues_it_once(store: Store, now: datetime) -> None:
    feed_a, _ = await two_feeds(store, now)
    await subscriber(store, 1, now)
    twice = poll(
        feed_a, now, "Feed A", parsed("a1", link=STORY), parsed("a2", link=STORY + "?xtor=RSS")
    )
    outcome = await store.record_poll(twice)
    assert (outcome.new_entries, outcome.queued) == (2, 1)


async def test_a_muted_feed_is_not_queued_for_that_chat_only(store: Store, now: datetime) -> None:
    feed_a, feed_b = await two_feeds(store, now)
    muter = await subscriber(store, 1, now)
    await subscriber(store, 2, now)
    await store.set_muted(muter.id, feed_a, True)
    await store.set_muted(muter.id, feed_a, True)  # twice: no error, no change
    assert (await store.record_poll(poll(feed_a, now, "A", parsed("a1")))).queued == 1
    assert (await store.record_poll(poll(feed_b, now, "B", parsed("b1")))).queued == 2
    await store.set_muted(muter.id, feed_a, False)
    assert (await store.record_poll(poll(feed_a, now, "A", parsed("a2")))).queued == 2
