"""Bounds applied while parsing: unpacked size, entries per document, title and text sizes;
and text constructs that are HTML although declared plain (Hexo)."""

from __future__ import annotations

import gzip
import json

import pytest

from bot.domain import DocumentLimits, NotAFeedError
from bot.ingest.identity import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from bot.ingest.parse import parse_document
from tests.feeddocs import URL, atom, item, rss


def dated(index: int, day: int) -> str:
    return (
        f"<item><title>post {index}</title><guid>g{index}</guid>"
        f"<pubDate>{day:02d} Oct 2026 10:00:00 GMT</pubDate></item>"
    )


def test_unlabelled_gzip_is_unpacked_up_to_max_bytes_only() -> None:
    document = rss(item("g", "Zipped", text="x" * 5000)).encode()
    packed = gzip.compress(document)

    fits = parse_document(packed, {}, URL, DocumentLimits(max_bytes=len(document)))
    assert [e.title for e in fits.entries] == ["Zipped"]
    with pytest.raises(NotAFeedError, match=r"body larger than 4 KiB once unpacked"):
        parse_document(packed, {}, URL, DocumentLimits(max_bytes=4096))


def test_max_entries_keeps_the_newest_in_document_order() -> None:
    days = [3, 9, 1, 7, 5, 8, 2]  # shuffled, as some feeds are
    body = rss("".join(dated(i, day) for i, day in enumerate(days))).encode()

    feed = parse_document(body, {}, URL, DocumentLimits(max_entries=3))

    assert [e.title for e in feed.entries] == ["post 1", "post 3", "post 5"]  # days 9, 7, 8


def test_max_entries_without_dates_keeps_the_first() -> None:
    body = rss("".join(item(f"g{i}", f"post {i}") for i in range(10))).encode()

    feed = parse_document(body, {}, URL, DocumentLimits(max_entries=4))

    assert [e.title for e in feed.entries] == [f"post {i}" for i in range(4)]


def test_max_entries_in_json_feed() -> None:
    items = [
        {"id": str(i), "title": f"post {i}", "date_published": f"2026-10-{day:02d}T00:00:00Z"}
        for i, day in enumerate([4, 2, 6])
    ]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})

    feed = parse_document(body.encode(), {}, URL, DocumentLimits(max_entries=2))

    assert [e.title for e in feed.entries] == ["post 0", "post 2"]


def test_titles_and_texts_are_stored_cut() -> None:
    body = rss(item("g", "T" * 1_000_000, text="word " * 200_000)).encode()

    feed = parse_document(body, {}, URL)

    entry = feed.entries[0]
    assert len(entry.title) == MAX_TITLE_CHARS
    assert len(entry.text) <= MAX_TEXT_CHARS


def test_hexo_atom_without_type_reads_as_html() -> None:
    entry = (
        "<entry><title>Hexo post</title><id>h1</id>"
        '<content><![CDATA[<p>First <b>bold</b> words.</p><figure class="highlight js">'
        "<table><tr><td><pre>let x</pre></td></tr></table></figure>]]></content>"
        "<summary><![CDATA[<p>First words.</p>]]></summary></entry>"
        "<entry><title>Plain</title><id>h2</id><summary>if a &lt; b then</summary></entry>"
    )
    feed = parse_document(atom(entry).encode(), {}, URL)

    assert [e.text for e in feed.entries] == ["First bold words. [code]", "if a < b then"]


def test_markup_in_titles_is_stripped() -> None:
    body = atom("<entry><title>&lt;b&gt;Bold&lt;/b&gt; &amp; co</title><id>t</id></entry>")

    feed = parse_document(body.encode(), {}, URL)

    assert feed.entries[0].title == "Bold & co"
