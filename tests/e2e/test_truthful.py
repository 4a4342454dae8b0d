"""Messages that say what is true, read as the chat (or the terminal) receives them.

Issue 11's list: page 2 numbers its entries as its link buttons do; /unsubscribe in a chat
that never subscribed says pushes are off; /start after an unblock keeps "everything
except"; preview shows hashtags in the order a chat does; /feeds says "1 error", never
"checked in 0s"; poll --once counts entries and chats, and its durations use one rule.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.botprocess import BotProcess
from tests.e2e.conftest import ADMIN, Bots
from tests.e2e.helpers import (
    LATEST,
    Feed,
    Item,
    button,
    button_texts,
    items,
    press,
    say,
    wait_edited,
    wait_push,
)
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer


def cli(bot: BotProcess, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args, "--config", str(bot.config_path)],
        env=bot.environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


pytestmark = pytest.mark.e2e


def test_what_chats_are_told_is_true(
    api: FakeBotAPI, feeds: FeedServer, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    broken = Feed(feeds, "/broken.xml", "Broken")
    feeds.set_status(broken.path, 500)
    bot = bots.start(feed, broken, delivery={"page_size": 2})
    reader, newcomer, returning = (api.add_private_chat(n) for n in (4101, 4102, 4103))
    say(api, reader, "/start")
    bot.wait_polls(2)

    # page 2 of a transmission numbers its entries as its link buttons do
    fresh = items("page", 3, topics=("zeta", "Alpha", "ml"))
    feed.publish(*fresh)
    push = wait_push(api, reader, fresh[-1])
    assert button_texts(push)[:2] == ["1 ↗", "2 ↗"]
    press(api, reader, push, button(push, "2"))
    page2 = wait_edited(api, push)
    assert re.search(r"^3\. ", page2.plain_text, re.MULTILINE), page2.plain_text
    assert "3 ↗" in button_texts(page2)

    # /unsubscribe where pushes were never on says they are off
    answer = say(api, newcomer, "/unsubscribe ml").plain_text
    assert "Pushes are off in this chat" in answer
    assert "/start turns them on" in answer
    assert "Pushes: off" in say(api, newcomer, "/topics").plain_text

    # /start after an unblock keeps "everything except ml"
    say(api, returning, "/start")
    say(api, returning, "/unsubscribe ml")
    api.block_chat(returning)
    api.wait_updates_consumed()
    api.unblock_chat(returning)
    again = say(api, returning, "/start").plain_text
    assert "everything except: ml" in again, again
    assert "everything except: ml" in say(api, returning, "/topics").plain_text

    # preview shows the hashtags exactly as a chat does
    shown = say(api, reader, "/latest").plain_text
    assert shown.startswith(LATEST)
    chat_meta = next(line for line in shown.splitlines() if "#zeta" in line)
    previewed = cli(bot, "preview", feed.url)
    assert chat_meta.split(" · ")[-1] in previewed, (chat_meta, previewed)

    # /feeds: "1 error" not "1 errors", never "in 0s" for a check that happened
    admin = api.add_private_chat(ADMIN, "Admin")
    listing = say(api, admin, "/feeds").plain_text
    assert re.search(r"broken\.xml: failing \((1 error|\d+ errors) in a row\)", listing), listing
    assert "1 errors" not in listing
    assert "checked in" not in listing

    # poll --once: entries and chats, not "deliveries"; one rule for durations
    assert bot.terminate() == 0
    later = items("later", 3, topics=("python",))
    feed.publish(*later)
    out = cli(bot, "poll", "--once")
    assert "3 new entries, queued for 2 chats" in out, out
    assert "deliveries" not in out, out
    assert not re.search(r"\b(1[0-9]{2}|[6-9][0-9])s\b", out), out  # no "115s": "1m 55s"

    # the log an admin reads: a line per poll cycle, per transmission batch and per
    # subscription change, with Telegram's chat ids; Alembic's lines folded into one
    log = bot.log_text()
    assert "poll cycle: 2 feeds" in log
    assert re.search(r"transmission batch: \d+ chats, \d+ messages sent", log), log
    assert f"chat {returning}: subscription on (every topic) -> on (everything except: ml)" in log
    assert f"chat {newcomer}: subscription off" in log
    assert "database schema created" in log
    assert "Running upgrade" not in log
    assert not re.search(r"INFO\s+alembic", log), log  # "setup plugin", "Context impl" ...
