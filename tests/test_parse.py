"""bytes + headers -> ParsedFeed: formats, text constructs, links, dates and topics,
documents that are not feeds (see also test_charset, test_identity, test_parse_corpus)."""

from __future__ import annotations

import gzip
import json
import random
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import DocumentLimits, NotAFeedError, ParsedFeed
from bot.ingest import parse as parse_module
from bot.ingest.identity import MAX_TEXT_CHARS, content_hash
from bot.ingest.workers import InProcessParser
from tests.feeddocs import URL, at, atom, item, parse, rss

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "parse"


def fixture(name: str) -> ParsedFeed:
    return parse((FIXTURES / name).read_bytes(), url=f"https://feeds.example/{name}")


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("name", "title", "link", "entries"),
    [
        pytest.param(
            "rss091.xml",
            "Harbour Notes",
            "https://harbour.example/",
            [
                (
                    "link:https://harbour.example/news/winter-ferry",
                    "Ferry timetable for the winter",
                    "https://harbour.example/news/winter-ferry?utm_source=rss&utm_medium=feed",
                    None,
                    "The early ferry leaves at 06:10 & the last at 22:40.",
                    (),
                ),
                (
                    "link:https://harbour.example/news/cafe",
                    "Café on pier 3 reopens",
                    "https://harbour.example/news/cafe",
                    None,
                    "Coffee again, from Monday.",
                    (),
                ),
            ],
            id="rss-0.91",
        ),
        pytest.param(
            "rss10.rdf",
            "Lab Journal",
            "https://lab.example/",
            [
                (
                    "id:https://lab.example/2026/centrifuge",
                    "The centrifuge hums again",
                    "https://lab.example/2026/centrifuge",
                    at(2026, 3, 2, 8, 30),
                    "New bearings, much quieter.",
                    ("Equipment",),
                ),
                (
                    "id:https://lab.example/2026/pipettes",
                    "Calibrating pipettes",
                    "https://lab.example/2026/pipettes",
                    at(2026, 2, 20, 16, 0),
                    "Twice a year, by the book.",
                    ("Methods", "equipment"),
                ),
            ],
            id="rss-1.0-rdf",
        ),
        pytest.param(
            "rss20.xml",
            "Orchard & Garden",
            "https://orchard.example/",
            [
                (
                    "id:orchard-2026-001",
                    "Pruning the old pear tree",
                    "https://feeds.example/2026/01/pruning",
                    at(2026, 1, 10, 7, 15),
                    "The pear is ninety years old. [code] Less is more.",
                    ("Trees", "Winter Work"),
                ),
                (
                    "id:https://orchard.example/?p=2",
                    "Mulch, explained",
                    "https://orchard.example/2026/01/mulch",
                    None,
                    "Wood chips keep the soil moist.",
                    (),
                ),
            ],
            id="rss-2.0",
        ),
        pytest.param(
            "atom03.xml",
            "Old Atom Workshop",
            "https://workshop.example/",
            [
                (
                    "id:tag:workshop.example,2026:chisel",
                    "Sharpening a chisel",
                    "https://workshop.example/chisel",
                    at(2026, 1, 2, 9, 0),
                    "Keep the bevel flat.",
                    (),
                ),
            ],
            id="atom-0.3",
        ),
        pytest.param(
            "atom10.xml",
            "Signals & Noise",
            "https://signals.example/blog/",
            [
                (
                    "id:tag:signals.example,2026:1",
                    "Why a <b> tag is not bold here",
                    "https://signals.example/blog/posts/literal-text",
                    at(2026, 4, 1, 14, 0),
                    "In a text construct, 1 < 2 && 3 > 2 is just text.",
                    ("Markup & Text", "atom"),
                ),
                (
                    "id:tag:signals.example,2026:2",
                    "Filters in practice",
                    "https://cdn.signals.example/archive/filters.html",
                    at(2026, 3, 15, 8, 0),
                    "A low-pass filter keeps the slow part.",
                    (),
                ),
                (
                    "id:tag:signals.example,2026:3",
                    "Only a summary",
                    "https://signals.example/blog/posts/summary-only",
                    at(2026, 3, 1),
                    "Short and linked.",
                    (),
                ),
            ],
            id="atom-1.0",
        ),
        pytest.param(
            "jsonfeed11.json",
            "Night Sky Log",
            "https://nightsky.example/",
            [
                (
                    "id:2026-05-jupiter",
                    "Jupiter & four moons",
                    "https://nightsky.example/2026/05/jupiter",
                    at(2026, 5, 3, 20, 10),
                    "All four Galilean moons in one frame.",
                    ("Planets", "Jupiter"),
                ),
                (
                    "id:42",
                    "Meteor count",
                    "https://feeds.example/2026/05/meteors",
                    at(2026, 5, 6, 1, 0),
                    "Eleven meteors in an hour; a <b> here is literal.",
                    (),
                ),
                (
                    "id:2026-05-clouds",
                    "",
                    "https://weather.example/clouds",
                    None,
                    "Clouded out.",
                    (),
                ),
            ],
            id="json-feed-1.1",
        ),
    ],
)
def test_each_format_parses_to_plain_entries(
    name: str, title: str, link: str, entries: list[tuple[object, ...]]
) -> None:
    feed = fixture(name)

    assert (feed.title, feed.link) == (title, link)
    got = [(e.key, e.title, e.link, e.published, e.text, e.categories) for e in feed.entries]
    assert got == entries
    for entry in feed.entries:
        assert entry.content_hash == content_hash(entry.title, entry.link, entry.text)


