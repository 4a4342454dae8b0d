"""Quiet hours hold pushes and release them as one transmission; a daily digest arrives once,
as one message, at its time in the chat's time zone; held pushes survive a restart.

The bot's clock is the real one, so the times set here are chosen from the current time: a
minute boundary at least 25 s ahead, so that the pushes are queued before it comes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.botprocess import BotProcess
from tests.e2e.conftest import Bots
from tests.e2e.helpers import Feed, Item, say, transmissions
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

#: held pushes come out within this long after their time (the sender looks every few s)
RELEASE_BOUND = 150.0


def _minute_ahead(zone: str) -> datetime:
    """The next minute boundary at least 25 s from now, in ``zone``."""
    now = datetime.now(ZoneInfo(zone))
    boundary = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if (boundary - now).total_seconds() < 25:
        boundary += timedelta(minutes=1)
    return boundary


def _queue_two_while_held(feed: Feed, bot: BotProcess) -> tuple[Item, Item]:
    """Two entries, queued in two poll cycles (each would be a push of its own)."""
    first, second = Item("held-1"), Item("held-2")
    feed.publish(first)
    bot.wait_polls(bot.polls() + 1)
    feed.publish(second)
    bot.wait_polls(bot.polls() + 1)
    return first, second


def test_quiet_hours_hold_pushes_and_release_one_transmission_also_after_a_restart(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    chat = api.add_private_chat(1701)
    say(api, chat, "/start")
    end = _minute_ahead("UTC")
    start = end - timedelta(minutes=30)
    reply = say(api, chat, f"/settings quiet {start:%H:%M}-{end:%H:%M}").plain_text
    assert f"Quiet hours: {start:%H:%M}–{end:%H:%M}" in reply
    bot.wait_polls(1)

    first, second = _queue_two_while_held(feed, bot)
    assert bot.terminate() == 0  # held rows are outbox rows: a restart keeps them
    bot.start()
    bot.wait_polls(bot.polls() + 1)
    assert datetime.now(UTC) < end, "the test was too slow to prove anything was held"
    assert transmissions(api, chat) == []

    released = api.wait_for(
        lambda: transmissions(api, chat) or None,
        (end - datetime.now(UTC)).total_seconds() + RELEASE_BOUND,
        "the held pushes after quiet hours",
    )
    assert datetime.now(UTC) >= end
    assert len(released) == 1
    assert "2 new" in released[0].plain_text
    assert first.headline in released[0].plain_text
    assert second.headline in released[0].plain_text


def test_a_daily_digest_arrives_once_as_one_message_at_its_local_time(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    chat = api.add_private_chat(1702)
    say(api, chat, "/start")
    say(api, chat, "/settings tz Asia/Shanghai")
    slot = _minute_ahead("Asia/Shanghai")
    reply = say(api, chat, f"/settings digest daily {slot:%H:%M}").plain_text
    assert f"Pushes: a daily digest at {slot:%H:%M}" in reply
    bot.wait_polls(1)

    first, second = _queue_two_while_held(feed, bot)
    assert datetime.now(UTC) < slot, "the test was too slow to prove anything was held"
    assert transmissions(api, chat) == []

    digest = api.wait_for(
        lambda: transmissions(api, chat) or None,
        (slot - datetime.now(UTC)).total_seconds() + RELEASE_BOUND,
        "the daily digest",
    )
    assert len(digest) == 1
    assert first.headline in digest[0].plain_text
    assert second.headline in digest[0].plain_text
    bot.wait_polls(bot.polls() + 3)  # once: the rounds after it send nothing more
    assert len(transmissions(api, chat)) == 1
