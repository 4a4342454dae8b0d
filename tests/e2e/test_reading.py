"""Reading what is stored: /latest pages, page buttons that edit in place, /next, topics."""

from __future__ import annotations

import pytest

from tests.botprocess import BotProcess
from tests.e2e.conftest import Bots
from tests.e2e.helpers import (
    LATEST,
    Feed,
    Item,
    button,
    button_texts,
    headlines_in,
    press,
    say,
    transmissions,
    wait_edited,
)
from tests.fakebotapi import FakeBotAPI, SentMessage, utf16_len

pytestmark = pytest.mark.e2e


def latest_when_stored(api: FakeBotAPI, bot: BotProcess, chat: int, text: str) -> SentMessage:
    """The reply to ``text`` (a /latest) once the bot's first poll is stored."""
    bot.wait_polls(1)
    return say(api, chat, text)


def test_latest_pages_newest_first_and_page_buttons_edit_the_same_message(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    # a1 (oldest) .. a7 (newest); odd ones are about ml, even ones about python
    entries = [Item(f"a{n}", topics=("ml",) if n % 2 else ("python",)) for n in range(1, 8)]
    feed.publish(*entries)
    bot = bots.start(feed, delivery={"page_size": 2})
    chat = api.add_private_chat(601)
    newest_first = [e.headline for e in reversed(entries)]

    page1 = latest_when_stored(api, bot, chat, "/latest")
    assert page1.plain_text.startswith(LATEST)
    assert headlines_in(page1, entries) == newest_first[0:2]
    assert button_texts(page1) == ["· 1 ·", "2", "3", "4", "›"]

    answer = press(api, chat, page1, button(page1, "2"))
    assert answer.text == "Page 2"
    page2 = wait_edited(api, page1)
    assert page2.message_id == page1.message_id
    assert headlines_in(page2, entries) == newest_first[2:4]
    assert button_texts(page2)[:3] == ["‹", "1", "· 2 ·"]
    assert len(api.messages(chat)) == 1  # edited in place, nothing new sent

    page3 = say(api, chat, "/next")
    assert page3.message_id != page1.message_id
    assert headlines_in(page3, entries) == newest_first[4:6]
    page4 = say(api, chat, "/next")
    assert headlines_in(page4, entries) == newest_first[6:7]
    assert "last page" in say(api, chat, "/next").plain_text


def test_latest_with_a_topic_shows_only_that_topic_and_next_follows_it(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    entries = [Item(f"t{n}", topics=("ml",) if n % 2 else ("python",)) for n in range(1, 8)]
    feed.publish(*entries)
    bot = bots.start(feed, delivery={"page_size": 2})
    chat = api.add_private_chat(611)
    python_newest_first = [e.headline for e in reversed(entries) if "python" in e.topics]

    page1 = latest_when_stored(api, bot, chat, "/latest PYTHON")
    assert page1.plain_text.startswith(f"{LATEST} · python")
    assert headlines_in(page1, entries) == python_newest_first[0:2]
    assert press(api, chat, page1, button(page1, "2")).text == "Page 2"
    page2 = wait_edited(api, page1)
    assert headlines_in(page2, entries) == python_newest_first[2:3]
    assert "last page" in say(api, chat, "/next").plain_text

    assert "No entries with the topic rust" in say(api, chat, "/latest rust").plain_text


CJK = "机器学习与深度神经网络的最新进展"
EMOJI = "👩‍👩‍👧‍👦🇯🇵🧑🏽‍🚀"  # grapheme clusters of many code points, 2 UTF-16 units each


def long_item(n: int) -> Item:
    return Item(
        f"long{n}",
        title=f"L{n} {CJK * 20}{EMOJI * 10}",
        topics=("机器学习", "ml"),
        text=(CJK + EMOJI + " ") * 200,
    )


def test_pages_and_pushes_never_exceed_4096_characters_even_with_cjk_and_emoji(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    stored = [long_item(n) for n in range(1, 13)]
    feed.publish(*stored)
    bot = bots.start(
        feed, delivery={"page_size": 10, "summary_length": 3000, "first_fetch_backfill": 0}
    )
    chat = api.add_private_chat(621)
    say(api, chat, "/start")

    page1 = latest_when_stored(api, bot, chat, "/latest")
    assert page1.plain_text.startswith(LATEST)
    assert utf16_len(page1.plain_text) <= 4096
    shown = [f"L{n} " for n in range(12, 2, -1)]
    assert [s for s in shown if s in page1.plain_text] == shown  # all ten, titles kept
    press(api, chat, page1, button(page1, "2"))
    page2 = wait_edited(api, page1)
    assert "L2 " in page2.plain_text
    assert "L1 " in page2.plain_text

    pushed = [long_item(n) for n in range(13, 25)]
    feed.publish(*pushed)
    (push,) = api.wait_for(lambda: transmissions(api, chat) or None, 30, "the long push")
    assert utf16_len(push.plain_text) <= 4096
    assert "12 new" in push.plain_text
    press(api, chat, push, button(push, "2"))
    assert utf16_len(wait_edited(api, push).plain_text) <= 4096
    assert api.rejections(400) == []  # nothing refused as "message is too long"


def test_a_page_button_past_the_last_page_is_answered_and_changes_nothing(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    entries = [Item(f"p{n}") for n in range(1, 4)]  # two pages of two
    feed.publish(*entries)
    bot = bots.start(feed, delivery={"page_size": 2})
    chat = api.add_private_chat(631)
    page1 = latest_when_stored(api, bot, chat, "/latest")

    for stale in ("L:-:3", "L:-:5", "L:-:100000"):
        assert press(api, chat, page1, stale).text == "This button has expired."
    assert press(api, chat, page1, button(page1, "2")).text == "Page 2"
    page2 = wait_edited(api, page1)
    assert page2.edits == 1  # only the real button edited the page
    assert headlines_in(page2, entries) == [entries[0].headline]
    assert "last page" in say(api, chat, "/next").plain_text