def test_json_feed_with_bom_and_leading_space_is_recognised() -> None:
    body = (
        b'\xef\xbb\xbf\n  {"version": "https://jsonfeed.org/version/1", "title": "J", "items": []}'
    )

    feed = parse(body, {"Content-Type": "application/feed+json"})

    assert feed == ParsedFeed(title="J", link=None, entries=())


@pytest.mark.parametrize(
    ("item", "text"),
    [
        pytest.param({"content_html": "<p>a &amp; b</p>", "content_text": "x"}, "a & b", id="html"),
        pytest.param({"content_html": " ", "content_text": "a <b> c"}, "a <b> c", id="text"),
        pytest.param({"summary": "only &lt;summary&gt;"}, "only <summary>", id="summary"),
        pytest.param({}, "", id="nothing"),
    ],
)
def test_json_feed_text_prefers_html_then_text_then_summary(
    item: dict[str, str], text: str
) -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "1", "title": "t", **item}],
    }

    (entry,) = parse(json.dumps(doc)).entries

    assert entry.text == text


# --------------------------------------------------------------------------- text constructs


@pytest.mark.parametrize(
    ("construct", "expected"),
    [
        pytest.param('<title type="text">a &lt;b&gt; c</title>', "a <b> c", id="text-is-literal"),
        pytest.param("<title>a &lt;b&gt; c</title>", "a <b> c", id="default-type-is-text"),
        pytest.param('<title type="html">a &lt;b&gt;c&lt;/b&gt;</title>', "a c", id="html"),
        pytest.param(
            '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">a <b>c</b></div>'
            "</title>",
            "a c",
            id="xhtml",
        ),
        pytest.param(
            '<title type="text">AT&amp;T &amp;amp; co</title>', "AT&T & co", id="twice-escaped"
        ),
    ],
)
def test_atom_title_follows_its_type(construct: str, expected: str) -> None:
    (entry,) = parse(atom(f"<entry><id>e</id>{construct}</entry>")).entries

    assert entry.title == expected


def test_atom_text_content_is_text_not_markup() -> None:
    doc = atom(
        "<entry><id>e</id><title>t</title>"
        '<content type="text">a <![CDATA[<b>]]> c</content></entry>'
    )

    (entry,) = parse(doc).entries

    assert entry.text == "a <b> c"


