"""Feeds managed from chat through the real bot: /add with discovery and a preview, the
errors, /pause and /resume, /sources, and what the config and the chat each manage."""

from __future__ import annotations

import pytest

from bot.render.i18n import EN
from bot.render.strings import commands as command_strings
from bot.render.strings import feeds as feed_strings
from tests.botprocess import wait_until
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

    assert say(api, reader, f"/add {url}").plain_text == EN(command_strings.ONLY_BOT_ADMINS)
    preview = say(api, admin, f"/add {url} ML")
    assert preview.plain_text.startswith("LATEST UPDATES · Blog feed")
    assert "Item backlog3 headline" in preview.plain_text
    assert button_texts(preview)[-2:] == ["Add", "Cancel"]
    assert press(api, reader, preview, button(preview, "Add"), user=READER).text == (
        EN(command_strings.ONLY_BOT_ADMINS)
    )

    press(api, admin, preview, button(preview, "Add"))
    confirmed = wait_edited(api, preview)
    assert confirmed.plain_text.startswith("Added Blog feed with the topics #ML.")  # as given
    bot.wait_polls(1)  # polled at once, silently
    fresh = Item("fresh", topics=())
    blog.publish(fresh)
    pushed = wait_push(api, reader, fresh)
    assert "#ml" in pushed.plain_text  # the topic given to /add
    assert all(copies(api, reader, old) == 0 for old in blog.entries[1:])

    again = say(api, admin, f"/add {blog.url}")
    assert again.plain_text == EN(feed_strings.add_duplicate("Blog feed"))
    assert "1. Blog feed #ML" in say(api, reader, "/sources").plain_text


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
    assert choices.plain_text.startswith(EN(feed_strings.ADD_PICK))
    assert button_texts(choices) == ["1. RSS", "2. Other", "Cancel"]

    press(api, admin, choices, button(choices, "2. Other"))
    preview = wait_edited(api, choices)
    assert preview.plain_text.startswith("LATEST UPDATES · Two (other)")
    add = button(preview, "Add")
    press(api, admin, preview, button(preview, "Cancel"))
    assert wait_edited(api, preview).plain_text == EN(feed_strings.ADD_CANCELLED)
    assert press(api, admin, preview, add).text == EN(command_strings.EXPIRED)
    assert say(api, admin, "/sources").plain_text == EN(feed_strings.NO_SOURCES)


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
    assert say(api, admin, f"/add {plain}").plain_text == EN(
        feed_strings.add_problem_no_feeds(plain)
    )
    junk = say(api, admin, f"/add {feeds.url('/junk.bin')}").plain_text
    assert junk.startswith(f"{feeds.url('/junk.bin')} is not a feed")
    assert say(api, admin, "/add").plain_text == EN(feed_strings.ADD_USAGE)
    assert say(api, admin, "/add ftp://x.example/").plain_text == EN(feed_strings.ADD_NOT_A_URL)
    assert say(api, admin, "/sources").plain_text == EN(feed_strings.NO_SOURCES)


def add_feed(api: FakeBotAPI, admin: int, url: str) -> None:
    """/add a feed's own URL and press Add; returns once the bot confirmed."""
    preview = say(api, admin, f"/add {url}")
    press(api, admin, preview, button(preview, "Add"))
    assert wait_edited(api, preview).plain_text.startswith("Added ")


