"""Edit on update: a post that changes is edited in place in every message that shows it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.e2e.conftest import Bots
from tests.e2e.helpers import Feed, Item, rss, say, wait_edited, wait_push
from tests.fakebotapi import FakeBotAPI, SentMessage

pytestmark = pytest.mark.e2e

EDIT = "editMessageText"


def revise(feed: Feed, old: Item, new: Item) -> None:
    """The publisher changes an entry in place (same guid, same position)."""
    feed.entries = [new if item.guid == old.guid else item for item in feed.entries]
    feed.server.set_feed(feed.path, rss(feed.entries, feed.title))


def edits_of(api: FakeBotAPI, message: SentMessage, *, ok: bool | None = True) -> int:
    return sum(
        entry.message_id == message.message_id and entry.chat_id == message.chat_id
        for entry in api.sent_log(EDIT, ok=ok)
    )


def test_an_edited_post_edits_its_pushes_in_three_chats_and_a_whitespace_change_none(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    everything, ml_one, ml_two = (api.add_private_chat(n) for n in (1411, 1412, 1413))
    bot.wait_polls(1)  # /subscribe knows a topic once an entry carries it
    say(api, everything, "/start")
    say(api, ml_one, "/subscribe ml")
    say(api, ml_two, "/subscribe ml")

    post = Item("post", title="Launch delayed", topics=("ml",), text="The launch moves to May.")
    other = Item("other", topics=("python",))
    feed.publish(post, other)
    shown = [wait_push(api, chat, post) for chat in (everything, ml_one, ml_two)]
    assert "2 new" in shown[0].plain_text  # a multi-entry transmission, and two single pushes

    # only whitespace and markup change: nothing is edited
    revise(feed, post, replace(post, title="Launch   delayed", text="The  launch moves\nto May."))
    bot.wait_polls(bot.polls() + 3)
    # the title and summary change as a reader sees them: every message is edited once
    fixed = replace(post, title="Launch delayed again", text="The launch moves to June.")
    revise(feed, post, fixed)
    edited = [wait_edited(api, message) for message in shown]
    for message in edited:
        assert fixed.headline in message.plain_text
        assert "moves to June" in message.plain_text
        assert "updated" in message.plain_text
    assert other.headline in edited[0].plain_text  # the other entry of the transmission stays
    bot.wait_polls(bot.polls() + 2)
    assert [edits_of(api, m, ok=None) for m in shown] == [1, 1, 1]
    assert bot.metric("feedbot_edits_total") == 3


def test_a_crash_while_an_edit_is_in_flight_still_edits_the_message_once(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed, delivery={"lease": "5s"})
    chat = api.add_private_chat(1421)
    say(api, chat, "/start")
    bot.wait_polls(1)
    post = Item("post", title="First version")
    feed.publish(post)
    push = wait_push(api, chat, post)

    api.fail(502, methods=[EDIT])  # the edit is queued and tried, but does not go through
    fixed = replace(post, title="Second version")
    revise(feed, post, fixed)
    api.wait_for(lambda: api.calls(EDIT) or None, 30, "an attempt of the edit")
    bot.kill()  # kill -9 with the edit queued and not done
    api.clear_faults()
    bot.start()
    message = wait_edited(api, push, timeout=60)
    assert fixed.headline in message.plain_text
    bot.wait_polls(bot.polls() + 2)
    assert edits_of(api, push) == 1
