"""The shared corpus of real documents (../shared/corpus): each parses or is not a feed."""

from __future__ import annotations

import functools
import json
import re
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from bot.domain import NotAFeedError, ParsedFeed
from bot.ingest.parse import parse_document

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


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
