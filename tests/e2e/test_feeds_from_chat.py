"""Feeds managed from chat through the real bot: /add with discovery and a preview, the
errors, /pause and /resume, /sources, and what the config and the chat each manage."""

from __future__ import annotations

import pytest

from bot.render import strings
from tests.e2e.conftest import ADMIN, Bots
from tests.e2e.helpers import (
    Feed,
    Item,
    button,
    button_texts,
    copies,
    items,
    press,
    say,
    wait_edited,
    wait_push,
)
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer

pytestmark = pytest.mark.e2e

READER = 3001


def page(*links: tuple[str, str, str]) -> str:
    """A blog's home page whose head links to feeds: (type, href, title)."""
    head = "".join(
        f'<link rel="alternate" type="{kind}" href="{href}" title="{title}">'
        for kind, href, title in links
    )
    return (
        f"<!DOCTYPE html><html><head><title>Blog</title>{head}</head>"
        "<body><h1>Blog</h1><p>Posts.</p></body></html>"
    )


def serve_page(server: FeedServer, path: str, html: str) -> str:
    server.set_feed(path, html, content_type="text/html; charset=utf-8")
    return server.url(path)


def test_add_a_page_with_one_feed_then_only_new_entries_reach_a_subscriber(
    api: FakeBotAPI, feeds: FeedServer, bots: Bots
) -> None:
    blog = Feed(feeds, "/blog/feed.xml", "Blog feed").publish(*items("backlog", 3))
    url = serve_page(feeds, "/blog/", page(("application/rss+xml", "feed.xml", "Posts")))
    bot = bots.start()
    admin, reader = api.add_private_chat(ADMIN, "Admin"), api.add_private_chat(READER)
    say(api, reader, "/start")

    assert say(api, reader, f"/add {url}").plain_text == strings.ONLY_BOT_ADMINS
    preview = say(api, admin, f"/add {url} ML")
    assert preview.plain_text.startswith("LATEST UPDATES · Blog feed")
    assert "Item backlog3 headline" in preview.plain_text
    assert button_texts(preview)[-2:] == ["Add", "Cancel"]
    assert press(api, reader, preview, button(preview, "Add"), user=READER).text == (
        strings.ONLY_BOT_ADMINS
    )

    press(api, admin, preview, button(preview, "Add"))
    confirmed = wait_edited(api, preview)
    assert confirmed.plain_text.startswith("Added Blog feed with the topics #ml.")
    bot.wait_polls(1)  # polled at once, silently
    fresh = Item("fresh", topics=())
    blog.publish(fresh)
    pushed = wait_push(api, reader, fresh)
    assert "#ml" in pushed.plain_text  # the topic given to /add
    assert all(copies(api, reader, old) == 0 for old in blog.entries[1:])

    again = say(api, admin, f"/add {blog.url}")
    assert again.plain_text == strings.add_duplicate("Blog feed")
    assert "1. Blog feed #ml" in say(api, reader, "/sources").plain_text


def test_add_a_page_with_two_feeds_offers_both_and_a_stale_button_expires(
    api: FakeBotAPI, feeds: FeedServer, bots: Bots
) -> None:
    Feed(feeds, "/two/rss.xml", "Two (RSS)").publish(Item("r1"))
    Feed(feeds, "/two/atom.xml", "Two (other)").publish(Item("a1"))
    url = serve_page(
        feeds,
        "/two/",
        page(
            ("application/rss+xml", "/two/rss.xml", "RSS"),
            ("application/atom+xml", feeds.url("/two/atom.xml"), "Other"),
        ),
    )
    bots.start()
    admin = api.add_private_chat(ADMIN, "Admin")
    choices = say(api, admin, f"/add {url}")
    assert choices.plain_text.startswith(strings.ADD_PICK)
    assert button_texts(choices) == ["1. RSS", "2. Other", "Cancel"]

    press(api, admin, choices, button(choices, "2. Other"))
    preview = wait_edited(api, choices)
    assert preview.plain_text.startswith("LATEST UPDATES · Two (other)")
    add = button(preview, "Add")
    press(api, admin, preview, button(preview, "Cancel"))
    assert wait_edited(api, preview).plain_text == strings.ADD_CANCELLED
    assert press(api, admin, preview, add).text == strings.EXPIRED
    assert say(api, admin, "/sources").plain_text == strings.NO_SOURCES


def test_add_errors_are_one_clear_reply_and_add_nothing(
    api: FakeBotAPI, feeds: FeedServer, bots: Bots
) -> None:
    feeds.set_status("/missing.xml", 404)
    plain = serve_page(feeds, "/plain/", page())
    feeds.set_feed("/junk.bin", b"\x00\x01 not a document", content_type="application/octet-stream")
    bots.start()
    admin = api.add_private_chat(ADMIN, "Admin")
    missing = say(api, admin, f"/add {feeds.url('/missing.xml')}").plain_text
    assert missing.startswith(f"Could not fetch {feeds.url('/missing.xml')}: ")
    assert "404" in missing
    assert say(api, admin, f"/add {plain}").plain_text == strings.add_problem_no_feeds(plain)
    junk = say(api, admin, f"/add {feeds.url('/junk.bin')}").plain_text
    assert junk.startswith(f"{feeds.url('/junk.bin')} is not a feed")
    assert say(api, admin, "/add").plain_text == strings.ADD_USAGE
    assert say(api, admin, "/add ftp://x.example/").plain_text == strings.ADD_NOT_A_URL
    assert say(api, admin, "/sources").plain_text == strings.NO_SOURCES
