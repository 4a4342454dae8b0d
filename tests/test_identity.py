"""Entry keys, links and content hashes; duplicates and keys that do not depend on position."""

from __future__ import annotations

import json

import pytest

from bot.ingest.identity import content_hash, entry_key, normalise_link
from tests.feeddocs import HEX64, item, parse, rss

# --------------------------------------------------------------------------- identity


@pytest.mark.parametrize(
    ("guid", "link", "expected"),
    [
        pytest.param("  abc-1 ", "https://x.example/a", "id:abc-1", id="guid-stripped"),
        pytest.param(
            "http://x.example/p?id=1",
            None,
            "id:http://x.example/p?id=1",
            id="url-guid-kept-verbatim",
        ),
        pytest.param(
            " \t", "https://x.example/a", "link:https://x.example/a", id="blank-guid-uses-link"
        ),
        pytest.param(
            None,
            "HTTPS://News.Example.COM:443/Path/Story?b=2&utm_source=rss&a=1#comments",
            "link:https://news.example.com/Path/Story?b=2&a=1",
            id="link-normalised",
        ),
        pytest.param(
            "link:https://x.example/",
            None,
            "id:link:https://x.example/",
            id="guid-cannot-pose-as-link",
        ),
    ],
)
def test_entry_key_prefers_guid_then_link(
    guid: str | None, link: str | None, expected: str
) -> None:
    assert entry_key(guid, link, "title", "text") == expected


def test_entry_key_falls_back_to_a_content_hash() -> None:
    key = entry_key(None, " ", "Title", "Body")

    assert key.startswith("hash:")
    assert HEX64.fullmatch(key.removeprefix("hash:"))
    assert key == entry_key("", None, "Title", "Body")
    assert key != entry_key(None, None, "Title", "Other body")
    assert key != entry_key(None, None, "TitleB", "ody")  # the parts stay apart


@pytest.mark.parametrize(
    ("guid", "link", "prefix"),
    [
        pytest.param("g" * 600, None, "id-sha256:", id="long-guid"),
        pytest.param(None, "https://x.example/" + "p" * 600, "link-sha256:", id="long-link"),
    ],
)
def test_long_keys_are_hashed(guid: str | None, link: str | None, prefix: str) -> None:
    key = entry_key(guid, link, "t", "x")

    assert key.startswith(prefix)
    assert HEX64.fullmatch(key.removeprefix(prefix))
    assert key == entry_key(guid, link, "other title", "other text")


@pytest.mark.parametrize(
    ("link", "normal"),
    [
        pytest.param("HTTP://Example.COM:80/a", "http://example.com/a", id="case-and-default-port"),
        pytest.param(
            "https://example.com:8443/a", "https://example.com:8443/a", id="other-port-kept"
        ),
        pytest.param("https://example.com", "https://example.com/", id="empty-path"),
        pytest.param("https://example.com/a#top", "https://example.com/a", id="fragment-dropped"),
        pytest.param(
            "https://example.com/a?z=1&utm_medium=x&UTM_Campaign=y&fbclid=f&a=2",
            "https://example.com/a?z=1&a=2",
            id="tracking-dropped-order-kept",
        ),
        pytest.param(
            "https://example.com/A%2Fb?Q=V",
            "https://example.com/A%2Fb?Q=V",
            id="path-query-case-kept",
        ),
        pytest.param("  https://[::1]:443/x  ", "https://[::1]/x", id="ipv6"),
        pytest.param("https://[::1/x", "https://[::1/x", id="unparsable-kept"),
    ],
)
def test_normalise_link(link: str, normal: str) -> None:
    assert normalise_link(link) == normal


def test_content_hash_sees_title_link_and_text() -> None:
    base = content_hash("t", "https://x.example/", "body")

    assert HEX64.fullmatch(base)
    assert base == content_hash("t", "https://x.example/", "body")
    assert (
        len(
            {
                base,
                content_hash("t2", "https://x.example/", "body"),
                content_hash("t", None, "body"),
                content_hash("t", "https://x.example/", "body2"),
            }
        )
        == 4
    )


# --------------------------------------------------------------------------- duplicates


def test_the_same_article_listed_twice_is_kept_once() -> None:
    doc = rss(item("g", "Same", "https://x.example/1", "body") * 3)

    entries = parse(doc).entries

    assert [e.key for e in entries] == ["id:g"]


def test_a_reused_guid_does_not_lose_articles() -> None:
    doc = rss(
        item("g", "First", "https://x.example/1")
        + item("g", "Second", "https://x.example/2")
        + item("g", "Third", "https://x.example/2")  # shares guid and link with Second
        + item("g", "Second", "https://x.example/2")  # a repeat of Second
    )

    entries = parse(doc).entries

    assert [e.title for e in entries] == ["First", "Second", "Third"]
    assert [e.key.split(":")[0] for e in entries] == ["dup-link", "dup-hash", "dup-hash"]
    assert len({e.key for e in entries}) == 3


