"""OPML in and out: folders and categories as topics, duplicates, invalid outlines, and no
entity expansion or network access whatever the document asks for."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.text.opml import MAX_BYTES, OpmlError, OpmlFeed, read_opml, write_opml


def test_folders_and_categories_become_topics_in_document_order() -> None:
    read = read_opml(b"""<?xml version="1.0"?><opml version="1.0"><head/><body>
      <outline title="Tech"><outline text="Rust">
        <outline text="This week" xmlUrl="https://rust.example/feed" category="/Lang/Rust,news"/>
      </outline></outline>
      <outline text="Solo" xmlurl="https://solo.example/rss"/>
      <outline text="Solo twice" xmlUrl="https://solo.example/rss"/>
      <outline text="Mail" xmlUrl="mailto:x@example.org"/>
    </body></opml>""")
    assert read.feeds == (
        OpmlFeed("https://rust.example/feed", "This week", ("Tech", "Rust", "Lang", "news")),
        OpmlFeed("https://solo.example/rss", "Solo", ()),
    )
    assert read.invalid == ("Mail: mailto:x@example.org is not an http(s) URL",)


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (b"", "not an XML document"),
        (b"<rss><channel/></rss>", "no <opml> root"),
        (b"<opml><head/></opml>", "without a <body>"),
        (
            b'<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<opml><body><outline text="&x;" xmlUrl="https://a.example/"/></body></opml>',
            "declares XML entities",
        ),
        (b"<opml>" + b"<outline>" * 300 + b"</opml>", "not an XML document"),
        (b" " * (MAX_BYTES + 1), "larger than"),
    ],
)
def test_what_is_not_opml_is_refused_with_a_reason(document: bytes, reason: str) -> None:
    with pytest.raises(OpmlError, match=reason):
        read_opml(document)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_documents_that_declare_entities_are_refused(encoding: str) -> None:
    bomb = (
        '<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!entity b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<opml><body><outline text="&b;" xmlUrl="https://a.example/"/></body></opml>'
    ).encode(encoding)
    with pytest.raises(OpmlError, match="declares XML entities"):
        read_opml(bomb)


def test_what_is_written_reads_back(now: datetime) -> None:
    feeds = [
        OpmlFeed("https://a.example/feed?x=1&y=2", "A & B <news>", ("ml", "post-training")),
        OpmlFeed("https://b.example/", "", ()),
    ]
    document = write_opml(feeds, "Transmission", now)
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert read_opml(document).feeds == (
        feeds[0],
        OpmlFeed("https://b.example/", "https://b.example/", ()),
    )
