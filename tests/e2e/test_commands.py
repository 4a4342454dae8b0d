"""Commands as users type them: /start, /help, the command menu, groups, mistakes."""

from __future__ import annotations

import pytest

from tests.botprocess import wait_until
from tests.e2e.conftest import ADMIN, BOT_USERNAME, Bots
from tests.e2e.helpers import Feed, Item, copies, items, say, say_unanswered, wait_push
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

PUBLIC = [
    "start",
    "latest",
    "next",
    "search",
    "topics",
    "subscribe",
    "unsubscribe",
    "stop",
    "settings",
    "filter",
    "sources",
    "help",
]
ADMIN_ONLY = ["stats", "feeds", "add", "remove", "pause", "resume", "export"]


def test_start_subscribes_the_chat_to_new_entries(api: FakeBotAPI, feed: Feed, bots: Bots) -> None:
    feed.publish(*items("old", 2))
    bot = bots.start(feed)
    reader, bystander = api.add_private_chat(501, "Reader"), api.add_private_chat(502, "Other")

    assert "Subscribed" in say(api, reader, "/start").plain_text
    assert "LATEST UPDATES" in say(api, bystander, "/latest").plain_text  # a chat, not subscribed
    bot.wait_polls(1)
    new = Item("fresh")
    feed.publish(new)

    push = wait_push(api, reader, new)
    assert push.plain_text.startswith("INCOMING TRANSMISSION")
    assert [m.plain_text.split("\n")[0] for m in api.messages(bystander)] == ["LATEST UPDATES"]


def test_help_lists_the_commands_and_the_menu_has_admin_extras_for_admins(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    bots.start(feed)
    reader = api.add_private_chat(511, "Reader")
    admin = api.add_private_chat(ADMIN, "Admin")

    help_text = say(api, reader, "/help").plain_text
    for name in PUBLIC:
        assert f"/{name} " in help_text
    for name in ADMIN_ONLY:
        assert f"/{name}" not in help_text
    admin_help = say(api, admin, "/help").plain_text
    for name in PUBLIC + ADMIN_ONLY:
        assert f"/{name} " in admin_help

    menu = [c["command"] for c in api.commands()]
    assert menu == PUBLIC
    admin_menu = [c["command"] for c in api.commands({"type": "chat", "chat_id": ADMIN})]
    assert set(admin_menu) == set(PUBLIC + ADMIN_ONLY)
    assert all(c["description"] for c in api.commands())


def test_commands_work_as_cmd_at_botname_in_groups(api: FakeBotAPI, feed: Feed, bots: Bots) -> None:
    feed.publish(*items("g", 3))
    bots.start(feed)
    group = api.add_group(-521, "Readers", admins=[521])
    api.add_user(522, "Member")

    assert "/latest" in say(api, group, f"/help@{BOT_USERNAME}", user=522).plain_text
    subscribed = say(api, group, f"/start@{BOT_USERNAME}", user=521).plain_text
    assert "Subscribed: this group" in subscribed
    assert "Pushes: on" in say(api, group, f"/topics@{BOT_USERNAME}", user=522).plain_text
    unknown = say(api, group, f"/frobnicate@{BOT_USERNAME}", user=522).plain_text
    assert "Unknown command /frobnicate" in unknown
    assert "/help" in unknown


def test_commands_for_another_bot_or_unknown_ones_are_ignored_in_groups(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    bots.start(feed)
    group = api.add_group(-531, "Two bots here", admins=[531])

    say_unanswered(api, group, "/help@some_other_bot", user=531)
    say_unanswered(api, group, "/start@some_other_bot", user=531)
    say_unanswered(api, group, "/frobnicate", user=531)
    # /start@other did not subscribe the group either
    assert "Pushes: off" in say(api, group, "/topics", user=531).plain_text


def test_an_unknown_command_in_a_private_chat_gets_a_short_hint(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    bots.start(feed)
    chat = api.add_private_chat(541)

    reply = say(api, chat, "/frobnicate now").plain_text
    assert "/frobnicate" in reply
    assert "/help" in reply
    assert len(reply) < 200


def test_several_commands_sent_at_once_are_all_answered(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    bot = bots.start(feed)
    bot.wait_polls(1)
    chat = api.add_private_chat(561)
    commands = ["/help", "/latest", "/topics", "/frobnicate", "/subscribe ml", "/unsubscribe"]
    for command in commands:  # faster than Telegram lets the bot answer in one chat
        api.user_sends(chat, chat, command)

    replies = api.wait_for(
        lambda: m if len(m := api.messages(chat)) >= len(commands) else None,
        30,
        "an answer to every command",
    )
    heads = sorted(m.plain_text.split("\n")[0] for m in replies)
    assert heads == sorted(
        [
            "TRANSMISSION",
            "LATEST UPDATES",
            "TOPICS",
            "Unknown command /frobnicate. /help lists what I can do.",
            "Subscribed to ml. This chat receives: ml.",
            "Usage: /unsubscribe <topic>, e.g. /unsubscribe ml. /topics lists the topics.",
        ]
    )


def test_subscribe_without_a_topic_or_with_an_overlong_one_answers_usage_and_changes_nothing(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    bots.start(feed)
    chat = api.add_private_chat(551)
    say(api, chat, "/start")

    for command in ["/subscribe", "/subscribe    ", "/unsubscribe", "/subscribe " + "x" * 300]:
        reply = say(api, chat, command).plain_text
        assert "Usage: /" in reply, (command, reply)
    assert "Following: every topic" in say(api, chat, "/topics").plain_text


def test_commands_for_another_bot_are_ignored_in_private_chats_too(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    bots.start(feed)
    chat = api.add_private_chat(571)

    say_unanswered(api, chat, "/start@some_other_bot", user=chat)
    say_unanswered(api, chat, "/frobnicate@some_other_bot", user=chat)
    assert "Pushes: off" in say(api, chat, "/topics").plain_text
    assert "Subscribed" in say(api, chat, f"/start@{BOT_USERNAME.upper()}").plain_text


def test_a_private_chat_that_unblocks_the_bot_gets_pushes_again(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.start(feed)
    admin = api.add_private_chat(ADMIN, "Admin")
    reader = api.add_private_chat(581)
    bot.wait_polls(1)  # /subscribe knows a topic once an entry carries it
    say(api, reader, "/subscribe ml")

    def chats(counts: str) -> None:
        wait_until(
            lambda: f"Chats: {counts}" in say(api, admin, "/stats").plain_text,
            30,
            f"/stats showing Chats: {counts}",
            every=0.2,
        )

    api.block_chat(reader)
    chats("0 active, 1 inactive")
    missed = Item("while-blocked", topics=("ml",))
    feed.publish(missed)
    bot.wait_polls(bot.polls() + 2)
    api.unblock_chat(reader)  # without a /start: Telegram only says the bot is a member again
    chats("1 active, 0 inactive")
    back = Item("after-unblocking", topics=("ml",))
    feed.publish(back)
    wait_push(api, reader, back)
    assert copies(api, reader, missed) == 0
    assert "Following: ml." in say(api, reader, "/topics").plain_text
