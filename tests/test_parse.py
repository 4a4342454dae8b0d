"""bytes + headers -> ParsedFeed: formats, text constructs, links, encodings, identity,
duplicates, documents that are not feeds, and the shared corpus of real documents."""

from __future__ import annotations

import functools
import gzip
import json
import random
import re
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.domain import NotAFeedError, ParsedFeed
from bot.feeds import parse as parse_module
from bot.feeds.parse import (
    MAX_TEXT_CHARS,
    content_hash,
    entry_key,
    normalise_link,
    parse_document,
    parse_in_thread,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "parse"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
URL = "https://feeds.example/feed.xml"
HEX64 = re.compile(r"[0-9a-f]{64}")


def parse(
    body: bytes | str, headers: Mapping[str, str] | None = None, url: str = URL
) -> ParsedFeed:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return parse_document(data, headers or {}, url)


def fixture(name: str) -> ParsedFeed:
    return parse((FIXTURES / name).read_bytes(), url=f"https://feeds.example/{name}")


def rss(items: str, *, channel_title: str = "Channel", decl: str = "") -> str:
    return (
        f'{decl}<rss version="2.0"><channel><title>{channel_title}</title>'
        f"<link>https://site.example/</link>{items}</channel></rss>"
    )


def atom(entries: str) -> str:
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>{entries}</feed>'


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


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
                    ("equipment",),
                ),
                (
                    "id:https://lab.example/2026/pipettes",
                    "Calibrating pipettes",
                    "https://lab.example/2026/pipettes",
                    at(2026, 2, 20, 16, 0),
                    "Twice a year, by the book.",
                    ("methods", "equipment"),
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
                    ("trees", "winter work"),
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
                    ("markup & text", "atom"),
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
                    ("planets", "jupiter"),
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


# --------------------------------------------------------------------------- encodings

CJK_TITLE = "中文标题：新闻"


@pytest.mark.parametrize(
    ("title", "codec", "declared"),
    [
        pytest.param(CJK_TITLE, "gb2312", "gb2312", id="gb2312"),
        pytest.param("朱镕基访问", "gb18030", "gb2312", id="gbk-char-in-gb2312-feed"),
        pytest.param("繁體中文標題", "big5", "big5", id="big5"),
        pytest.param("價格 €100", "cp950", "big5", id="cp950-euro-in-big5-feed"),
        pytest.param("香港㗎", "big5hkscs", "big5", id="hkscs-char-in-big5-feed"),
        pytest.param("日本語のタイトル", "shift_jis", "shift_jis", id="shift_jis"),
        pytest.param("丸数字①と～", "cp932", "Shift_JIS", id="cp932-chars-in-sjis-feed"),
        pytest.param("日本語のタイトル", "euc_jp", "EUC-JP", id="euc-jp"),
        pytest.param("한국어 제목", "euc_kr", "euc-kr", id="euc-kr"),
        pytest.param("Новости дня", "cp1251", "windows-1251", id="windows-1251"),
        pytest.param("Новости дня", "koi8_r", "koi8-r", id="koi8-r"),
        pytest.param("Żółć gęślą", "iso8859_2", "iso-8859-2", id="iso-8859-2"),
        pytest.param("“Quotes” – €", "cp1252", "iso-8859-1", id="latin1-label-means-cp1252"),
        pytest.param("日本語", "cp932", "x-sjis", id="web-only-label"),
    ],
)
def test_declared_legacy_encodings_decode(title: str, codec: str, declared: str) -> None:
    decl = f'<?xml version="1.0" encoding="{declared}"?>\n'
    body = rss(f"<item><guid>g</guid><title>{title}</title></item>", decl=decl).encode(codec)

    (entry,) = parse(body).entries

    assert entry.title == title


@pytest.mark.parametrize(
    ("title", "body", "headers"),
    [
        pytest.param(
            "Новости",
            rss("<item><guid>g</guid><title>Новости</title></item>").encode("koi8_r"),
            {"content-type": "text/xml; charset=KOI8-R"},
            id="charset-only-in-http-header",
        ),
        pytest.param(
            CJK_TITLE,
            rss(
                f"<item><guid>g</guid><title>{CJK_TITLE}</title></item>",
                decl='<?xml version="1.0" encoding="gb2312"?>',
            ).encode(),
            {"content-type": "text/xml; charset=gb2312"},
            id="utf8-mislabelled-gb2312",
        ),
        pytest.param(
            "Café",
            rss("<item><guid>g</guid><title>Café</title></item>").encode("cp1252"),
            {"content-type": "application/xml; charset=utf-8"},
            id="latin1-mislabelled-utf8",
        ),
        pytest.param(
            "Für „Grüße“",
            rss("<item><guid>g</guid><title>Für „Grüße“</title></item>")
            .encode()
            .decode("cp1252")
            .encode(),
            {},
            id="double-encoded-utf8-repaired",
        ),
        pytest.param(
            CJK_TITLE,
            rss(
                f"<item><guid>g</guid><title>{CJK_TITLE}</title></item>",
                decl='<?xml version="1.0" encoding="utf-16"?>',
            ).encode("utf-16"),
            {},
            id="utf-16-bom",
        ),
        pytest.param(
            CJK_TITLE,
            rss(f"<item><guid>g</guid><title>{CJK_TITLE}</title></item>").encode("utf-16-le"),
            {},
            id="utf-16le-no-bom",
        ),
        pytest.param(
            CJK_TITLE,
            rss(f"<item><guid>g</guid><title>{CJK_TITLE}</title></item>").encode("utf-32-be"),
            {},
            id="utf-32be-no-bom",
        ),
        pytest.param(
            "Новости дня",
            rss(
                "<item><guid>g</guid><title>Новости дня</title></item>",
                decl='<?xml version="1.0" encoding="iso-8859-1"?>',
            ).encode("cp1251"),
            {"content-type": "application/rss+xml; charset=windows-1251"},
            id="http-charset-beats-the-declaration-for-xml-types",
        ),
        pytest.param(
            "Новости дня",
            rss(
                "<item><guid>g</guid><title>Новости дня</title></item>",
                decl='<?xml version="1.0" encoding="windows-1251"?>',
            ).encode("cp1251"),
            {"content-type": "application/octet-stream; charset=iso-8859-1"},
            id="declaration-beats-the-charset-of-a-non-xml-type",
        ),
        pytest.param(
            CJK_TITLE,
            b"\xef\xbb\xbf"
            + rss(f"<item><guid>g</guid><title>{CJK_TITLE}</title></item>").encode(),
            {"content-type": "text/xml; charset=iso-8859-1"},
            id="utf-8-bom-beats-header",
        ),
    ],
)
def test_encoding_is_found_when_labels_are_missing_or_wrong(
    title: str, body: bytes, headers: dict[str, str]
) -> None:
    (entry,) = parse(body, headers).entries

    assert entry.title == title


def test_one_corrupt_byte_does_not_turn_a_gb18030_feed_into_mojibake() -> None:
    decl = '<?xml version="1.0" encoding="gb2312"?>'
    good = f"<item><guid>1</guid><title>{CJK_TITLE}</title></item>".encode("gb18030")
    broken = b"<item><guid>2</guid><title>\xff\xff" + "尾巴".encode("gb18030") + b"</title></item>"
    body = rss("{}", decl=decl).encode().replace(b"{}", good + broken)

    first, second = parse(body).entries

    assert first.title == CJK_TITLE
    assert second.title.endswith("尾巴")


def test_every_superset_codec_exists() -> None:
    for codecs_ in parse_module._SUPERSETS.values():
        for codec in codecs_:
            b"abc".decode(codec)


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


def item(guid: str | None, title: str, link: str | None = None, text: str = "") -> str:
    parts = [f"<title>{title}</title>", f"<description>{text}</description>"]
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if link is not None:
        parts.append(f"<link>{link}</link>")
    return f"<item>{''.join(parts)}</item>"


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
    assert alone.key in shared.aliases  # bot.diff keeps A on its row: the content is the same
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
        assert (entry.link, entry.categories) == ("https://x.example/ab", ("ml",))
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
            ("machine learning", "ml", "python"),
            id="rss-category-and-dc-subject",
        ),
        pytest.param(
            atom(
                '<entry><id>e</id><title>t</title><category term="ml" label="Machine Learning"/>'
                '<category term="py" scheme="x"/><category term="" label=""/></entry>'
            ),
            ("machine learning", "py"),
            id="atom-label-over-term",
        ),
        pytest.param(
            json.dumps(
                {
                    "version": "https://jsonfeed.org/version/1.1",
                    "items": [{"id": "1", "title": "t", "tags": ["Rust", "rust", "", 7, "Go"]}],
                }
            ),
            ("rust", "go"),
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
def test_categories_are_normalised_topics(doc: str, categories: tuple[str, ...]) -> None:
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


async def test_parse_in_thread_runs_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    real = parse_module.parse_document

    def spy(body: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
        threads.append(threading.current_thread())
        return real(body, headers, url)

    monkeypatch.setattr(parse_module, "parse_document", spy)

    feed = await parse_in_thread(rss(item("g", "T")).encode(), {}, URL)

    assert [e.title for e in feed.entries] == ["T"]
    assert threads
    assert threads[0] is not threading.current_thread()


# --------------------------------------------------------------------------- corpus


def _manifest() -> dict[str, dict[str, Any]]:
    if not CORPUS.is_dir():
        return {}
    return {e["file"]: e for e in json.loads((CORPUS / "MANIFEST.json").read_text("utf-8"))}


MANIFEST = _manifest()
CORPUS_FILES = sorted(f"{e['set']}/{name}" for name, e in MANIFEST.items())
REALWORLD_WITH_ITEMS = [
    f
    for f in CORPUS_FILES
    if f.startswith("realworld/") and (MANIFEST[f.split("/")[1]]["items"] or 0) > 0
]
CJK_FILES = {f for f in REALWORLD_WITH_ITEMS if (MANIFEST[f.split("/")[1]]["cjk"] or 0) > 0}

MARKUP_LEAK = re.compile(
    r"<\s*/?\s*(p|div|a|span|img|br|b|i|strong|em|script|style)\b[^>]*>|&amp;|&lt;|&gt;|&#\d+;|&#x[0-9a-fA-F]+;"
)
MOJIBAKE = re.compile(r"[ÃÂ][\u0080-\u00bf]|銆|锟斤拷")
# Leaks that are the publisher's text, not ours: what each file may show, as a pattern.
KNOWN_LEAKS = {
    # Prose about HTML ("Die Rückkehr von <i> und <b>", "<code>&lt;strong&gt;</code>"),
    # escaped once, as it should be: the tag names are the text.
    "realworld/Ranchero-Software_RSParser__Tests_RSParserTests_Resources_3960.json": re.compile(
        r"</?\w+>"
    ),
}
NOTHING = re.compile(r"(?!)")
NO_CORPUS = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")


@functools.cache
def _parse_corpus_file(name: str) -> ParsedFeed | NotAFeedError:
    try:
        return parse_document((CORPUS / name).read_bytes(), {}, f"https://corpus.example/{name}")
    except NotAFeedError as exc:
        return exc


def _raw_titles(name: str) -> list[str]:
    """Item titles straight from the document, by pattern: independent of the parser."""
    data = (CORPUS / name).read_bytes()
    if name.endswith(".json"):
        items = json.loads(data.decode("utf-8-sig"), strict=False).get("items") or []
        return [str(i.get("title") or "") for i in items if isinstance(i, dict)]
    text = data.decode("latin-1")  # the markup is ASCII in every ASCII-based encoding
    titles = []
    for block in re.findall(
        r"<(?:\w+:)?(?:item|entry)\b[^>]*>(.*?)</(?:\w+:)?(?:item|entry)>", text, re.S
    ):
        found = re.search(r"<title\b[^>]*>(.*?)</title>", block, re.S)
        raw = found.group(1) if found else ""
        titles.append(re.sub(r"<!\[CDATA\[|\]\]>|\s", "", raw))
    return titles


@pytest.mark.corpus
@NO_CORPUS
@pytest.mark.parametrize("name", CORPUS_FILES, ids=[f.split("/")[1] for f in CORPUS_FILES])
def test_corpus_document_is_a_feed_or_not_a_feed(name: str) -> None:
    result = _parse_corpus_file(name)

    assert isinstance(result, ParsedFeed | NotAFeedError)
    if isinstance(result, NotAFeedError):
        assert str(result).startswith("not a feed: ")
        assert "\n" not in str(result)


@pytest.mark.corpus
@NO_CORPUS
@pytest.mark.parametrize(
    "name", REALWORLD_WITH_ITEMS, ids=[f.split("/")[1] for f in REALWORLD_WITH_ITEMS]
)
def test_realworld_entries_read_cleanly(name: str) -> None:
    feed = _parse_corpus_file(name)
    assert isinstance(feed, ParsedFeed), feed
    assert feed.entries

    untitled = sum(1 for e in feed.entries if not e.title)
    assert untitled <= sum(1 for t in _raw_titles(name) if not t)
    allowed = KNOWN_LEAKS.get(name, NOTHING)
    for entry in feed.entries:
        for field in (entry.title, entry.text):
            leaks = {
                m.group() for m in MARKUP_LEAK.finditer(field) if not allowed.fullmatch(m.group())
            }
            assert not leaks, (entry.key, leaks, field[:200])
        assert entry.published is None or entry.published.tzinfo is UTC
    if name in CJK_FILES:
        for title in [feed.title, *(e.title for e in feed.entries)]:
            assert "\ufffd" not in title, title
            assert not MOJIBAKE.search(title), title
