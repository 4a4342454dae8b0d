"""Pushes: who gets a new entry, how often, and how several new entries arrive together."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Bots
from tests.e2e.helpers import (
    TRANSMISSION,
    Feed,
    Item,
    button,
    button_texts,
    copies,
    headlines_in,
    items,
    press,
    rss,
    say,
    transmissions,
    wait_edited,
    wait_push,
)
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer

pytestmark = pytest.mark.e2e

SLOW = 2.5  #: seconds the slow feed takes to answer


def test_new_entry_reaches_exactly_the_chats_subscribed_to_its_topic_exactly_once(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old", topics=("ml", "python")))
    bot = bots.start(feed)
    everything, ml, python, stopped, reader = (
        api.add_private_chat(n) for n in (801, 802, 803, 804, 805)
    )
    bot.wait_polls(1)  # /subscribe knows a topic once an entry carries it
    say(api, everything, "/start")
    say(api, ml, "/subscribe ml")
    say(api, python, "/subscribe python")
    say(api, stopped, "/start")
    say(api, stopped, "/stop")
    say(api, reader, "/latest")  # known to the bot, never subscribed

    entry = Item("ml-news", topics=("ml",))
    feed.publish(entry)
    wait_push(api, everything, entry)
    wait_push(api, ml, entry)
    # a few more poll cycles (304s), then a marker entry for every subscriber: by the time
    # it arrives, anything queued before it has been sent too
    bot.wait_polls(bot.polls() + 2)
    marker = Item("marker", topics=("ml", "python"))
    feed.publish(marker)
    for chat in (everything, ml, python):
        wait_push(api, chat, marker)

    assert [copies(api, chat, entry) for chat in (everything, ml, python)] == [1, 1, 0]
    assert [len(transmissions(api, chat)) for chat in (everything, ml, python)] == [2, 2, 1]
    assert transmissions(api, stopped) == []
    assert transmissions(api, reader) == []


def test_several_new_entries_in_one_cycle_arrive_as_one_transmission_that_pages(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed, delivery={"page_size": 2})
    chat = api.add_private_chat(811)
    say(api, chat, "/start")
    bot.wait_polls(1)

    new = items("burst", 5)
    newest_first = [i.headline for i in reversed(new)]
    feed.publish(*new)
    push = wait_push(api, chat, new[-1])
    assert push.plain_text.startswith(f"{TRANSMISSION} · 5 new")
    assert headlines_in(push, new) == newest_first[0:2]
    assert button_texts(push) == ["1 ↗", "2 ↗", "· 1 ·", "2", "3", "›"]
    assert [b.get("url") for b in push.buttons()[:2]] == [new[4].link, new[3].link]

    assert press(api, chat, push, button(push, "2")).text == "Page 2 of 3"
    page2 = wait_edited(api, push)
    assert headlines_in(page2, new) == newest_first[2:4]
    assert button_texts(page2)[:2] == ["3 ↗", "4 ↗"]
    assert press(api, chat, page2, button(page2, "3")).text == "Page 3 of 3"
    page3 = wait_edited(api, page2)
    assert headlines_in(page3, new) == newest_first[4:5]

    bot.wait_polls(bot.polls() + 2)
    assert len(transmissions(api, chat)) == 1  # one message, not a burst of five
    assert len(api.sent_log("sendMessage", ok=True)) == 2  # /start's reply and the push


def test_entries_of_feeds_that_finish_seconds_apart_in_one_cycle_arrive_as_one_transmission(
    api: FakeBotAPI, feeds: FeedServer, bots: Bots
) -> None:
    fast = Feed(feeds, "/fast.xml", "Fast feed")
    slow = Feed(feeds, "/slow.xml", "Slow feed")
    fast.publish(Item("fast-old"))
    slow.publish(Item("slow-old"))
    feeds.set_feed(slow.path, rss(slow.entries, slow.title), delay=SLOW)
    bot = bots.start(
        {"url": fast.url, "interval": "4s"},
        {"url": slow.url, "interval": "4s"},
    )
    chat = api.add_private_chat(821)
    say(api, chat, "/start")
    # right after a cycle ended (both feeds are counted when it ends): the next one is
    # seconds away, so both new entries are in the same one
    bot.wait_polls(bot.polls() + 2)
    one, two = Item("from-the-fast-feed"), Item("from-the-slow-feed")
    fast.publish(one)
    slow.publish(two)
    feeds.set_feed(slow.path, rss(slow.entries, slow.title), delay=SLOW)

    push = wait_push(api, chat, one)
    assert push.plain_text.startswith(f"{TRANSMISSION} · 2 new"), push.plain_text
    assert two.headline in push.plain_text  # the fast feed's entry waited for the slow one's
    bot.wait_polls(bot.polls() + 2)
    assert len(transmissions(api, chat)) == 1  # not a second INCOMING TRANSMISSION
    assert [copies(api, chat, i) for i in (one, two)] == [1, 1]


def test_configured_channels_receive_pushes(api: FakeBotAPI, feed: Feed, bots: Bots) -> None:
    news = api.add_channel(-1001000000801, "transmission_news", "News")
    snakes = api.add_channel(-1001000000802, "python_snakes", "Snakes")
    feed.publish(Item("old"))
    bot = bots.start(
        feed,
        telegram={
            "channels": [
                {"chat": "@transmission_news"},
                {"chat": "@python_snakes", "topics": ["python"]},
            ]
        },
    )
    bot.wait_polls(1)

    entry = Item("ml-entry", topics=("ml",))
    feed.publish(entry)
    wait_push(api, news, entry)
    bot.wait_polls(bot.polls() + 1)
    marker = Item("marker", topics=("python",))
    feed.publish(marker)
    wait_push(api, news, marker)
    wait_push(api, snakes, marker)
    assert [copies(api, news, entry), copies(api, snakes, entry)] == [1, 0]
    assert [len(transmissions(api, c)) for c in (news, snakes)] == [2, 1]