def test_entries_without_guid_sharing_a_link_are_both_kept() -> None:
    doc = rss(
        item(None, "Morning", "https://x.example/day#a1")
        + item(None, "Evening", "https://x.example/day#a2")
    )

    first, second = parse(doc).entries

    assert first.key != second.key
    assert (first.link, second.link) == ("https://x.example/day#a1", "https://x.example/day#a2")


def test_an_unshared_guid_is_the_key_and_the_other_forms_are_aliases() -> None:
    (entry,) = parse(rss(item("g", "Only", "https://x.example/1"))).entries

    assert entry.key == "id:g"
    assert [a.split(":")[0] for a in entry.aliases] == ["dup-link", "dup-hash", "link", "hash"]


ANCHORED = {
    name: item(None, name, f"https://x.example/day#{name.lower()}", name.lower())
    for name in ("Noon", "Morning", "Evening")
}
REUSED = {
    name: item("same", name, f"https://x.example/{name.lower()}", f"body {name}")
    for name in ("C", "A", "B")
}


@pytest.mark.parametrize(
    ("items", "before", "after"),
    [
        pytest.param(REUSED, ["A", "B"], ["C", "A", "B"], id="reused-guid-new-on-top"),
        pytest.param(REUSED, ["A", "B"], ["A", "C", "B"], id="reused-guid-new-between"),
        pytest.param(REUSED, ["C", "A", "B"], ["A", "B"], id="reused-guid-one-removed"),
        pytest.param(REUSED, ["A", "B"], ["B", "A"], id="reused-guid-reordered"),
        pytest.param(ANCHORED, ["Morning", "Evening"], ["Noon", "Morning", "Evening"], id="anchor"),
    ],
)
def test_keys_of_entries_sharing_a_guid_or_link_do_not_depend_on_position(
    items: dict[str, str], before: list[str], after: list[str]
) -> None:
    def keys(names: list[str]) -> dict[str, str]:
        return {e.title: e.key for e in parse(rss("".join(items[n] for n in names))).entries}

    old, new = keys(before), keys(after)

    kept = [name for name in old if name in new]
    assert [new[name] for name in kept] == [old[name] for name in kept]
    added = {new[name] for name in new if name not in old}
    assert not added & set(old.values())  # a new entry never takes an existing one's key
    assert len(set(new.values())) == len(new)


def test_a_guid_that_becomes_shared_keeps_it_as_an_alias() -> None:
    (alone,) = parse(rss(REUSED["A"])).entries
    newcomer, shared = parse(rss(REUSED["C"] + REUSED["A"])).entries

    assert alone.key == "id:same"
    assert alone.key in shared.aliases  # diff keeps A on its row: the content is the same
    assert shared.key in alone.aliases  # and back, once C leaves the feed again
    assert newcomer.key not in (alone.key, *alone.aliases)


def test_characters_a_database_rejects_are_removed_at_parse_time() -> None:
    nul = "&#0;"
    doc = rss(
        f"<item><guid>g{nul}1</guid><title>Ti{nul}tle</title><category>M{nul}L</category>"
        f"<link>https://x.example/a{nul}b</link><description>te{nul}xt</description></item>"
    )
    json_doc = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "home_page_url": "https://x.example/\u0000",
            "items": [
                {
                    "id": "g\u00001\ud800",
                    "url": "https://x.example/a\u0000b",
                    "title": "Ti\u0000tle",
                    "content_text": "te\u0000xt",
                    "tags": ["M\u0000L"],
                }
            ],
        }
    )

    for feed in (parse(doc), parse(json_doc, {"content-type": "application/feed+json"})):
        (entry,) = feed.entries
        assert (entry.key, entry.title, entry.text) == ("id:g1", "Title", "text")
        assert (entry.link, entry.categories) == ("https://x.example/ab", ("ML",))
        assert "\\x00" not in repr(feed)
        assert "\\ud800" not in repr(feed)


@pytest.mark.parametrize(
    ("guid", "link"),
    [
        pytest.param("<guid>https://x.example/p/1</guid>", "https://x.example/p/1", id="url-guid"),
        pytest.param("<guid>post-1</guid>", None, id="bare-guid-is-no-link"),
        pytest.param('<guid isPermaLink="true">/p/1</guid>', None, id="relative-guid-is-no-link"),
    ],
)
def test_a_permalink_guid_is_the_link_only_when_it_is_a_url(guid: str, link: str | None) -> None:
    (entry,) = parse(rss(f"<item><title>t</title>{guid}</item>")).entries

    assert entry.link == link


def test_empty_debris_entries_are_dropped() -> None:
    doc = rss("<item></item><item><guid>only-a-guid</guid></item>" + item("g", "Real"))

    assert [e.title for e in parse(doc).entries] == ["Real"]
