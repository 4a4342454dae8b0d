"""Buttons the bot never made (forged, stale, someone else's) and the admin commands."""

from __future__ import annotations

import random
import string
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN, BOT_USERNAME, TOKEN, Bots
from tests.e2e.helpers import (
    Feed,
    Item,
    button,
    headlines_in,
    items,
    press,
    say,
    wait_edited,
    wait_push,
)
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

EXPIRED = "This button has expired."
SORRY = "Sorry, that failed on our side"


def test_forged_or_stale_buttons_are_answered_and_change_nothing(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed, delivery={"page_size": 2})
    owner, other = api.add_private_chat(1001), api.add_private_chat(1002)
    bot.wait_polls(1)  # /subscribe knows a topic once an entry carries it
    say(api, owner, "/subscribe ml")
    say(api, other, "/start")
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


@pytest.fixture
def impatient_api() -> Iterator[FakeBotAPI]:
    """A Bot API that refuses to answer button presses older than one second."""
    fake = FakeBotAPI(token=TOKEN, bot_username=BOT_USERNAME, callback_ttl=1.0).start()
    try:
        yield fake
    finally:
        fake.stop()


def test_a_press_made_while_the_bot_was_down_still_turns_the_page(
    impatient_api: FakeBotAPI, feed: Feed, tmp_path: Path, database_url: str
) -> None:
    api = impatient_api
    entries = items("d", 4)
    feed.publish(*entries)
    bots = Bots(tmp_path, api, database_url)
    try:
        bot = bots.start(feed, delivery={"page_size": 2})
        bot.wait_polls(1)
        chat = api.add_private_chat(1021)
        page = say(api, chat, "/latest")
        assert bot.terminate() == 0

        query = api.user_presses(chat, chat, page.message_id, button(page, "2"))
        time.sleep(1.5)  # by the time the bot is back, Telegram refuses to answer the press
        bot.start()
        turned = wait_edited(api, page)
        assert headlines_in(turned, entries) == [entries[1].headline, entries[0].headline]
        bot.wait_polls(2)  # time enough for a reply the bot should not send
        assert api.answer_for(query) is None
        assert [m.message_id for m in api.messages(chat)] == [page.message_id]  # no "Sorry"
    finally:
        bots.close()  # also: no traceback in the bot's log


def test_page_edits_refused_with_429_wait_their_turn(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    entries = items("f", 8)
    feed.publish(*entries)
    bot = bots.start(feed, delivery={"page_size": 2})
    bot.wait_polls(1)
    chat = api.add_private_chat(1031)
    page = say(api, chat, "/latest")
    api.set_limits(global_per_second=1)  # Telegram is strict today: one message a second

    for number in (2, 3, 4):  # faster than one edit a second
        assert press(api, chat, page, f"L:-:{number}").text == f"Page {number}"
    last = api.wait_for(
        lambda: (m := api.message(chat, page.message_id)) and m.edits == 3 and m,
        30,
        "three edits",
    )
    assert headlines_in(last, entries) == [entries[1].headline, entries[0].headline]
    assert [e.method for e in api.rejections(429)][:1] == ["editMessageText"]
    assert all(SORRY not in m.plain_text for m in api.messages(chat))
    assert len(api.messages(chat)) == 1