@pytest.mark.parametrize(
    ("item", "text"),
    [
        pytest.param(
            "<description>teaser</description>"
            "<content:encoded>&lt;p&gt;the full story&lt;/p&gt;</content:encoded>",
            "the full story",
            id="content-encoded-beats-description",
        ),
        pytest.param(
            "<description>&lt;p&gt;only this&lt;/p&gt;</description>", "only this", id="description"
        ),
        pytest.param("", "", id="no-body"),
    ],
)
def test_rss_text_is_the_fullest_body(item: str, text: str) -> None:
    doc = rss(f"<item><guid>g</guid><title>t</title>{item}</item>").replace(
        "<rss ", '<rss xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    )

    (entry,) = parse(doc).entries

    assert entry.text == text


def test_long_text_is_capped_but_hashed_in_full() -> None:
    head = "word " * (MAX_TEXT_CHARS // 5 + 100)
    first, second = (
        f"<item><guid>{n}</guid><title>t</title><description>{head}{tail}</description></item>"
        for n, tail in (("1", "ending one"), ("2", "ending two"))
    )

    one, two = parse(rss(first + second)).entries

    assert len(one.text) == MAX_TEXT_CHARS
    assert one.text == two.text
    assert one.content_hash != two.content_hash


def test_emoji_survives_the_cap_whole() -> None:
    body = "😀" * (MAX_TEXT_CHARS + 10)

    (entry,) = parse(rss(f"<item><guid>g</guid><description>{body}</description></item>")).entries

    assert entry.text == "😀" * MAX_TEXT_CHARS


# --------------------------------------------------------------------------- links


@pytest.mark.parametrize(
    ("doc", "headers", "link"),
    [
        pytest.param(
            rss("<item><title>t</title><link>posts/1</link></item>"),
            {},
            "https://feeds.example/posts/1",
            id="rss-relative-to-feed-url",
        ),
        pytest.param(
            rss("<item><title>t</title><link>/posts/1</link></item>"),
            {"content-location": "https://mirror.example/feeds/x.xml"},
            "https://mirror.example/posts/1",
            id="content-location-wins",
        ),
        pytest.param(
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/x/">'
            '<entry xml:base="y/"><id>e</id><link href="z.html"/></entry></feed>',
            {},
            "https://a.example/x/y/z.html",
            id="nested-xml-base",
        ),
        pytest.param(
            rss("<item><title>t</title><link>javascript:alert(1)</link></item>"),
            {},
            None,
            id="non-http-dropped",
        ),
    ],
)
def test_entry_links_are_absolute(doc: str, headers: dict[str, str], link: str | None) -> None:
    (entry,) = parse(doc, headers).entries

    assert entry.link == link


def test_relative_ids_do_not_depend_on_the_feed_url() -> None:
    doc = rss("<item><title>t</title><guid>post-7</guid><link>/p/7</link></item>")
    atom_doc = atom('<entry><id>entries/7</id><title>t</title><link href="/p/7"/></entry>')

    for body in (doc, atom_doc):
        old, new = (
            parse(body, url=u).entries[0] for u in ("http://a.example/f", "https://b.example/x/f")
        )
        assert old.key == new.key
        assert (old.link, new.link) == ("http://a.example/p/7", "https://b.example/p/7")


def test_malformed_content_location_falls_back_to_the_url() -> None:
    doc = rss("<item><title>t</title><link>p/1</link></item>")

    (entry,) = parse(doc, {"Content-Location": "http://[::1"}).entries

    assert entry.link == "https://feeds.example/p/1"


def test_external_entities_are_never_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>' + rss(
        "<item><guid>g</guid><title>x &leak; y</title></item>"
    )

    feed = parse(doc)

    assert all("TOP-SECRET" not in e.title + e.text for e in feed.entries)


# --------------------------------------------------------------------------- dates and topics


@pytest.mark.parametrize(
    ("fields", "published"),
    [
        pytest.param(
            "<pubDate>Tue, 03 Mar 2026 23:30:00 -0500</pubDate>",
            at(2026, 3, 4, 4, 30),
            id="rfc822-offset",
        ),
        pytest.param(
            "<pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate>", at(2026, 3, 3, 10), id="gmt"
        ),
        pytest.param(
            '<dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2026-03-03T10:00:00+09:00</dc:date>',
            at(2026, 3, 3, 1),
            id="w3cdtf",
        ),
        pytest.param("<pubDate>sometime soon</pubDate>", None, id="unparsable"),
        pytest.param("", None, id="absent"),
    ],
)
def test_rss_dates_become_aware_utc(fields: str, published: datetime | None) -> None:
    (entry,) = parse(rss(f"<item><guid>g</guid><title>t</title>{fields}</item>")).entries

    assert entry.published == published
    assert entry.published is None or entry.published.utcoffset() is not None


def test_atom_falls_back_to_updated() -> None:
    doc = atom(
        "<entry><id>e</id><title>t</title><updated>2026-02-01T12:00:00+01:00</updated></entry>"
    )

    (entry,) = parse(doc).entries

    assert entry.published == at(2026, 2, 1, 11)


@pytest.mark.parametrize(
    ("value", "published"),
    [
        pytest.param("2026-05-03T22:10:00+02:00", at(2026, 5, 3, 20, 10), id="offset"),
        pytest.param(
            "2026-05-03T22:10:00.123456Z",
            datetime(2026, 5, 3, 22, 10, 0, 123456, tzinfo=UTC),
            id="fraction-z",
        ),
        pytest.param("2026-05-03t22:10:00z", at(2026, 5, 3, 22, 10), id="lowercase"),
        pytest.param("2026-05-03T22:10:00", at(2026, 5, 3, 22, 10), id="naive-is-utc"),
        pytest.param("Sun, 03 May 2026 22:10:00 GMT", at(2026, 5, 3, 22, 10), id="rfc822-in-json"),
        pytest.param("last week", None, id="unparsable"),
        pytest.param(1746300000, None, id="not-a-string"),
    ],
)
def test_json_feed_dates_are_rfc3339(value: object, published: datetime | None) -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"id": "1", "title": "t", "date_published": value}],
    }

    (entry,) = parse(json.dumps(doc)).entries

    assert entry.published == published


