"""Delivery when Telegram says no: blocked chats, migrated groups, flood control (429)."""

from __future__ import annotations

import pytest

from tests.botprocess import wait_until
from tests.e2e.conftest import ADMIN, Bots
from tests.e2e.helpers import (
    Feed,
    Item,
    copies,
    say,
    subscribe_many,
    transmissions,
    wait_push,
)
from tests.fakebotapi import FakeBotAPI, SentMessage

pytestmark = pytest.mark.e2e


def sends_to(api: FakeBotAPI, chat: int) -> int:
    """sendMessage attempts to the chat, accepted or refused."""
    return sum(1 for e in api.sent_log("sendMessage") if e.chat_id == chat)


def stats_until(api: FakeBotAPI, admin: int, expected: str) -> SentMessage:
    """Ask /stats (as an admin) until it shows ``expected``."""

    def ask() -> SentMessage | None:
        reply = say(api, admin, "/stats")
        return reply if expected in reply.plain_text else None

    return wait_until(ask, 30, f"/stats showing {expected!r}", every=0.2)


def test_a_chat_that_blocked_the_bot_is_marked_inactive_and_left_alone(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    admin = api.add_private_chat(ADMIN, "Admin")
    quiet, told, reader = (api.add_private_chat(n) for n in (1101, 1102, 1103))
    for chat in (quiet, told, reader):
        say(api, chat, "/start")
    stats_until(api, admin, "Chats: 3 active, 0 inactive")
    bot.wait_polls(1)

    api.block_chat(quiet, notify=False)  # the bot finds out when it sends
    api.block_chat(told)  # the bot is told (my_chat_member)
    stats_until(api, admin, "Chats: 2 active, 1 inactive")
    first = Item("first")
    feed.publish(first)
    wait_push(api, reader, first)
    api.wait_for(lambda: api.rejections(403), 30, "the send to the chat that blocked the bot")
    stats_until(api, admin, "Chats: 1 active, 2 inactive")

    second = Item("second")
    feed.publish(second)
    wait_push(api, reader, second)
    assert sends_to(api, quiet) == 2  # the /start reply, and the one refused push
    assert sends_to(api, told) == 1  # the /start reply only
    assert [e.chat_id for e in api.rejections(403)] == [quiet]

    # the user comes back: /start subscribes again and pushes resume
    assert "Subscribed" in say(api, quiet, "/start").plain_text
    third = Item("third")
    feed.publish(third)
    wait_push(api, quiet, third)
    wait_push(api, reader, third)
    assert [copies(api, quiet, i) for i in (first, second, third)] == [0, 0, 1]


def test_a_group_migrated_to_a_supergroup_gets_pushes_at_its_new_id(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    old_id, new_id = -1201, -1001000001201
    api.add_group(old_id, "Growing group", admins=[1201])
    say(api, old_id, "/start", user=1201)
    bot.wait_polls(1)

    api.migrate_group(old_id, new_id)
    entry = Item("after-the-upgrade")
    feed.publish(entry)
    wait_push(api, new_id, entry)
    assert transmissions(api, old_id) == []
    assert "Pushes: on" in say(api, new_id, "/topics", user=1201).plain_text
    later = Item("later")
    feed.publish(later)
    wait_push(api, new_id, later)
    assert [copies(api, new_id, i) for i in (entry, later)] == [1, 1]


def test_under_flood_control_every_chat_gets_each_entry_exactly_once(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed, delivery={"rate": 30})
    chats = list(range(1301, 1341))  # 40 private chats
    subscribe_many(api, chats)
    bot.wait_polls(1)
    api.set_limits(global_per_second=12)  # Telegram is stricter today than the bot's 30/s

    first, second = Item("first"), Item("second")
    feed.publish(first)
    api.wait_for(lambda: sum(bool(transmissions(api, c)) for c in chats) >= 10, 30, "10 pushes")
    feed.publish(second)  # while the first one is still fanning out
    for chat in chats:
        wait_push(api, chat, first, timeout=60)
        wait_push(api, chat, second, timeout=60)

    assert api.rejections(429), "the fake never refused: the test proved nothing"
    counts = {chat: (copies(api, chat, first), copies(api, chat, second)) for chat in chats}
    assert counts == dict.fromkeys(chats, (1, 1))


def test_a_channel_taken_out_of_the_config_leaves_nothing_stuck_in_the_queue(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    channel = api.add_channel(-1001000001701, "leaving_channel", "Leaving")
    feed.publish(Item("old"))
    config = bots.config(feed, telegram={"channels": [{"chat": "@leaving_channel"}]})
    bot = bots.make(config).start()
    admin = api.add_private_chat(ADMIN, "Admin")
    reader = api.add_private_chat(1701)
    say(api, reader, "/start")
    bot.wait_polls(1)

    api.fail(502, chat_id=channel, methods=["sendMessage"])  # its sends fail for now
    entry = Item("queued-for-the-channel")
    feed.publish(entry)
    wait_push(api, reader, entry)
    api.wait_for(
        lambda: [e for e in api.rejections(502) if e.chat_id == channel], 30, "a failed send"
    )
    stats_until(api, admin, "Queue: 1 pending, 0 failed")

    assert bot.terminate() == 0
    bot.config["telegram"] = {**bot.config["telegram"], "channels": []}
    bot.start()  # the admin removed the channel: its queue is dropped, with the reason
    stats_until(api, admin, "Queue: 0 pending, 1 failed")
    api.clear_faults()
    later = Item("after-the-removal")
    feed.publish(later)
    wait_push(api, reader, later)
    bot.wait_polls(bot.polls() + 2)
    assert transmissions(api, channel) == []
    assert "dropped 1 deliveries of chats that no longer take pushes" in bot.run_log()
