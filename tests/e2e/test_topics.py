"""Topics: the /topics toggles, /subscribe and /unsubscribe, case-insensitive matching."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Bots
from tests.e2e.helpers import (
    Feed,
    Item,
    button,
    button_texts,
    headlines_in,
    press,
    say,
    transmissions,
    wait_edited,
    wait_push,
)
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e


def test_topics_buttons_toggle_the_subscription_in_place(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("m0", topics=("ml",)), Item("p0", topics=("python",)))
    bot = bots.start(feed)
    chat = api.add_private_chat(701)
    say(api, chat, "/start")
    bot.wait_polls(1)

    menu = say(api, chat, "/topics")
    assert "Following: every topic" in menu.plain_text
    assert set(button_texts(menu)) == {"✅ Everything", "▫️ ml", "▫️ python"}
    answer = press(api, chat, menu, button(menu, "ml"))
    assert answer.text == "Following only ml"
    edited = wait_edited(api, menu)
    assert "Following: ml." in edited.plain_text
    assert set(button_texts(edited)) == {"▫️ Everything", "✅ ml", "▫️ python"}
    assert len(api.messages(chat)) == 2  # /start's reply and the menu, edited in place

    # what arrives follows the toggle: of two new entries in one cycle, only ml's
    ml, python = Item("m1", topics=("ml",)), Item("p1", topics=("python",))
    feed.publish(ml, python)
    push = wait_push(api, chat, ml)
    assert headlines_in(push, [ml, python]) == [ml.headline]

    assert press(api, chat, edited, button(edited, "python")).text == "Following python"
    both = wait_edited(api, edited)
    assert set(button_texts(both)) == {"▫️ Everything", "✅ ml", "✅ python"}
    assert press(api, chat, both, button(both, "Everything")).text == "Following everything"
    assert "Following: every topic" in wait_edited(api, both).plain_text


def test_subscribe_adds_topics_and_unsubscribe_removes_them(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old", topics=("ml", "python", "rust")))
    bot = bots.start(feed)
    chat = api.add_private_chat(711)

    assert "receives: ml." in say(api, chat, "/subscribe ml").plain_text
    assert "receives: ml, python." in say(api, chat, "/subscribe python").plain_text
    assert "receives: python." in say(api, chat, "/unsubscribe ml").plain_text
    assert "does not follow rust" in say(api, chat, "/unsubscribe rust").plain_text
    bot.wait_polls(1)

    ml, python, rust = (Item(f"new-{t}", topics=(t,)) for t in ("ml", "python", "rust"))
    feed.publish(ml, python, rust)
    push = wait_push(api, chat, python)
    assert headlines_in(push, [ml, python, rust]) == [python.headline]
    assert "Following: python." in say(api, chat, "/topics").plain_text


def test_topics_match_case_insensitively_also_in_cjk_and_full_width(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("seed", topics=("机器学习", "PyThOn")))
    bot = bots.start(feed)
    cjk, upper, wide = (api.add_private_chat(n) for n in (721, 722, 723))

    assert "receives: 机器学习." in say(api, cjk, "/subscribe 机器学习").plain_text
    assert "receives: python." in say(api, upper, "/subscribe PYTHON").plain_text
    assert "receives: python." in say(api, wide, "/subscribe ＰＹＴＨＯＮ").plain_text
    bot.wait_polls(1)

    learning = Item("cjk", title="深度学习入门", topics=("机器学习",))
    snakes = Item("py", title="Pattern matching in Python", topics=("Python",))
    feed.publish(learning, snakes)
    for chat, wanted in ((cjk, learning), (upper, snakes), (wide, snakes)):
        push = wait_push(api, chat, wanted)
        assert headlines_in(push, [learning, snakes]) == [wanted.headline]
        assert len(transmissions(api, chat)) == 1

    page = say(api, cjk, "/latest 机器学习")
    assert page.plain_text.startswith("LATEST UPDATES · 机器学习")
    assert headlines_in(page, [learning, snakes]) == [learning.headline]
    assert "#机器学习" in page.plain_text
