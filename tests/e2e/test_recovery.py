"""Recovery in seconds and polling on time (issue 11).

A fan-out to 200 chats, with one send in ten answered 502, is cut by ``kill -9`` and then
by SIGTERM; after each restart every chat has the entry in seconds, long before the lease
(the seconds are printed). The kill repeats at most the sends that were in flight; SIGTERM
repeats nothing. A feed at ``interval: 3s`` is
fetched every 3 s, not every ``polling.tick``.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.botprocess import BotProcess, wait_until
from tests.e2e.conftest import Bots
from tests.e2e.helpers import Feed, Item, copies, subscribe_many
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer

pytestmark = pytest.mark.e2e

CHATS = list(range(2001, 2201))
#: issue 11 wants every chat served within 15 s of a restart (about 3 s on an idle machine,
#: printed below). The bound checked is what proves no claim waits out ``delivery.lease``
#: (2 minutes) while staying true on a loaded machine, where a start alone can take 10 s.
RECOVERED_WITHIN = 60.0


def received(api: FakeBotAPI, item: Item) -> int:
    return sum(1 for chat in CHATS if copies(api, chat, item))


def spread(api: FakeBotAPI, item: Item) -> Counter[int]:
    """How many chats hold 0, 1, 2 ... copies of ``item``."""
    return Counter(copies(api, chat, item) for chat in CHATS)


def fan_out_cut(api: FakeBotAPI, feed: Feed, bot: BotProcess, item: Item, *, kill: bool) -> float:
    """Publish ``item``, stop the bot a third of the way through its fan-out (one send in
    ten answered 502), start it again; the seconds until every chat had it."""
    for chat in CHATS[::10]:
        api.fail(502, times=1, chat_id=chat, methods=["sendMessage"])
    feed.publish(item)
    api.wait_for(lambda: received(api, item) >= len(CHATS) // 3, 60, "a third of the fan-out")
    code = bot.kill() if kill else bot.terminate()
    assert code == (-9 if kill else 0)
    assert received(api, item) < len(CHATS), "the fan-out was over before the stop"
    restarted = time.monotonic()
    bot.start()
    api.wait_for(
        lambda: received(api, item) == len(CHATS),
        RECOVERED_WITHIN - (time.monotonic() - restarted),
        f"every chat within {RECOVERED_WITHIN:g}s of the restart",
    )
    return time.monotonic() - restarted


def test_after_kill_9_or_sigterm_mid_fan_out_every_chat_has_the_entry_in_seconds(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    # delivery.lease stays at its default (2 minutes): recovery must not wait for it
    bot = bots.start(feed)
    subscribe_many(api, CHATS)
    bot.wait_polls(1)

    killed = Item("cut-by-kill")
    after_kill = fan_out_cut(api, feed, bot, killed, kill=True)
    copies_after_kill = spread(api, killed)
    assert set(copies_after_kill) <= {1, 2}, copies_after_kill
    in_flight = 60  # what the sender claims at most at delivery.rate 30 (bot/app/settings.py)
    assert copies_after_kill[2] <= in_flight, copies_after_kill

    stopped = Item("cut-by-sigterm")
    after_sigterm = fan_out_cut(api, feed, bot, stopped, kill=False)
    assert "stopped cleanly" in bot.log_text()
    bot.wait_polls(bot.polls() + 1)
    assert spread(api, stopped) == {1: len(CHATS)}
    print(
        f"\nrecovery: every chat had the entry {after_kill:.1f}s after a restart from kill -9 "
        f"({copies_after_kill[2]} chats got it twice), {after_sigterm:.1f}s after SIGTERM"
    )


def test_a_feed_at_interval_3s_is_fetched_every_3_s_not_every_tick(
    feeds: FeedServer, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("one"))
    polling = {"interval": "3s", "min_interval": "1s", "tick": "15s", "jitter": 0}
    bot = bots.start(feed, polling=polling, env={"FEEDBOT_LOG_LEVEL": "DEBUG"})
    bot.wait_polls(1)
    feeds.reset_stats()
    started = time.monotonic()
    wait_until(lambda: feeds.hits("/feed.xml") >= 8, 30, "8 fetches within 30 s")
    print(f"\n8 fetches of an interval-3s feed took {time.monotonic() - started:.1f}s")
    log = bot.log_text()  # DEBUG adds our own decisions, not only the libraries' wire log
    assert "next poll cycle in" in log
    assert "polled OK" in log
