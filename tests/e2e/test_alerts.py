"""Dead-feed alerts through the real bot: a feed failing for polling.alert_after tells each
admin once (with buttons), and once more when it works again; the bot says hello in groups."""

from __future__ import annotations

import pytest

from bot.render.i18n import EN
from bot.render.strings import commands as command_strings
from bot.render.strings import feeds as feed_strings
from tests.e2e.conftest import ADMIN, BOT_USERNAME, Bots
from tests.e2e.helpers import Feed, Item, button, button_texts, press
from tests.fakebotapi import FakeBotAPI, SentMessage

pytestmark = pytest.mark.e2e

FAILING = "⚠️ Test feed has been failing for "
RECOVERED = "✅ Test feed works again"


def notes(api: FakeBotAPI, chat: int, start: str) -> list[SentMessage]:
    return [m for m in api.messages(chat) if m.plain_text.startswith(start)]


def wait_note(api: FakeBotAPI, chat: int, start: str, what: str) -> SentMessage:
    return api.wait_for(lambda: next(iter(notes(api, chat, start)), None), 30, what)


def test_a_failing_feed_alerts_each_admin_once_and_its_recovery_once(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    second_admin = 3201
    feed.publish(Item("ok"))
    polling = {"alert_after": "2s", "max_backoff": "2s"}
    bot = bots.start(feed, polling=polling, telegram={"admins": [ADMIN, second_admin]})
    admin = api.add_private_chat(ADMIN, "Admin")
    other = api.add_private_chat(second_admin, "Other admin")
    bot.wait_polls(1)
    feed.server.set_status(feed.path, 503)

    alert = wait_note(api, admin, FAILING, "an alert")
    assert "Last error: HTTP 503" in alert.plain_text
    assert feed.url in alert.plain_text
    assert button_texts(alert) == ["Check now", "Pause", "Remove"]
    wait_note(api, other, FAILING, "the other admin's alert")
    assert press(api, admin, alert, button(alert, "Check now")).text == EN(feed_strings.CHECKING)
    bot.wait_polls(bot.polls() + 4)  # still failing: no second alert
    assert len(notes(api, admin, FAILING)) == 1

    feed.publish(Item("back"))  # serves the feed again
    wait_note(api, admin, RECOVERED, "the recovery note")
    wait_note(api, other, RECOVERED, "the other admin's note")
    feed.server.set_status(feed.path, 503)  # fails again the same day: no new alert
    bot.wait_polls(bot.polls() + 6)
    texts = [m.plain_text[:60] for m in api.messages(admin)]
    assert [len(notes(api, admin, FAILING)), len(notes(api, admin, RECOVERED))] == [1, 1], texts


def test_the_bot_says_hello_when_added_to_a_group(api: FakeBotAPI, bots: Bots) -> None:
    bots.start()
    group = api.add_group(-3301, "Readers", admins=[3302])
    api.add_bot_to_group(group)
    hello = api.wait_for(lambda: next(iter(api.messages(group)), None), 20, "a hello")
    assert hello.plain_text == EN(command_strings.group_hello(f"@{BOT_USERNAME}"))
