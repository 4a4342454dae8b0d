"""``feedbot run`` parses in worker processes: a document that takes too long is stopped and
its worker replaced, the other feeds keep pushing, and the main process stays small."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import FAST_POLLING, Bots
from tests.e2e.helpers import Feed, Item, say, wait_push
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer, many_entries_rss
from tests.test_hostile_feeds import MAIN_PROCESS_LIMIT, MB, PeakMemory

pytestmark = pytest.mark.e2e


def test_a_slow_feed_never_holds_up_pushes_and_run_stays_small(
    api: FakeBotAPI, feeds: FeedServer, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("first"))
    feeds.set_feed("/many.xml", many_entries_rss(100_000))
    polling = {**FAST_POLLING, "parse_timeout": "2s", "parse_workers": 2, "max_backoff": "30s"}
    # Intervals that outlast a cycle (the big feed takes 2 s, its backoff grows): a feed
    # due again before the cycle ends keeps the cycle going, and pushes then wait for
    # delivery.gather_max instead of the cycle's end.
    bot = bots.start(
        {"url": feed.url, "interval": "4s"},
        {"url": feeds.url("/many.xml"), "name": "many"},
        polling=polling,
    )
    assert bot.pid is not None
    peak = PeakMemory(bot.pid)
    reader = api.add_private_chat(901)
    say(api, reader, "/start")

    bot.wait_log(r"feed \S+/many\.xml failed \(1 in a row\): took longer than 2 s to parse", 90)
    entry = Item("while-the-big-one-fails")
    feed.publish(entry)
    wait_push(api, reader, entry)
    bot.wait_log(r"many\.xml failed \(2 in a row\): took longer than 2 s to parse", 90)
    peak.stop()
    workers = peak.children

    assert bot.terminate() == 0
    assert peak.main < MAIN_PROCESS_LIMIT, f"feedbot run peaked at {peak.main / MB:.0f} MB"
    assert workers > 0  # the parsing happened in child processes