def test_pause_stops_fetching_and_resume_restarts_it(
    api: FakeBotAPI, feeds: FeedServer, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("p0"))
    clock = Feed(feeds, "/clock.xml", "Clock").publish(Item("c0"))
    bot = bots.start(feed, clock)
    admin, reader = api.add_private_chat(ADMIN, "Admin"), api.add_private_chat(READER)
    say(api, reader, "/start")
    bot.wait_polls(2)

    assert say(api, admin, "/pause test FEED").plain_text == EN(
        feed_strings.feed_paused("Test feed")
    )
    assert say(api, admin, f"/pause {feed.url}").plain_text == EN(feed_strings.PAUSED_ALREADY)
    bot.wait_polls(bot.polls() + 2)  # a check that was in flight at the pause is over
    hits = feeds.hits(feed.path)
    bot.wait_polls(bot.polls() + 4)  # the clock feed is checked meanwhile, this one not
    assert feeds.hits(feed.path) == hits
    listing = say(api, admin, "/feeds")
    assert "Test feed: paused: not checked until resumed" in listing.plain_text
    assert "Resume 2" in button_texts(listing)  # by name: Clock is 1

    fresh = Item("after-pause")
    feed.publish(fresh)
    assert say(api, admin, f"/resume {feed.url}").plain_text == EN(
        feed_strings.feed_resumed("Test feed")
    )
    wait_push(api, reader, fresh)
    assert say(api, admin, "/resume nothing-like-it").plain_text == EN(
        feed_strings.no_feed_named("nothing-like-it")
    )


def test_feeds_buttons_check_pause_and_remove_with_a_confirm(
    api: FakeBotAPI, feeds: FeedServer, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("b0"))
    chat_feed = Feed(feeds, "/chat.xml", "Added in chat").publish(Item("k0"))
    bot = bots.start(feed)
    admin = api.add_private_chat(ADMIN, "Admin")
    add_feed(api, admin, chat_feed.url)
    bot.wait_polls(2)

    listing = say(api, admin, "/feeds")
    assert listing.plain_text.startswith("FEEDS (2)")
    assert "1. Added in chat: working: 1 entries" in listing.plain_text
    assert "added in chat" in listing.plain_text
    assert "from the config file" in listing.plain_text
    hits = feeds.hits(chat_feed.path)
    assert press(api, admin, listing, button(listing, "Check now 1")).text == EN(
        feed_strings.CHECKING
    )
    api.wait_for(lambda: feeds.hits(chat_feed.path) > hits, 20, "the check asked for")

    refused = press(api, admin, listing, button(listing, "Remove 2")).text
    assert refused == EN(feed_strings.in_config_file("Test feed"))
    press(api, admin, listing, button(listing, "Remove 1"))
    confirm = wait_edited(api, listing)
    assert confirm.plain_text == EN(feed_strings.confirm_remove("Added in chat"))
    press(api, admin, confirm, button(confirm, "Keep it"))
    listing = wait_edited(api, confirm)
    assert "Added in chat" in listing.plain_text
    press(api, admin, listing, button(listing, "Remove 1"))
    confirm = wait_edited(api, listing)
    press(api, admin, confirm, button(confirm, "Yes, remove it"))
    listing = wait_edited(api, confirm)
    assert listing.plain_text.startswith("FEEDS (1)")
    assert press(api, admin, confirm, button(confirm, "Yes, remove it")).text == EN(
        feed_strings.FEED_GONE
    )


def test_a_feed_removed_from_the_file_goes_and_chat_feeds_stay_after_a_restart(
    api: FakeBotAPI, feeds: FeedServer, feed: Feed, bots: Bots
) -> None:
    feed.publish(Item("f0"))
    chat_feed = Feed(feeds, "/kept.xml", "Kept from chat").publish(Item("k0"))
    bot = bots.start(feed)
    admin, reader = api.add_private_chat(ADMIN, "Admin"), api.add_private_chat(READER)
    add_feed(api, admin, chat_feed.url)
    say(api, reader, "/start")

    def sources_once_both_were_checked() -> str | None:  # the title comes with a first check
        text = say(api, reader, "/sources").plain_text
        return text if "Kept from chat" in text and "Test feed" in text else None

    sources = wait_until(sources_once_both_were_checked, 30, "both feeds' titles", every=0.5)
    assert "Kept from chat" in sources
    assert "Test feed" in sources

    bot.config["feeds"] = []
    bot.restart()
    sources = say(api, reader, "/sources").plain_text
    assert sources.startswith("SOURCES (1)")
    assert "Kept from chat" in sources
    fresh = Item("after-restart")
    chat_feed.publish(fresh)
    wait_push(api, reader, fresh)
