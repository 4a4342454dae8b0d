"""Stopping and starting again: SIGTERM is a clean exit 0, kill -9 loses nothing, and
nothing already delivered is delivered again."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.botprocess import BotProcess
from tests.e2e.conftest import Bots
from tests.e2e.helpers import Feed, Item, copies, say, subscribe_many, transmissions, wait_push
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e


def copies_per_chat(api: FakeBotAPI, chats: list[int], item: Item) -> Counter[int]:
    """How many chats hold 0, 1, 2 ... copies of ``item``."""
    return Counter(copies(api, chat, item) for chat in chats)


def received(api: FakeBotAPI, chats: list[int], item: Item) -> int:
    return sum(1 for chat in chats if copies(api, chat, item))


def test_sigterm_exits_0_and_after_a_restart_nothing_is_sent_again(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    chat = api.add_private_chat(1401)
    say(api, chat, "/start")
    bot.wait_polls(1)
    first = Item("before-restart")
    feed.publish(first)
    wait_push(api, chat, first)

    assert bot.terminate() == 0
    assert "stopped cleanly" in bot.run_log()
    bot.start()
    bot.wait_polls(2)  # the feed, unchanged, checked again after the restart
    second = Item("after-restart")
    feed.publish(second)
    wait_push(api, chat, second)
    bot.wait_polls(bot.polls() + 1)
    assert [copies(api, chat, first), copies(api, chat, second)] == [1, 1]
    assert len(transmissions(api, chat)) == 2
    assert "LATEST UPDATES" in say(api, chat, "/latest").plain_text


def test_sigterm_during_a_fan_out_exits_0_and_the_restart_sends_the_rest_once(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed, delivery={"rate": 10})
    chats = list(range(1411, 1451))  # 40 chats at 10/s: four seconds of sending
    subscribe_many(api, chats)
    bot.wait_polls(1)

    entry = Item("fan-out")
    feed.publish(entry)
    api.wait_for(lambda: received(api, chats, entry) >= 10, 30, "a quarter of the fan-out")
    assert bot.terminate() == 0
    delivered_before = received(api, chats, entry)
    assert delivered_before < len(chats), "the fan-out was over before SIGTERM"
    assert "stopped cleanly" in bot.run_log()

    bot.start()
    api.wait_for(lambda: received(api, chats, entry) == len(chats), 60, "every chat")
    bot.wait_polls(bot.polls() + 2)
    assert copies_per_chat(api, chats, entry) == {1: len(chats)}


def test_kill_9_in_the_middle_of_a_fan_out_loses_nothing_and_repeats_only_sends_in_flight(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    rate = 20
    feed.publish(Item("old"))
    # a short lease: the sends in flight at the kill are retried after 5 s, not 2 minutes
    bot: BotProcess = bots.start(feed, delivery={"rate": rate, "lease": "5s"})
    chats = list(range(1501, 1651))  # 150 chats at 20/s: several seconds of sending
    subscribe_many(api, chats)
    api.set_limits(global_per_second=rate)
    bot.wait_polls(1)

    entry = Item("fan-out")
    feed.publish(entry)
    api.wait_for(lambda: received(api, chats, entry) >= len(chats) // 3, 30, "a third")
    assert bot.kill() == -9
    assert received(api, chats, entry) < len(chats), "the fan-out was over before the kill"

    bot.start()
    api.wait_for(lambda: received(api, chats, entry) == len(chats), 60, "every chat")
    bot.wait_polls(bot.polls() + 2)
    spread = copies_per_chat(api, chats, entry)
    in_flight = max(rate * 2, 4)  # what the sender claims at most (bot/app/settings.py)
    assert spread[0] == 0
    assert set(spread) <= {1, 2}, spread
    assert spread[2] <= in_flight, spread
