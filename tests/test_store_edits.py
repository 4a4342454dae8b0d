"""The edit queue in storage: which messages an entry's change edits, and crash safety."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.store import Store
from tests.factories import parsed
from tests.test_store import add_feed, record, subscriber

pytestmark = pytest.mark.store

LEASE = timedelta(minutes=1)


async def sent_to_two_chats(store: Store, now: datetime) -> tuple[int, list[int]]:
    """One feed, an entry pushed to two chats as messages 501 and 502."""
    feed_id = await add_feed(store, now)
    chats = [(await subscriber(store, tg, now)).id for tg in (1, 2)]
    await store.record_poll(record(feed_id, now, [(parsed("e1", text="First words."), ())]))
    deliveries = await store.claim_deliveries(now, LEASE, max_chats=5, per_chat=5)
    for number, delivery in enumerate(sorted(deliveries, key=lambda d: d.chat.id), start=501):
        await store.mark_sent(delivery.outbox_ids, now, transmission_id=None, message_id=number)
    return feed_id, chats


def edited(feed_id: int, now: datetime, **changes: str):  # type: ignore[no-untyped-def]
    entry = parsed("e1", text="First words.")
    new = parsed("e1", **{"text": entry.text, **changes})
    return replace(record(feed_id, now), updated=record(feed_id, now, [(new, ())]).new)


async def test_a_visible_change_queues_an_edit_of_every_message_that_shows_it(
    store: Store, now: datetime
) -> None:
    feed_id, chats = await sent_to_two_chats(store, now)
    later = now + timedelta(hours=1)
    await store.record_poll(edited(feed_id, later, text="Other words."))
    jobs = await store.claim_edits(later, LEASE, limit=10)
    assert sorted((j.chat.id, j.message_id) for j in jobs) == [(chats[0], 501), (chats[1], 502)]
    assert all(j.entries[0].updated and j.entries[0].text == "Other words." for j in jobs)


async def test_a_whitespace_change_queues_nothing(store: Store, now: datetime) -> None:
    feed_id, _ = await sent_to_two_chats(store, now)
    await store.record_poll(edited(feed_id, now, text="  First \n words. "))
    assert await store.claim_edits(now, LEASE, limit=10) == []


async def test_messages_older_than_the_window_are_left_alone(store: Store, now: datetime) -> None:
    feed_id, _ = await sent_to_two_chats(store, now)
    much_later = now + timedelta(hours=49)
    await store.record_poll(edited(feed_id, much_later, text="Other words."))
    assert await store.claim_edits(much_later, LEASE, limit=10) == []


async def test_a_claimed_edit_comes_back_after_its_lease_and_a_requeue_is_not_lost(
    store: Store, now: datetime
) -> None:
    feed_id, _ = await sent_to_two_chats(store, now)
    await store.record_poll(edited(feed_id, now, text="Other words."))
    first = await store.claim_edits(now, LEASE, limit=1)
    assert len(first) == 1
    assert len(await store.claim_edits(now, LEASE, limit=10)) == 1  # the other chat's only
    after_crash = now + LEASE + timedelta(seconds=1)
    (again,) = [
        j
        for j in await store.claim_edits(after_crash, LEASE, limit=10)
        if j.edit_id == first[0].edit_id
    ]
    # changed again while that edit is in flight: done for the old request, pending for the new
    await store.record_poll(edited(feed_id, after_crash, text="Third words."))
    await store.mark_edit_done(again.edit_id, again.queued_at, after_crash)
    counts = await store.edit_counts()
    assert counts["pending"] == 2
    (last,) = [
        j
        for j in await store.claim_edits(after_crash, LEASE, limit=10)
        if j.edit_id == again.edit_id
    ]
    assert last.entries[0].text == "Third words."


async def test_pruning_drops_settled_edits_after_the_retention(store: Store, now: datetime) -> None:
    feed_id, _ = await sent_to_two_chats(store, now)
    await store.record_poll(edited(feed_id, now, text="Other words."))
    for job in await store.claim_edits(now, LEASE, limit=10):
        await store.mark_edit_done(job.edit_id, job.queued_at, now)
    await store.prune(now + timedelta(days=31), timedelta(days=90), 200)
    assert await store.edit_counts() == {"pending": 0, "sent": 0, "failed": 0}


LONG_LEASE = timedelta(minutes=10)


async def test_an_edit_claimed_by_a_dead_process_is_free_once_its_heartbeat_stops(
    store: Store, now: datetime
) -> None:
    from bot.store.processes import ALIVE_WITHIN

    feed_id, _ = await sent_to_two_chats(store, now)
    await store.record_poll(edited(feed_id, now, text="Other words."))
    await store.register_process("p1", now)
    assert len(await store.claim_edits(now, LONG_LEASE, limit=10, owner="p1")) == 2
    # a live owner holds them (the lease has minutes to run)...
    soon = now + ALIVE_WITHIN / 2
    assert await store.claim_edits(soon, LONG_LEASE, limit=10, owner="p2") == []
    # ...a dead one's come back within seconds, long before the lease ends, as a send's do
    later = now + ALIVE_WITHIN + timedelta(seconds=1)
    assert len(await store.claim_edits(later, LONG_LEASE, limit=10, owner="p2")) == 2


async def test_on_sqlite_a_process_that_starts_takes_back_every_edit_claim(
    store: Store, now: datetime
) -> None:
    if store.dialect != "sqlite":
        pytest.skip("on PostgreSQL claims come back by heartbeat, not at start")
    feed_id, _ = await sent_to_two_chats(store, now)
    await store.record_poll(edited(feed_id, now, text="Other words."))
    assert len(await store.claim_edits(now, LONG_LEASE, limit=10, owner="crashed")) == 2
    await store.register_process("restarted", now)
    assert len(await store.claim_edits(now, LONG_LEASE, limit=10, owner="restarted")) == 2


async def test_edits_skip_chats_the_limiter_holds_by_their_telegram_id(
    store: Store, now: datetime
) -> None:
    feed_id, chats = await sent_to_two_chats(store, now)
    await store.record_poll(edited(feed_id, now, text="Other words."))
    (job,) = await store.claim_edits(now, LEASE, limit=10, skip_tg_chats={1})
    assert job.chat.id == chats[1]
    assert job.chat.tg_chat_id == 2


async def test_a_press_finds_its_entry_while_the_send_is_not_marked_yet_but_not_after_a_failure(
    store: Store, now: datetime
) -> None:
    # the press may come before the sender has marked its send (a loaded database)
    feed_id = await add_feed(store, now)
    chats = [(await subscriber(store, tg, now)).id for tg in (1, 2, 3)]
    await store.record_poll(record(feed_id, now, [(parsed("e1", text="First words."), ())]))
    deliveries = sorted(
        await store.claim_deliveries(now, LEASE, max_chats=5, per_chat=5), key=lambda d: d.chat.id
    )
    entry_id = deliveries[0].entries[0].entry_id
    await store.mark_sent(deliveries[0].outbox_ids, now, transmission_id=None, message_id=501)
    await store.mark_failed(deliveries[2].outbox_ids, "chat not found")
    assert await store.pushed_entry(chats[0], entry_id) is not None  # sent
    assert await store.pushed_entry(chats[1], entry_id) is not None  # in flight
    assert await store.pushed_entry(chats[2], entry_id) is None  # never reached it
    assert await store.pushed_entry(chats[0], entry_id + 1) is None  # another id


async def changed_in_flight(store: Store, now: datetime, text: str) -> None:
    """An entry claimed for a push to one chat, changed to ``text`` by a poll before the
    send is marked as message 501 (the poll found no sent message to edit)."""
    feed_id = await add_feed(store, now)
    await subscriber(store, 1, now)
    await store.record_poll(record(feed_id, now, [(parsed("e1", text="First words."), ())]))
    (delivery,) = await store.claim_deliveries(now, LEASE, max_chats=5, per_chat=5)
    await store.record_poll(edited(feed_id, now, text=text))
    assert await store.claim_edits(now, LEASE, limit=10) == []
    await store.mark_sent(
        delivery.outbox_ids, now, transmission_id=None, message_id=501, shown=delivery.entries
    )


async def test_a_change_committed_while_the_send_was_in_flight_queues_its_edit_at_marking(
    store: Store, now: datetime
) -> None:
    # the poll reads the row as not sent yet, so only the marking can see what the send showed
    await changed_in_flight(store, now, "Other words.")
    (job,) = await store.claim_edits(now, LEASE, limit=10)
    assert (job.message_id, job.entries[0].text) == (501, "Other words.")


async def test_a_send_that_showed_the_stored_text_queues_no_edit(
    store: Store, now: datetime
) -> None:
    await changed_in_flight(store, now, " First\twords. ")  # the same, as a reader sees it
    assert await store.claim_edits(now, LEASE, limit=10) == []
