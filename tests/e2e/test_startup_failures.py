"""``feedbot run`` that cannot start says why in one line, and never shows the token."""

from __future__ import annotations

import pytest

from tests.botprocess import BotProcess
from tests.e2e.conftest import TOKEN, Bots
from tests.e2e.helpers import Feed, Item, items, press, say, wait_push
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

OTHER_TOKEN = "777000111:AAFwell-formed_but_not_this_bots_token"


def assert_one_line_failure(bot: BotProcess, code: int, *fragments: str) -> str:
    assert code != 0
    err = bot.stderr_text()
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in bot.log_text()
    for fragment in fragments:
        assert fragment in err
    return err


def test_run_without_a_token_fails_with_one_line_that_says_how_to_set_it(
    feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    bot = bots.make(bots.config(feed), token=None)
    code = bot.run_to_exit()
    assert_one_line_failure(bot, code, "TELEGRAM_BOT_TOKEN")


def test_a_token_the_bot_api_rejects_fails_with_one_line(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    bot = bots.make(bots.config(feed), token=OTHER_TOKEN)
    code = bot.run_to_exit()
    assert_one_line_failure(bot, code, "rejected the bot token")
    assert OTHER_TOKEN not in bot.log_text()
    assert OTHER_TOKEN.split(":")[1] not in bot.log_text()


def test_an_unreachable_database_fails_with_one_line_without_the_password(
    feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    url = "postgresql://feedbot:s3cret-pw@127.0.0.1:1/transmission"
    bot = bots.make(bots.config(feed, database={"url": url}))
    code = bot.run_to_exit()
    err = assert_one_line_failure(bot, code, "database", "127.0.0.1:1")
    assert "s3cret-pw" not in bot.log_text()
    assert err.startswith("feedbot: ")


def test_the_token_never_reaches_the_log_even_at_debug_level(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    bot = bots.make(
        bots.config(feed, delivery={"page_size": 2}), env={"FEEDBOT_LOG_LEVEL": "DEBUG"}
    )
    bot.start()
    chat = api.add_private_chat(1701)
    say(api, chat, "/start")
    say(api, chat, "/frobnicate")  # unknown command
    bot.wait_polls(1)
    burst = items("debug", 3)
    feed.publish(*burst)
    push = wait_push(api, chat, burst[-1])
    press(api, chat, push, "forged")
    api.block_chat(chat)
    assert bot.terminate() == 0

    log = bot.log_text()
    assert " DEBUG " in log  # the level took effect: there is plenty to leak into
    assert "getUpdates" in log
    assert "/bot<redacted>" in log  # lines that carried the token, redacted
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log


def test_a_config_with_several_mistakes_fails_with_one_line_naming_each_field(
    feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("a"))
    config = bots.config(feed, polling={"interval": "5x"}, delivery={"page_size": 0})
    bot = bots.make(config)
    code = bot.run_to_exit()
    assert_one_line_failure(bot, code, "polling.interval", "delivery.page_size")
