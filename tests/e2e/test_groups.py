"""Groups: only group admins change what a group receives; anyone may read."""

from __future__ import annotations

import pytest

from tests.botprocess import wait_until
from tests.e2e.conftest import ADMIN, BOT_USERNAME, Bots
from tests.e2e.helpers import (
    LATEST,
    Feed,
    Item,
    button,
    copies,
    items,
    press,
    say,
    transmissions,
    wait_push,
)
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

ADMIN_ONLY_REPLY = "Only group admins can change this group's subscription."


def test_only_group_admins_change_a_groups_subscription_and_anyone_may_read(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(*items("g", 3))
    bot = bots.start(feed)
    group = api.add_group(-901, "Reading club", admins=[901])
    owner, member = 901, 902

    for command in ("/start", "/subscribe ml", f"/stop@{BOT_USERNAME}", "/unsubscribe ml"):
        assert say(api, group, command, user=member).plain_text == ADMIN_ONLY_REPLY
    menu = say(api, group, "/topics", user=member)
    assert "Pushes: off" in menu.plain_text
    refused = press(api, group, menu, button(menu, "Everything"), user=member)
    assert refused.text == "Only group admins can change topics here."
    bot.wait_polls(1)
    assert api.message(group, menu.message_id).edits == 0  # type: ignore[union-attr]
    page = say(api, group, "/latest", user=member)
    assert page.plain_text.startswith(LATEST)

    assert "Subscribed: this group" in say(api, group, "/start", user=owner).plain_text
    assert "Pushes: on" in say(api, group, "/topics", user=member).plain_text
    entry = Item("for-the-club")
    feed.publish(entry)
    wait_push(api, group, entry)
    assert copies(api, group, entry) == 1


def test_a_supergroup_admin_may_subscribe_it_to_one_topic(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old", topics=("ml", "python")))
    bot = bots.start(feed)
    group = api.add_group(-1001000000911, "Supergroup", admins=[911, 912], supergroup=True)
    bot.wait_polls(1)  # /subscribe knows a topic once an entry carries it

    assert "receives: python." in say(api, group, "/subscribe python", user=912).plain_text
    assert say(api, group, "/subscribe ml", user=913).plain_text == ADMIN_ONLY_REPLY
    ml, python = Item("ml", topics=("ml",)), Item("py", topics=("python",))
    feed.publish(ml, python)
    push = wait_push(api, group, python)
    assert ml.headline not in push.plain_text


def wait_chats(api: FakeBotAPI, admin: int, counts: str) -> None:
    """Ask /stats (as a bot admin) until it shows ``Chats: <counts>``."""
    wait_until(
        lambda: f"Chats: {counts}" in say(api, admin, "/stats").plain_text,
        30,
        f"/stats showing Chats: {counts}",
        every=0.2,
    )


def test_a_group_that_adds_the_bot_back_gets_pushes_again_unless_it_had_stopped_them(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    admin = api.add_private_chat(ADMIN, "Admin")
    club = api.add_group(-921, "Club", admins=[921])
    quiet = api.add_group(-922, "Quiet", admins=[922])
    bot.wait_polls(1)  # /subscribe knows a topic once an entry carries it
    assert "receives: ml." in say(api, club, "/subscribe ml", user=921).plain_text
    say(api, quiet, "/start", user=922)
    assert "Stopped" in say(api, quiet, "/stop", user=922).plain_text

    api.block_chat(club)  # the bot is removed from both groups
    api.block_chat(quiet)
    wait_chats(api, admin, "0 active, 2 inactive")
    api.unblock_chat(club)  # ... and added back
    api.unblock_chat(quiet)
    wait_chats(api, admin, "1 active, 1 inactive")

    ml, other = Item("back-ml", topics=("ml",)), Item("back-other", topics=("rust",))
    feed.publish(ml, other)
    push = wait_push(api, club, ml)
    assert other.headline not in push.plain_text  # its topics are as they were
    menu = say(api, club, "/topics", user=921).plain_text
    assert "Pushes: on. Following: ml." in menu
    assert "Pushes: off" in say(api, quiet, "/topics", user=922).plain_text
    assert transmissions(api, quiet) == []
