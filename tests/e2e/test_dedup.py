"""Cross-feed dedup: one story from two feeds, with different tracking links, arrives once."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.e2e.conftest import Bots
from tests.e2e.helpers import Feed, Item, copies, say, transmissions, wait_edited, wait_push
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer

pytestmark = pytest.mark.e2e

STORY = "news.example/2026/12/the-story"


@dataclass(frozen=True)
class Linked(Item):
    """An item whose link is given (the same story, as another feed links it)."""

    href: str = ""

    @property
    def link(self) -> str:
        return self.href or super().link


def test_the_same_story_from_two_feeds_with_different_tracking_links_reaches_a_chat_once(
    api: FakeBotAPI, feeds: FeedServer, bots: Bots
) -> None:
    alpha, beta = Feed(feeds, "/alpha.xml", "Alpha"), Feed(feeds, "/beta.xml", "Beta")
    alpha.publish(Item("a-old"))
    beta.publish(Item("b-old"))
    bot = bots.start(
        {"url": alpha.url, "name": "Alpha News"}, {"url": beta.url, "name": "Beta Wire"}
    )
    chat = api.add_private_chat(1401)
    say(api, chat, "/start")
    bot.wait_polls(1)

    # both feeds carry it in the same cycle: one copy, naming the other feed
    via_alpha = Linked(
        "s1-a", title="Story one via Alpha", href=f"https://{STORY}-1?utm_source=rss"
    )
    via_beta = Linked(
        "s1-b", title="Story one via Beta", href=f"http://www.{STORY}-1/?from=feed&spm=a.b"
    )
    alpha.publish(via_alpha)
    beta.publish(via_beta)
    pushes = api.wait_for(
        lambda: [m for m in transmissions(api, chat) if "Story one via" in m.plain_text] or None,
        30,
        "story one pushed",
    )
    (push,) = pushes
    shown, other = (
        ("Alpha", "Beta Wire") if "via Alpha" in push.plain_text else ("Beta", "Alpha News")
    )
    assert f"Story one via {'Beta' if shown == 'Alpha' else 'Alpha'}" not in push.plain_text
    assert f"also in {other}" in push.plain_text

    # a later copy from the other feed, after the first went out: not sent again
    first = Linked("s2-a", title="Story two via Alpha", href=f"https://m.{STORY}-2#top")
    alpha.publish(first)
    first_push = wait_push(api, chat, first)
    again = Linked("s2-b", title="Story two via Beta", href=f"https://{STORY}-2?fbclid=xyz")
    different = Linked("s3-b", title="Story two via Alpha", href=f"https://{STORY}-3")
    beta.publish(again, different)
    api.wait_for(  # the same title under another path: another story, pushed
        lambda: copies(api, chat, different) == 2 or None, 30, "the other path pushed"
    )
    marker = Item("marker")
    alpha.publish(marker)
    bot.wait_polls(bot.polls() + 2)
    wait_push(api, chat, marker)
    assert copies(api, chat, again) == 0
    named = wait_edited(api, first_push)  # the first copy, still editable, names the other
    assert "also in Beta Wire" in named.plain_text
    assert sum("Story one via" in m.plain_text for m in transmissions(api, chat)) == 1
