"""Buttons the bot never made (forged, stale, someone else's) and the admin commands."""

from __future__ import annotations

import random
import string

import pytest

from tests.e2e.conftest import ADMIN, Bots
from tests.e2e.helpers import Feed, Item, button, items, press, say, wait_push
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

EXPIRED = "This button has expired."


def test_forged_or_stale_buttons_are_answered_and_change_nothing(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed, delivery={"page_size": 2})
    owner, other = api.add_private_chat(1001), api.add_private_chat(1002)
    say(api, owner, "/subscribe ml")
    say(api, other, "/start")
    bot.wait_polls(1)
    burst = items("b", 3)  # a paged transmission, to both chats
    feed.publish(*burst)
    push = wait_push(api, owner, burst[-1])
    theirs = wait_push(api, other, burst[-1])
    page = say(api, owner, "/latest")
    real_page_button = button(page, "2")
    someone_elses = button(theirs, "2")  # T:<their transmission>:2
    assert someone_elses.startswith("T:")

    rng = random.Random(1234)
    forged = [
        "L:-:0",
        "X",
        "T:999:1",
        "G:999",
        "L:999:1",
        "L:-:99999999",
        "L:-:1 ",
        "N:extra",
        someone_elses,
        "".join(rng.choice(string.printable.strip()) for _ in range(64)),
        "é" * 32,  # 64 bytes of UTF-8
    ]
    for data in forged:
        for message in (page, push):
            answer = press(api, owner, message, data)
            assert answer.text == EXPIRED, (data, answer)
    # a real button under a message the chat no longer has: answered all the same
    press(api, owner, 987654, real_page_button)

    assert api.message(owner, page.message_id).edits == 0  # type: ignore[union-attr]
    assert api.message(owner, push.message_id).edits == 0  # type: ignore[union-attr]
    assert api.sent_log("editMessageText", ok=True) == []
    assert "Following: ml." in say(api, owner, "/topics").plain_text
    assert len(api.answers()) == 2 * len(forged) + 1


def test_stats_and_feeds_are_for_the_bots_admins_and_show_a_failing_feed(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"), Item("b"))
    feed.server.set_status("/gone.xml", 404)
    bot = bots.start(feed, feed.server.url("/gone.xml"))
    admin, user = api.add_private_chat(ADMIN, "Admin"), api.add_private_chat(1011, "User")
    group = api.add_group(-1012, "Group", admins=[1011])
    say(api, user, "/start")

    for chat, who in ((user, 1011), (group, 1011)):
        for command in ("/stats", "/feeds"):
            assert say(api, chat, command, user=who).plain_text == (
                "This command is for the bot's admins."
            )

    bot.wait_polls(2)
    stats = say(api, admin, "/stats").plain_text
    assert stats.startswith("STATS")
    assert "Feeds: 2 (1 failing)" in stats
    assert "Entries: 2" in stats
    assert "Chats: 1 active" in stats
    feeds = say(api, admin, "/feeds").plain_text
    assert feeds.startswith("FEEDS (2)")
    (failing,) = [line for line in feeds.splitlines() if "gone.xml" in line]
    assert "404" in failing
    assert "Test feed" in feeds
