"""A Bot API outage longer than any retry budget: nothing is lost, nothing is sent twice,
and the API is not hammered while it is down."""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from tests.e2e.conftest import ADMIN, Bots
from tests.e2e.helpers import Feed, Item, copies, say, subscribe_many, transmissions, wait_push
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e

#: short waits so that the outage below is many retries long: the old sender gave up after
#: ``max_attempts`` failures of a row (8, over about four minutes); here it is 2, and the
#: outage lasts through a dozen retries
RETRIES = {"retry_min": "0.2s", "retry_max": "1s", "max_attempts": 2}
OUTAGE_5XX = 5.0  #: seconds of 502 answers ...
OUTAGE_DROPS = 5.0  #: ... then seconds of connections closed without an answer


def test_an_outage_of_every_method_loses_nothing_and_sends_each_message_once(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"))
    # PTB logs each failed getUpdates with a traceback; the bot's own code logs none (below)
    bot = bots.make(bots.config(feed, delivery=RETRIES), expect_tracebacks=True).start()
    chats = list(range(1601, 1611))
    subscribe_many(api, chats)
    bot.wait_polls(1)

    began = time.monotonic()
    api.fail(502, seconds=OUTAGE_5XX)  # Telegram (or the proxy in front of it) is down ...
    api.drop_connections(seconds=OUTAGE_5XX + OUTAGE_DROPS)  # ... then the network is
    entry = Item("during-the-outage")
    feed.publish(entry)
    api.wait_for(lambda: api.rejections(502), 20, "the first refused send")
    for chat in chats:
        wait_push(api, chat, entry, timeout=60)
    delivered = time.monotonic()

    assert delivered - began >= OUTAGE_5XX + OUTAGE_DROPS  # nothing got through the outage
    refused = api.sent_log("sendMessage", ok=False)
    per_chat = Counter(e.chat_id for e in refused)
    # more failures than max_attempts for the chat that probed: they did not count
    assert max(per_chat.values()) > RETRIES["max_attempts"], per_chat
    assert {e.error_code for e in refused} == {502, None}  # both kinds of failure were met
    # one pause for everyone: a few probes a second at most, where ten chats retrying on
    # their own every second would have made over a hundred attempts
    assert len(refused) <= 40, per_chat
    assert [copies(api, chat, entry) for chat in chats] == [1] * len(chats)
    assert [len(transmissions(api, chat)) for chat in chats] == [1] * len(chats)

    admin = api.add_private_chat(ADMIN, "Admin")
    # a chat can hold its copy a moment before the bot marks the row sent: ask again
    deadline = time.monotonic() + 30
    while "Queue: 0 pending, 0 failed" not in (stats := say(api, admin, "/stats").plain_text):
        assert time.monotonic() < deadline, stats
    later = Item("after-the-outage")
    feed.publish(later)
    for chat in chats:
        wait_push(api, chat, later)
    assert [len(transmissions(api, chat)) for chat in chats] == [2] * len(chats)

    bot.terminate()
    # PTB's updater logs each failed getUpdates with a traceback through its own code only
    own_tracebacks = [
        block
        for block in re.split(r"\n(?=\S)", bot.log_text())
        if block.startswith("Traceback") and "/bot/" in block
    ]
    assert own_tracebacks == []
