"""feedparser as :mod:`bot.ingest.rss_atom` tunes it parses exactly as it does untuned.

The tuning (a SAX driver whose expat buffers text, a memoised base-URI join) is only for
speed: each document here is parsed both ways and the results must be equal.
"""

from __future__ import annotations

import xml.sax
import xml.sax.handler
import xml.sax.xmlreader
from pathlib import Path

import feedparser.api
import feedparser.mixin
import feedparser.urls
import pytest

from bot.domain import NotAFeedError, ParsedFeed
from bot.ingest import saxdriver
from bot.ingest.parse import parse_document

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "realworld"
OWN = sorted(p for d in ("generators", "parse") for p in (FIXTURES / d).iterdir())
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if p.suffix != ".json") if CORPUS.is_dir() else []

# Text split by lines, entities, character references and CDATA, nested xml:base, and
# relative links and ids: what the buffering and the memoised join touch.
MIXED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/zh/">
  <title>混合
  文本 &amp; 实体 &#x4E2D;</title>
  <link href="./"/>
  <entry xml:base="posts/2026/">
    <id>tag:blog.example,2026:1</id>
    <title type="html">&lt;b&gt;粗体&lt;/b&gt;
    第二行</title>
    <link href="opd.html"/>
    <content type="html"><![CDATA[<p>第一段
第二段</p>]]>&lt;p&gt;之后&lt;/p&gt;<![CDATA[<p>末段</p>]]></content>
    <updated>2026-11-30T08:00:00Z</updated>
  </entry>
  <entry xml:base="/other/">
    <id>../relative-id</id>
    <title>Plain &lt;not a tag&gt;
    text</title>
    <link href="../up.html"/>
    <summary>a
b
c</summary>
    <updated>2026-11-29T08:00:00Z</updated>
  </entry>
</feed>
"""


def _parse(body: bytes, name: str) -> ParsedFeed | str:
    try:
        return parse_document(body, {}, f"https://feeds.example/{name}")
    except NotAFeedError as error:
        return f"not a feed: {error}"


def _both_ways(body: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    tuned = _parse(body, name)
    with monkeypatch.context() as untuned:
        untuned.setattr(feedparser.api, "PREFERRED_XML_PARSERS", [])  # the stock expat reader
        untuned.setattr(
            feedparser.mixin, "make_safe_absolute_uri", feedparser.urls.make_safe_absolute_uri
        )
        stock = _parse(body, name)
    return tuned, stock


def test_mixed_text_parses_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    tuned, stock = _both_ways(MIXED.encode(), "mixed.xml", monkeypatch)
    assert isinstance(tuned, ParsedFeed)
    assert tuned == stock
    first, second = tuned.entries
    assert first.link == "https://blog.example/zh/posts/2026/opd.html"
    assert [part in first.text for part in ("第一段", "之后", "末段")] == [True] * 3
    assert second.link == "https://blog.example/up.html"


@pytest.mark.parametrize("path", OWN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_own_fixtures_parse_alike(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tuned, stock = _both_ways(path.read_bytes(), path.name, monkeypatch)
    assert tuned == stock


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is absent")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[-40:])
def test_corpus_documents_parse_alike(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tuned, stock = _both_ways(path.read_bytes(), path.name, monkeypatch)
    assert tuned == stock


class _Pieces(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.pieces: list[str] = []

    def characters(self, content: str) -> None:
        self.pieces.append(content)


def _pieces(reader: xml.sax.xmlreader.XMLReader) -> list[str]:
    handler = _Pieces()
    reader.setContentHandler(handler)
    reader.feed(b"<t>one\ntwo &amp; three\n&#x56DB;</t>")  # type: ignore[attr-defined]
    reader.close()  # type: ignore[attr-defined]
    return handler.pieces


def test_the_driver_hands_over_an_elements_text_at_once() -> None:
    stock = _pieces(xml.sax.make_parser([]))
    buffered = _pieces(saxdriver.create_parser())
    assert len(stock) > 1  # a piece per line and per reference
    assert buffered == ["".join(stock)] == ["one\ntwo & three\n四"]


def test_feedparser_is_given_the_driver() -> None:
    assert feedparser.api.PREFERRED_XML_PARSERS == ["bot.ingest.saxdriver"]
    assert isinstance(xml.sax.make_parser(["bot.ingest.saxdriver"]), saxdriver.BufferedExpatParser)
