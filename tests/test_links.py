"""Canonical links: one story reached through different feeds compares equal."""

from __future__ import annotations

import pytest

from bot.text.links import MAX_CANONICAL_CHARS, canonical_link

SAME_STORY = [
    ("https://news.example/a/story", "news.example/a/story"),
    ("http://news.example/a/story", "news.example/a/story"),
    ("https://www.news.example/a/story/", "news.example/a/story"),
    ("https://m.news.example/a/story", "news.example/a/story"),
    ("https://NEWS.example:443/a/story#comments", "news.example/a/story"),
    ("http://news.example:80/a/story", "news.example/a/story"),
    ("https://news.example/a/story?utm_source=rss&utm_medium=feed", "news.example/a/story"),
    ("https://news.example/a/story?spm=a2c.1&from=timeline&xtor=RSS-1", "news.example/a/story"),
    ("https://news.example/a/story?fbclid=x&gclid=y&mc_cid=1&mc_eid=2", "news.example/a/story"),
    ("https://news.example/a/story?igshid=z&ref=hn&ref_src=twsrc", "news.example/a/story"),
    ("https://news.example/a/story?UTM_Campaign=Big", "news.example/a/story"),
]


@pytest.mark.parametrize(("link", "canonical"), SAME_STORY)
def test_variants_of_one_link_share_the_canonical_form(link: str, canonical: str) -> None:
    assert canonical_link(link) == canonical


def test_other_query_parameters_stay_sorted() -> None:
    assert (
        canonical_link("https://x.example/p?id=7&lang=en&utm_term=a") == "x.example/p?id=7&lang=en"
    )
    assert canonical_link("https://x.example/p?lang=en&id=7") == "x.example/p?id=7&lang=en"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://x.example/2026/a", "https://x.example/2026/b"),  # another path: another story
        ("https://x.example/p?id=1", "https://x.example/p?id=2"),
        ("https://x.example:8080/p", "https://x.example/p"),  # another port: another server
        ("https://blog.x.example/p", "https://x.example/p"),
        ("https://x.example/P", "https://x.example/p"),  # paths are case-sensitive
    ],
)
def test_different_pages_stay_different(one: str, other: str) -> None:
    assert canonical_link(one) != canonical_link(other)


@pytest.mark.parametrize(
    "link", [None, "", "  ", "mailto:a@b.example", "/relative/path", "http://[::1"]
)
def test_no_web_address_has_no_canonical_link(link: str | None) -> None:
    assert canonical_link(link) is None


def test_a_bare_two_label_host_keeps_its_m_or_www() -> None:
    assert canonical_link("https://m.example/p") == "m.example/p"  # the domain itself


def test_a_very_long_link_is_stored_as_a_hash() -> None:
    long = "https://x.example/" + "a" * 5000
    canonical = canonical_link(long)
    assert canonical is not None
    assert canonical.startswith("sha256:")
    assert len(canonical) <= MAX_CANONICAL_CHARS
    assert canonical == canonical_link(long + "?utm_source=x")