@pytest.mark.parametrize(
    ("doc", "categories"),
    [
        pytest.param(
            rss(
                '<item xmlns:dc="http://purl.org/dc/elements/1.1/"><guid>g</guid><title>t</title>'
                "<category>Machine Learning</category><category domain='x'>  </category>"
                "<category>#ML</category><dc:subject>machine  learning</dc:subject>"
                "<dc:subject>Ｐｙｔｈｏｎ</dc:subject></item>"
            ),
            ("Machine Learning", "ML", "Python"),  # the first spelling of each, kept
            id="rss-category-and-dc-subject",
        ),
        pytest.param(
            atom(
                '<entry><id>e</id><title>t</title><category term="ml" label="Machine Learning"/>'
                '<category term="py" scheme="x"/><category term="" label=""/></entry>'
            ),
            ("Machine Learning", "py"),
            id="atom-label-over-term",
        ),
        pytest.param(
            json.dumps(
                {
                    "version": "https://jsonfeed.org/version/1.1",
                    "items": [{"id": "1", "title": "t", "tags": ["Rust", "rust", "", 7, "Go"]}],
                }
            ),
            ("Rust", "Go"),
            id="json-tags",
        ),
        pytest.param(
            rss(
                "<item><guid>g</guid><title>t</title>"
                + "".join(f"<category>c{n}</category>" for n in range(30))
                + "</item>"
            ),
            tuple(f"c{n}" for n in range(20)),
            id="at-most-20",
        ),
    ],
)
def test_categories_are_topics_as_the_feed_spells_them(
    doc: str, categories: tuple[str, ...]
) -> None:
    (entry,) = parse(doc).entries

    assert entry.categories == categories


# --------------------------------------------------------------------------- not a feed


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        pytest.param(
            (FIXTURES / "page.html").read_bytes(),
            {"content-type": "text/html"},
            "looks like an HTML page",
            id="html-page",
        ),
        pytest.param(
            b"<html><body><p>hi</body>", {}, "looks like an HTML page", id="html-fragment"
        ),
        pytest.param(b"", {}, "empty document", id="empty"),
        pytest.param(b" \r\n\t ", {}, "empty document", id="whitespace"),
        pytest.param(random.Random(7).randbytes(4096), {}, "binary data", id="binary-garbage"),
        pytest.param(b'{"rss": {"channel": {}}}', {}, "not a JSON Feed", id="json-not-a-feed"),
        pytest.param(
            b"[1, 2, 3]", {"content-type": "application/json"}, "not a JSON Feed", id="json-list"
        ),
        pytest.param(
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
            {},
            "invalid JSON",
            id="json-broken",
        ),
        pytest.param(
            b"<?xml version='1.0'?><note><to>A</to></note>",
            {},
            "unknown XML document <note>",
            id="other-xml",
        ),
        pytest.param(
            b"Just some words.",
            {"content-type": "text/plain"},
            "no RSS, Atom or JSON Feed",
            id="plain-text",
        ),
        pytest.param(gzip.compress(b"")[:-6] + b"broken", {}, "corrupt gzip", id="broken-gzip"),
    ],
)
def test_documents_that_are_not_feeds_raise_with_a_one_line_reason(
    body: bytes, headers: dict[str, str], reason: str
) -> None:
    with pytest.raises(NotAFeedError) as caught:
        parse(body, headers)

    message = str(caught.value)
    assert message.startswith("not a feed: ")
    assert reason in message
    assert "\n" not in message
    assert len(message) <= 200


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param(rss(""), id="rss-channel"),
        pytest.param(atom(""), id="atom-feed"),
        pytest.param(
            '{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": []}',
            id="json-feed",
        ),
    ],
)
def test_a_feed_without_entries_is_still_a_feed(doc: str) -> None:
    assert parse(doc).entries == ()


def test_malformed_feed_with_entries_is_accepted() -> None:
    doc = rss(
        "<item><guid>g</guid><title>Fish & chips</title>"
        "<description>unclosed <b>bold</description></item>"
    )

    (entry,) = parse(doc[: -len("</rss>")]).entries  # unescaped "&", missing end tag

    assert entry.title == "Fish & chips"


def test_gzip_body_without_content_encoding_is_unpacked() -> None:
    feed = parse(gzip.compress(rss(item("g", "Zipped")).encode()))

    assert [e.title for e in feed.entries] == ["Zipped"]


async def test_in_process_parser_runs_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[threading.Thread] = []
    real = parse_module.parse_document

    def spy(
        body: bytes, headers: Mapping[str, str], url: str, limits: DocumentLimits
    ) -> ParsedFeed:
        threads.append(threading.current_thread())
        return real(body, headers, url, limits)

    monkeypatch.setattr(parse_module, "parse_document", spy)

    parser = InProcessParser(DocumentLimits())
    feed = await parser.parse(rss(item("g", "T")).encode(), {}, URL)
    await parser.aclose()

    assert [e.title for e in feed.entries] == ["T"]
    assert threads
    assert threads[0] is not threading.current_thread()
