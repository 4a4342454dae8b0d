"""The buttons under a single-entry push: more/less, mute this feed here, less of #topic."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Bots
from tests.e2e.helpers import (
    Feed,
    Item,
    button,
    button_texts,
    copies,
    press,
    say,
    wait_edited,
    wait_push,
)
from tests.fakebotapi import FakeBotAPI, SentMessage
from tests.feedserver import FeedServer

pytestmark = pytest.mark.e2e

EXPIRED = "This button has expired."
LONG = " ".join(f"Sentence {n} of a long article about the relay station." for n in range(60))


def after_press(
    api: FakeBotAPI, chat: int, message: SentMessage, label: str, **kw: int
) -> tuple[str | None, SentMessage]:
    """Press the button labelled ``label``; the toast and the message after its edit."""
    answer = press(api, chat, message, button(message, label), **kw)
    return answer.text, wait_edited(api, message)


def test_more_expands_the_push_to_the_full_text_and_less_collapses_it(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    chat = api.add_private_chat(1431)
    say(api, chat, "/start")
    bot.wait_polls(1)
    entry = Item("long", text=LONG)
    feed.publish(entry)
    push = wait_push(api, chat, entry)
    assert "Sentence 59" not in push.plain_text
    assert button_texts(push)[:2] == ["Open ↗", "More ⌄"]

    _, expanded = after_press(api, chat, push, "More")
    assert "Sentence 59 of a long article" in expanded.plain_text
    assert "Less ⌃" in button_texts(expanded)
    _, collapsed = after_press(api, chat, expanded, "Less")
    assert collapsed.plain_text == push.plain_text
    assert "More ⌄" in button_texts(collapsed)
    assert press(api, chat, push, "E:x:999999:0").text == EXPIRED  # forged: another entry


def test_mute_stops_that_feed_for_that_chat_only_and_undo_brings_it_back(
    api: FakeBotAPI, feeds: FeedServer, bots: Bots
) -> None:
    noisy, quiet = Feed(feeds, "/noisy.xml", "Noisy"), Feed(feeds, "/quiet.xml", "Quiet")
    noisy.publish(Item("n-old"))
    quiet.publish(Item("q-old"))
    bot = bots.start({"url": noisy.url, "name": "Noisy Blog"}, quiet)
    muter, other = api.add_private_chat(1441), api.add_private_chat(1442)
    for chat in (muter, other):
        say(api, chat, "/start")
    bot.wait_polls(1)
    first = Item("n1")
    noisy.publish(first)
    push = wait_push(api, muter, first)
    wait_push(api, other, first)

    toast, muted = after_press(api, muter, push, "Mute this feed here")
    assert toast is not None
    assert "Muted Noisy Blog" in toast
    assert "↶ Undo" in button_texts(muted)
    second, marker = Item("n2"), Item("q1")
    noisy.publish(second)
    quiet.publish(marker)
    wait_push(api, muter, marker)
    wait_push(api, other, second)
    wait_push(api, other, marker)
    bot.wait_polls(bot.polls() + 2)
    assert copies(api, muter, second) == 0

    toast, _ = after_press(api, muter, muted, "↶ Undo")
    assert toast == "Noisy Blog is back on in this chat."
    third = Item("n3")
    noisy.publish(third)
    wait_push(api, muter, third)


def test_less_of_a_topic_skips_it_and_a_group_members_press_changes_nothing(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    chat = api.add_private_chat(1451)
    group = api.add_group(-1452, "Club", admins=[1453])
    owner, member = 1453, 1454
    say(api, chat, "/start")
    say(api, group, "/start", user=owner)
    bot.wait_polls(1)
    entry = Item("ml-1", topics=("ml",))
    feed.publish(entry)
    push = wait_push(api, chat, entry)
    in_group = wait_push(api, group, entry)

    for label in ("Mute this feed here", "Less of #ml"):
        refused = press(api, group, in_group, button(in_group, label), user=member)
        assert refused.text == "Only group admins can change this group's subscription."
    toast, fewer = after_press(api, chat, push, "Less of #ml")
    assert toast == "This chat now skips #ml. Undo is under the message."
    assert "everything except: ml" in say(api, chat, "/topics").plain_text
    skipped, taken = Item("ml-2", topics=("ml",)), Item("py-1", topics=("python",))
    feed.publish(skipped, taken)
    wait_push(api, chat, taken)
    wait_push(api, group, skipped)  # the member's presses changed nothing for the group
    bot.wait_polls(bot.polls() + 2)
    assert copies(api, chat, skipped) == 0
    assert api.message(group, in_group.message_id).edits == 0  # type: ignore[union-attr]
    toast, _ = after_press(api, chat, fewer, "↶ Undo")
    assert toast == "This chat takes #ml again."
