"""Feed discovery on a web page, and the /add buttons' callback data."""

from __future__ import annotations

import pytest

from bot.chat.adding import read_add
from bot.domain import FeedCandidate
from bot.render import callbacks
from bot.render.strings import feeds as feed_strings
from bot.text.discover import feed_links, looks_like_html

PAGE = "https://blog.example/posts/index.html"


def test_alternate_feeds_are_found_resolved_and_deduplicated() -> None:
    html = """<!doctype html><html><head>
      <link rel="stylesheet" href="/s.css" type="text/css">
      <link rel="alternate" type="application/rss+xml" href="../feed.xml" title=" Main
        feed ">
      <link rel="Alternate Home" type="application/atom+xml; charset=utf-8" href="/atom">
      <link rel="alternate" type="application/feed+json" href="https://cdn.example/f.json">
      <link rel="alternate" type="application/rss+xml" href="https://blog.example/feed.xml">
      <link rel="alternate" type="text/html" href="/fr/" hreflang="fr">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
      <link rel="alternate" type="application/rss+xml" href="">
    </head><body><link rel="alternate" type="application/rss+xml" href="late.xml"></body></html>"""
    assert feed_links(html, PAGE) == [
        FeedCandidate("https://blog.example/feed.xml", "Main feed"),
        FeedCandidate("https://blog.example/atom", ""),
        FeedCandidate("https://cdn.example/f.json", ""),
        FeedCandidate("https://blog.example/posts/late.xml", ""),
    ]


def test_a_base_element_moves_relative_links() -> None:
    html = (
        '<html><head><base href="https://static.example/b/">'
        '<link rel="alternate" type="application/atom+xml" href="atom.xml"></head></html>'
    )
    assert feed_links(html, PAGE) == [FeedCandidate("https://static.example/b/atom.xml", "")]


def test_pages_without_feeds_and_non_pages() -> None:
    assert feed_links("<html><head><title>x</title></head></html>", PAGE) == []
    assert feed_links("", PAGE) == []
    assert looks_like_html("  <!DOCTYPE html><html>")
    assert not looks_like_html('{"version": "x"}')


def test_entities_are_not_expanded_from_outside() -> None:
    html = (
        '<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]><html><head>'
        '<link rel="alternate" type="application/rss+xml" href="/f.xml" title="&x;"></head></html>'
    )
    [link] = feed_links(html, PAGE)
    assert "root" not in link.title


@pytest.mark.parametrize(
    "action",
    [
        callbacks.AddPick("a1b2c3d4e5", 3),
        callbacks.AddConfirm("a1b2c3d4e5"),
        callbacks.AddCancel("a1b2c3d4e5"),
        callbacks.FeedButton("pause", 2**63 - 1, 100_000),
        callbacks.FeedButton("remove_confirmed", 7, 0),
        callbacks.FeedsPage(2),
        callbacks.SourcesPage(9),
    ],
)
def test_feed_buttons_round_trip_within_64_bytes(action: callbacks.Action) -> None:
    data = callbacks.encode(action)
    assert len(data.encode()) <= callbacks.MAX_BYTES
    assert callbacks.decode(data) == action


@pytest.mark.parametrize(
    "data", ["A:AB:+", "A:a1b2:0", "A:a1b2:+x", "F:z:1:1", "F:p:0:1", "F:p:1", "FP:0", "SP:x"]
)
def test_forged_feed_buttons_decode_to_nothing(data: str) -> None:
    assert callbacks.decode(data) is None


def test_add_arguments() -> None:
    request, problem = read_add("blog.example/posts  ML  #rl ml")
    assert problem is None
    assert request is not None
    # as the admin spelled them, once per topic (ML and ml are one)
    assert (request.url, request.topics) == ("https://blog.example/posts", ("ML", "rl"))
    assert read_add("") == (None, feed_strings.ADD_USAGE)
    assert read_add("ftp://x.example/") == (None, feed_strings.ADD_NOT_A_URL)
    assert read_add("http://") == (None, feed_strings.ADD_NOT_A_URL)
