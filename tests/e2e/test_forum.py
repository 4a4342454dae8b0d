"""Forum groups: replies go to the thread they were asked in, each thread subscribes on its
own, and a closed thread's pushes fall back to General once, with the reason recorded."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Bots
from tests.e2e.helpers import Feed, Item, say, transmissions
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.e2e


def test_threads_get_their_own_replies_and_pushes_and_a_closed_one_falls_back_to_general(
    api: FakeBotAPI, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("old"), Item("old-rust", topics=("rust",)))
    bot = bots.start(feed)
    group = api.add_group(-1801, "论坛", admins=[1801], forum=True)
    owner = 1801
    everything, rust_only = api.add_thread(group), api.add_thread(group)
    bot.wait_polls(1)  # /subscribe knows a topic once an entry carries it

    started = say(api, group, "/start", user=owner, thread=everything)
    assert started.thread_id == everything
    assert "Subscribed" in started.plain_text
    assert say(api, group, "/subscribe rust", user=owner, thread=rust_only).thread_id == rust_only
    general = say(api, group, "/latest", user=owner)
    assert general.thread_id is None  # asked in General, answered there

    def pushes(thread: int | None) -> list[str]:
        return [m.plain_text for m in transmissions(api, group) if m.thread_id == thread]

    ml = Item("forum-ml", topics=("ml",))
    feed.publish(ml)
    api.wait_for(lambda: pushes(everything) or None, 30, "the ml push in its thread")
    rust = Item("forum-rust", topics=("rust",))
    feed.publish(rust)
    api.wait_for(lambda: pushes(rust_only) or None, 30, "the rust push in the rust thread")
    api.wait_for(lambda: len(pushes(everything)) == 2 or None, 30, "rust in the everything one")
    assert ml.headline not in " ".join(pushes(rust_only))
    assert pushes(None) == []  # nothing landed in General

    api.close_thread(group, rust_only)
    closed = Item("after-close", topics=("rust",))
    feed.publish(closed)
    api.wait_for(
        lambda: any(closed.headline in text for text in pushes(None)) or None,
        30,
        "the closed thread's push in General",
    )
    later = Item("later-rust", topics=("rust",))
    feed.publish(later)
    api.wait_for(
        lambda: any(later.headline in text for text in pushes(None)) or None,
        30,
        "the next push in General",
    )
    topic_closed = [r for r in api.rejections(400) if "TOPIC_CLOSED" in (r.description or "")]
    assert len(topic_closed) == 1  # tried once; since then it goes to General directly
    bot.wait_log(r"(?i)thread \d+ gone \(topic_closed")  # the reason, recorded
    assert sum(closed.headline in text for text in pushes(None)) == 1
