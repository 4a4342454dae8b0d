"""Storage behaviour on a real database (SQLite file; PostgreSQL in CI's second pass)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.domain import (
    EntryWrite,
    FeedSchedule,
    FeedSpec,
    FetchStatus,
    ParsedEntry,
    PollRecord,
    TopicChoice,
)
from bot.store import ChannelSpec, Store
from tests.factories import parsed

pytestmark = pytest.mark.store

URL = "https://feeds.example/a.xml"


async def add_feed(store: Store, now: datetime, url: str = URL) -> int:
    await store.sync_feeds([FeedSpec(url=url, name=None)], now)
    (feed,) = [
        f for f in await store.claim_due_feeds(now, 10, timedelta(minutes=5)) if f.url == url
    ]
    return feed.id


def record(
    feed_id: int,
    now: datetime,
    new: list[tuple[ParsedEntry, tuple[str, ...]]] = (),  # type: ignore[assignment]
    *,
    notify: bool = True,
    updated: list[ParsedEntry] = (),  # type: ignore[assignment]
    seen: tuple[str, ...] = (),
) -> PollRecord:
    writes = tuple(EntryWrite(entry=e, topics=t) for e, t in new)
    return PollRecord(
        feed_id=feed_id,
        checked_at=now,
        schedule=FeedSchedule(next_check_at=now + timedelta(minutes=10), error_count=0),
        status=FetchStatus.OK,
        body_hash="h",
        feed_title="Feed A",
        entry_count=len(writes),
        new=writes,
        updated=tuple(EntryWrite(entry=e, topics=()) for e in updated),
        seen=seen,
        notify=tuple(w.entry.key for w in writes) if notify else (),
    )


async def subscriber(store: Store, tg_id: int, now: datetime, topics: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    chat = await store.ensure_chat(tg_id, "private", f"user {tg_id}", now)
    await store.set_active(chat.id, True, now)
    await store.set_topics(chat.id, all_topics=not topics, names=topics, now=now)
    return await store.chat(tg_id)


async def test_migrations_are_idempotent(database_url: str) -> None:
    first = await Store.open(database_url)
    await first.close()
    again = await Store.open(database_url)  # a second start upgrades nothing and fails nothing
    assert (await again.stats()).feeds == 0
    await again.close()


async def test_first_claim_is_a_first_fetch_and_the_lease_hides_the_feed(
    store: Store, now: datetime
) -> None:
    await store.sync_feeds([FeedSpec(url=URL, name="A")], now)
    (feed,) = await store.claim_due_feeds(now, 10, timedelta(minutes=5))
    assert feed.first_fetch
    assert feed.name == "A"
    assert await store.claim_due_feeds(now, 10, timedelta(minutes=5)) == []
    assert len(await store.claim_due_feeds(now + timedelta(minutes=6), 10, timedelta(1))) == 1


async def test_new_entries_are_queued_only_for_chats_that_want_their_topics(
    store: Store, now: datetime
) -> None:
    feed_id = await add_feed(store, now)
    everything = await subscriber(store, 1, now)
    ml_only = await subscriber(store, 2, now, ("ml",))
    python_only = await subscriber(store, 3, now, ("python",))
    outcome = await store.record_poll(
        record(feed_id, now, [(parsed("e1"), ("ml",)), (parsed("e2"), ("news",))])
    )
    assert outcome.new_entries == 2
    assert outcome.queued == 3  # e1 -> everything, ml_only; e2 -> everything
    deliveries = await store.claim_deliveries(now, timedelta(minutes=1), max_chats=10, per_chat=10)
    by_chat = {d.chat.id: sorted(e.title for e in d.entries) for d in deliveries}
    assert by_chat == {everything.id: ["Title e1", "Title e2"], ml_only.id: ["Title e1"]}
    assert python_only.id not in by_chat


async def test_recording_the_same_entries_again_queues_nothing(store: Store, now: datetime) -> None:
    feed_id = await add_feed(store, now)
    await subscriber(store, 1, now)
    first = await store.record_poll(record(feed_id, now, [(parsed("e1"), ())]))
    again = await store.record_poll(record(feed_id, now, [(parsed("e1"), ())]))
    assert (first.queued, again.queued, again.new_entries) == (1, 0, 0)
    assert (await store.queue_counts())["pending"] == 1


async def test_known_entries_and_edits(store: Store, now: datetime) -> None:
    feed_id = await add_feed(store, now)
    entry = parsed("e1", text="first")
    await store.record_poll(record(feed_id, now, [(entry, ("ml",))]))
    assert await store.known_entries(feed_id, ["e1", "zz"]) == {"e1": entry.content_hash}
    edited = parsed("e1", text="second version")
    later = now + timedelta(minutes=10)
    outcome = await store.record_poll(record(feed_id, later, updated=[edited]))
    assert outcome.queued == 0
    assert await store.known_entries(feed_id, ["e1"]) == {"e1": edited.content_hash}
    page = await store.latest_page(None, 1, 5)
    assert [v.text for v in page.entries] == ["second version"]


async def test_latest_pages_newest_first_with_bounded_page_count(
    store: Store, now: datetime
) -> None:
    feed_id = await add_feed(store, now)
    entries = [
        (parsed(f"e{i:02}", published=now - timedelta(hours=i)), ("ml",) if i % 2 else ())
        for i in range(40)
    ]
    await store.record_poll(record(feed_id, now, entries))
    first = await store.latest_page(None, 1, 5)
    assert [v.title for v in first.entries] == [f"Title e{i:02}" for i in range(5)]
    assert (first.known_pages, first.has_more) == (6, True)  # counted 5 pages past page 1
    last = await store.latest_page(None, 8, 5)
    assert [v.title for v in last.entries][-1] == "Title e39"
    assert (last.known_pages, last.has_more) == (8, False)
    ml = await store.latest_page(["ml"], 1, 5)
    assert all("ml" in v.topics for v in ml.entries)
    assert ml.entries[0].title == "Title e01"
    assert (await store.latest_page(["unknown topic"], 1, 5)).entries == ()


async def test_multi_topic_filter_lists_an_entry_once(store: Store, now: datetime) -> None:
    feed_id = await add_feed(store, now)
    await store.record_poll(record(feed_id, now, [(parsed("both"), ("ml", "python"))]))
    page = await store.latest_page(["ml", "python"], 1, 5)
    assert [v.title for v in page.entries] == ["Title both"]


async def test_lease_expiry_returns_rows_and_sent_rows_stay_sent(
    store: Store, now: datetime
) -> None:
    feed_id = await add_feed(store, now)
    await subscriber(store, 1, now)
    await store.record_poll(record(feed_id, now, [(parsed("e1"), ())]))
    lease = timedelta(seconds=30)
    (claimed,) = await store.claim_deliveries(now, lease, max_chats=5, per_chat=5)
    assert await store.claim_deliveries(now, lease, max_chats=5, per_chat=5) == []
    # the sender "died": after the lease the row is claimed again, nothing is lost
    (again,) = await store.claim_deliveries(now + lease * 2, lease, max_chats=5, per_chat=5)
    assert again.outbox_ids == claimed.outbox_ids
    await store.mark_sent(again.outbox_ids, now, transmission_id=None, message_id=7)
    later = now + timedelta(hours=1)
    assert await store.claim_deliveries(later, lease, max_chats=5, per_chat=5) == []
    assert (await store.queue_counts())["sent"] == 1


async def test_deferred_chat_waits_and_others_go_on(store: Store, now: datetime) -> None:
    feed_id = await add_feed(store, now)
    slow = await subscriber(store, 1, now)
    other = await subscriber(store, 2, now)
    await store.record_poll(record(feed_id, now, [(parsed("e1"), ())]))
    await store.defer_chat(slow.id, now + timedelta(seconds=20))
    claimed = await store.claim_deliveries(now, timedelta(seconds=5), max_chats=5, per_chat=5)
    assert [d.chat.id for d in claimed] == [other.id]
    await store.mark_sent(claimed[0].outbox_ids, now, transmission_id=None, message_id=1)
    later = await store.claim_deliveries(
        now + timedelta(seconds=21), timedelta(seconds=5), max_chats=5, per_chat=5
    )
    assert [d.chat.id for d in later] == [slow.id]


async def test_deactivated_chat_fails_its_queue_with_the_reason(
    store: Store, now: datetime
) -> None:
    feed_id = await add_feed(store, now)
    chat = await subscriber(store, 1, now)
    await store.record_poll(record(feed_id, now, [(parsed("e1"), ()), (parsed("e2"), ())]))
    failed = await store.deactivate_chat(chat, "bot was blocked by the user", now)
    assert failed == 2
    counts = await store.queue_counts()
    assert (counts["pending"], counts["failed"]) == (0, 2)
    assert (await store.chat(1)).active is False  # type: ignore[union-attr]
    # a blocked chat gets nothing new queued
    assert (await store.record_poll(record(feed_id, now, [(parsed("e3"), ())]))).queued == 0


async def test_group_migration_keeps_settings_and_queue(store: Store, now: datetime) -> None:
    feed_id = await add_feed(store, now)
    group = await store.ensure_chat(-100, "group", "G", now)
    await store.set_active(group.id, True, now)
    await store.set_topics(group.id, all_topics=False, names=["ml"], now=now)
    await store.record_poll(record(feed_id, now, [(parsed("e1"), ("ml",))]))
    await store.migrate_chat(-100, -1001234567890, now)
    moved = await store.chat(-1001234567890)
    assert moved is not None
    assert moved.topics == ("ml",)
    assert moved.kind == "supergroup"
    (delivery,) = await store.claim_deliveries(now, timedelta(1), max_chats=5, per_chat=5)
    assert delivery.chat.send_target == -1001234567890


async def test_migration_into_an_existing_supergroup_row_moves_the_queue(
    store: Store, now: datetime
) -> None:
    feed_id = await add_feed(store, now)
    await subscriber(store, -100, now)
    await subscriber(store, -1005, now)
    await store.record_poll(record(feed_id, now, [(parsed("e1"), ())]))
    await store.migrate_chat(-100, -1005, now)
    (delivery,) = await store.claim_deliveries(now, timedelta(1), max_chats=5, per_chat=5)
    assert delivery.chat.tg_chat_id == -1005
    assert (await store.chat(-100)).active is False  # type: ignore[union-attr]


async def test_configured_channels_sync(store: Store, now: datetime) -> None:
    await store.sync_channels([ChannelSpec("@news_channel", ("ml",))], now)
    assert await store.unresolved_channels() == ["@news_channel"]
    await store.resolve_channel("@news_channel", -100777, "News")
    chat = await store.chat(-100777)
    assert chat is not None
    assert chat.topics == ("ml",)
    assert chat.active
    await store.sync_channels([], now)  # removed from the config: no more pushes
    assert (await store.chat(-100777)).active is False  # type: ignore[union-attr]


async def test_retired_feed_is_not_polled_and_readding_keeps_its_entries(
    store: Store, now: datetime
) -> None:
    feed_id = await add_feed(store, now)
    await store.record_poll(record(feed_id, now, [(parsed("e1"), ())]))
    await store.sync_feeds([], now)
    await store.make_feeds_due(now)
    assert await store.claim_due_feeds(now, 10, timedelta(1)) == []
    await store.sync_feeds([FeedSpec(url=URL, name=None)], now)
    await store.make_feeds_due(now)
    (feed,) = await store.claim_due_feeds(now, 10, timedelta(1))
    assert feed.id == feed_id
    assert not feed.first_fetch
    assert await store.known_entries(feed_id, ["e1"])


async def test_prune_drops_old_bodies_but_keeps_keys(store: Store, now: datetime) -> None:
    feed_id = await add_feed(store, now)
    old = now - timedelta(days=200)
    await store.record_poll(record(feed_id, old, [(parsed(f"e{i}"), ()) for i in range(150)]))
    result = await store.prune(now, keep_days=timedelta(days=90), keep_entries=20)
    assert result.bodies == 130
    assert result.keys == 0  # at least max(2 x 150, 100) keys stay
    assert len(await store.known_entries(feed_id, [f"e{i}" for i in range(150)])) == 150
    page = await store.latest_page(None, 1, 50)
    assert len(page.entries) == 20


async def test_times_come_back_as_aware_utc(store: Store, now: datetime) -> None:
    feed_id = await add_feed(store, now)
    published = now - timedelta(days=1, microseconds=5)
    await store.record_poll(record(feed_id, now, [(parsed("e1", published=published), ())]))
    (view,) = (await store.latest_page(None, 1, 5)).entries
    assert view.published == published
    assert view.published is not None
    assert view.published.utcoffset() == timedelta(0)


async def test_transmissions_belong_to_their_chat(store: Store, now: datetime) -> None:
    feed_id = await add_feed(store, now)
    chat = await subscriber(store, 1, now)
    await store.record_poll(record(feed_id, now, [(parsed("e1"), ()), (parsed("e2"), ())]))
    page = await store.latest_page(None, 1, 5)
    ids = [v.entry_id for v in page.entries]
    transmission = await store.create_transmission(chat.id, ids, now)
    assert await store.transmission_entries(transmission, chat.id) == ids
    assert await store.transmission_entries(transmission, chat.id + 1) is None
    assert await store.transmission_entries(transmission + 99, chat.id) is None


@pytest.mark.store
async def test_a_new_topic_is_stored_as_a_poll_spells_it_most_and_keeps_that_spelling(
    store: Store, now: datetime
) -> None:
    feed_id = await add_feed(store, now)
    hour = timedelta(hours=1)
    await store.record_poll(
        record(
            feed_id,
            now,
            [
                (parsed("a", published=now - 3 * hour), ("post training", "rl")),
                (parsed("b", published=now - 2 * hour), ("Post-training", "RL")),
                (parsed("c", published=now - hour), ("Post-training", "Post_Training")),
            ],
        )
    )
    views = await store.entry_views(
        [v.entry_id for v in (await store.latest_page(None, 1, 10)).entries]
    )
    # most used in the poll wins; on a tie (rl, RL) the oldest entry's spelling
    assert [v.topics for v in views] == [
        ("Post-training",),
        ("Post-training", "rl"),
        ("Post-training", "rl"),
    ]
    await store.record_poll(
        record(feed_id, now, [(parsed("d", published=now), ("POST TRAINING", "Rl"))])
    )
    (newest,) = (await store.latest_page(["post-training"], 1, 1)).entries
    assert newest.topics == ("Post-training", "rl")  # a known topic keeps its spelling


@pytest.mark.store
async def test_a_claimed_delivery_knows_what_its_chat_follows_and_skips(
    store: Store, now: datetime
) -> None:
    """The push's meta line puts the chat's own topics first, and its buttons depend on
    what the chat skips: the sender's chat carries both."""
    feed_id = await add_feed(store, now)
    following = await store.ensure_chat(71, "private", "Following", now)
    skipping = await store.ensure_chat(72, "private", "Skipping", now)
    await store.change_topics(
        following.id,
        lambda _: TopicChoice(everything=False, only=frozenset({"post training"})),
        now,
        activate=True,
    )
    await store.change_topics(
        skipping.id,
        lambda _: TopicChoice(everything=True, excluded=frozenset({"rl"})),
        now,
        activate=True,
    )
    await store.record_poll(record(feed_id, now, [(parsed("e"), ("Post-training", "Agents"))]))
    await store.record_poll(record(feed_id, now, [(parsed("f"), ("Agents", "RL"))]))
    deliveries = await store.claim_deliveries(now, timedelta(1), max_chats=5, per_chat=10)
    chats = {d.chat.tg_chat_id: d.chat for d in deliveries}
    assert chats[71].topics == ("post training",)
    assert chats[72].excluded_topics == ("rl",)
