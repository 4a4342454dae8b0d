"""Topics: the /topics toggles, /subscribe and /unsubscribe, case-insensitive matching."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Bots
from tests.e2e.helpers import (
    LATEST,
    Feed,
    Item,
    button,
    button_texts,
    copies,
    headlines_in,
    press,
    say,
    transmissions,
    wait_edited,
    wait_push,
)
from tests.fakebotapi import FakeBotAPI, utf16_len

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
    bot.wait_polls(1)  # the topics are known once an entry carries them

    assert "receives: ml." in say(api, chat, "/subscribe ml").plain_text
    assert "receives: ml, python." in say(api, chat, "/subscribe python").plain_text
    assert "receives: python." in say(api, chat, "/unsubscribe ml").plain_text
    assert "does not follow rust" in say(api, chat, "/unsubscribe rust").plain_text

    ml, python, rust = (Item(f"new-{t}", topics=(t,)) for t in ("ml", "python", "rust"))
    feed.publish(ml, python, rust)
    push = wait_push(api, chat, python)
    assert headlines_in(push, [ml, python, rust]) == [python.headline]
    assert "Following: python." in say(api, chat, "/topics").plain_text


def test_topics_match_case_insensitively_also_in_cjk_and_full_width(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("seed", topics=("机器学习", "Python")))
    bot = bots.start(feed)
    cjk, upper, wide = (api.add_private_chat(n) for n in (721, 722, 723))
    bot.wait_polls(1)

    assert "receives: 机器学习." in say(api, cjk, "/subscribe 机器学习").plain_text
    assert "receives: Python." in say(api, upper, "/subscribe PYTHON").plain_text  # as published
    assert "receives: Python." in say(api, wide, "/subscribe ＰＹＴＨＯＮ").plain_text

    learning = Item("cjk", title="深度学习入门", topics=("机器学习",))
    snakes = Item("py", title="Pattern matching in Python", topics=("pYthon",))
    feed.publish(learning, snakes)
    for chat, wanted in ((cjk, learning), (upper, snakes), (wide, snakes)):
        push = wait_push(api, chat, wanted)
        assert headlines_in(push, [learning, snakes]) == [wanted.headline]
        assert len(transmissions(api, chat)) == 1

    page = say(api, cjk, "/latest 机器学习")
    assert page.plain_text.startswith("LATEST UPDATES · 机器学习")
    assert headlines_in(page, [learning, snakes]) == [learning.headline]
    assert "#机器学习" in page.plain_text


def test_topic_changes_sent_at_the_same_time_are_all_kept(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    wanted = [f"t{n}" for n in range(8)]
    feed.publish(*(Item(t, topics=(t,)) for t in ("ml", "python", "rust", *wanted)))
    bot = bots.start(feed)
    api.set_limits(enabled=False)  # the replies must not wait: the commands overlap
    chat = api.add_private_chat(731)
    say(api, chat, "/start")
    bot.wait_polls(1)

    for topic in wanted:  # all in flight at once (the bot handles updates concurrently)
        api.user_sends(chat, chat, f"/subscribe {topic}")
    api.wait_for(lambda: len(api.messages(chat)) >= 9 or None, 30, "every /subscribe answered")
    assert f"Following: {', '.join(wanted)}." in say(api, chat, "/topics").plain_text

    menu = say(api, chat, "/topics")
    presses = [
        api.user_presses(chat, chat, menu.message_id, button(menu, f"▫️ {topic}"))
        for topic in ("ml", "python", "rust")
    ]
    answers = sorted(api.wait_answer(query, 20).text for query in presses)
    assert answers == ["Following ml", "Following python", "Following rust"]
    everything = ", ".join(["ml", "python", "rust", *wanted])
    assert f"Following: {everything}." in say(api, chat, "/topics").plain_text


def test_unsubscribe_from_everything_skips_that_topic_and_keeps_everything_else(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    old_ml, old_python = Item("old-ml", topics=("ml",)), Item("old-py", topics=("python",))
    feed.publish(old_ml, old_python)
    bot = bots.start(feed)
    chat = api.add_private_chat(741)
    say(api, chat, "/start")
    bot.wait_polls(1)

    reply = say(api, chat, "/unsubscribe ML").plain_text
    assert reply == "Unsubscribed from ml. This chat receives everything except: ml."
    # untagged entries and topics nobody had seen before still arrive; ml does not
    untagged, ml = Item("untagged", topics=()), Item("ml-new", topics=("ml", "python"))
    rust, python = Item("rusty", topics=("rust",)), Item("py", topics=("python",))
    feed.publish(untagged, ml, rust, python)
    for wanted in (untagged, rust, python):
        wait_push(api, chat, wanted)
    assert copies(api, chat, ml) == 0

    page = say(api, chat, "/latest")
    assert page.plain_text.startswith(f"{LATEST} · everything except: ml")
    assert old_python.headline in page.plain_text
    assert old_ml.headline not in page.plain_text
    menu = say(api, chat, "/topics")
    assert "Following: everything except: ml." in menu.plain_text
    assert set(button_texts(menu)) == {"▫️ Everything", "🚫 ml", "▫️ python", "▫️ rust"}

    assert press(api, chat, menu, button(menu, "ml")).text == "Taking ml again"
    again = wait_edited(api, menu)
    assert "Following: every topic." in again.plain_text
    assert "✅ Everything" in button_texts(again)
    later = Item("ml-later", topics=("ml",))
    feed.publish(later)
    wait_push(api, chat, later)


def test_a_chat_following_many_long_topics_gets_messages_telegram_accepts(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    names = [f"{n:02d}" + "长" * 46 for n in range(51)]  # 48 characters each
    feed.publish(*(Item(f"seed{n}", topics=tuple(names[n : n + 10])) for n in range(0, 51, 10)))
    bot = bots.start(feed)
    api.set_limits(enabled=False)
    chat = api.add_private_chat(751)
    bot.wait_polls(1)

    for name in names[:50]:
        assert f"Subscribed to {name}." in say(api, chat, f"/subscribe {name}").plain_text
    refused = say(api, chat, f"/subscribe {names[50]}").plain_text
    assert "already follows 50 topics, the most it can" in refused
    bot.wait_polls(1)

    page = say(api, chat, "/latest")
    header = page.plain_text.split("\n")[0]
    assert header.startswith(f"{LATEST} · {names[0]}, {names[1]}")
    assert header.endswith(" more")
    menu = say(api, chat, "/topics")
    assert "Page 1 of 3." in menu.plain_text
    assert len(menu.buttons()) <= 100
    assert press(api, chat, menu, button(menu, "›")).text == "Page 2"
    second = wait_edited(api, menu)
    assert "Page 2 of 3." in second.plain_text
    assert press(api, chat, second, button(second, names[25][:10])).text.startswith("Dropped 25")
    dropped = wait_edited(api, second)
    assert "Page 2 of 3." in dropped.plain_text
    assert not [t for t in button_texts(dropped) if t.startswith("✅ 25")]
    assert "✅ 26" in " ".join(button_texts(dropped))

    for message in api.messages(chat):
        assert utf16_len(message.plain_text) <= 4096
        assert len(message.buttons()) <= 100
    assert api.rejections() == []  # nothing refused as too long or with too many buttons


def test_topics_are_shown_as_published_and_spellings_of_one_are_one_topic(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    """``RL`` as the config spells it (the feed says ``rl``), ``Post-training`` as the feed
    first spelled it; ``post training``, ``post_training`` and a list category are the same
    topics; the chat's own topics lead the meta line; /topics puts the config's first."""
    feed.publish(
        Item("seed-1", topics=("Post-training", "rl")),
        Item("seed-2", topics=("post training, Agents",)),  # a category holding a list
        *(Item(f"tag-{n}", topics=(f"one-off-{n}",)) for n in range(30)),
    )
    bot = bots.start(feed, topics={"RL": {"keywords": ["reinforcement learning"]}})
    chat = api.add_private_chat(761)
    bot.wait_polls(1)

    assert "receives: Post-training." in say(api, chat, "/subscribe post_training").plain_text
    assert "receives: Post-training, RL." in say(api, chat, "/subscribe rl").plain_text
    menu = say(api, chat, "/topics")
    assert "Following: Post-training, RL." in menu.plain_text
    assert button_texts(menu)[1] == "✅ RL"  # the config's topic first, before 30 one-off tags
    assert "▫️ one-off-29" not in button_texts(menu)  # those are on later pages

    agents = Item("agents", topics=("Agents", "POST-TRAINING"))
    rl = Item("policy", title="Reinforcement learning, gently", topics=())
    feed.publish(agents, rl)
    push = wait_push(api, chat, agents)
    wait_push(api, chat, rl)
    assert "#Post_training #Agents" in push.plain_text  # the chat's own topic first
    latest = say(api, chat, "/latest RL").plain_text
    assert latest.startswith(f"{LATEST} · RL")
    assert rl.headline in latest


def test_subscribe_to_an_unknown_topic_subscribes_to_nothing_and_offers_the_closest(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("seed", topics=("Python", "Rust")))
    bot = bots.start(feed)
    chat = api.add_private_chat(771)
    zh = api.add_private_chat(772, "李雷", language_code="zh-hans")
    say(api, chat, "/start")
    bot.wait_polls(1)

    offer = say(api, chat, "/subscribe pyton")
    assert offer.plain_text == (
        "No entry or config has the topic pyton, so this chat was not subscribed to it. "
        "The closest topics are below: tap one to subscribe to it."
    )
    assert button_texts(offer) == ["➕ Python"]
    assert "Following: every topic." in say(api, chat, "/topics").plain_text  # unchanged
    assert press(api, chat, offer, button(offer, "Python")).text == "Following Python"
    done = wait_edited(api, offer)
    assert done.plain_text == "Subscribed to Python. This chat receives: Python."
    assert done.buttons() == []
    nothing_near = say(api, chat, "/subscribe zzz").plain_text
    assert nothing_near.endswith("/topics lists the topics in use.")

    chinese = say(api, zh, "/subscribe rusty")
    assert chinese.plain_text.startswith("没有条目或配置带有话题 rusty，所以本聊天没有订阅它。")
    assert button_texts(chinese) == ["➕ Rust"]

    later = Item("py-later", topics=("python",))
    feed.publish(later, Item("rs-later", topics=("Rust",)))
    push = wait_push(api, chat, later)
    assert headlines_in(push, [later]) == [later.headline]
