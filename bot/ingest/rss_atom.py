"""RSS 0.9x/1.0/2.0, RDF and Atom 0.3/1.0 documents -> :class:`ParsedFeed`, through feedparser.

The only module that imports feedparser. It gets UTF-8 that we decoded ourselves
(:mod:`bot.ingest.charset`) and a placeholder base URI: relative ids are kept as written,
never resolved against the feed's URL (see ``_PLACEHOLDER_ORIGIN``), so keys survive a feed
moving to another URL; links are resolved against the real base here.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import feedparser.api
import feedparser.mixin
import feedparser.urls

from bot.domain import NotAFeedError, ParsedFeed
from bot.ingest.charset import as_utf8_xml
from bot.ingest.fields import (
    absolute_link,
    as_mapping,
    is_web_url,
    newest,
    storable,
    str_or_none,
    text_or_markup,
    topics_of,
)
from bot.ingest.identity import MAX_TITLE_CHARS, Draft, dedupe
from bot.oneline import one_line
from bot.text.html import html_to_text

_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html\b|html\b|head\b|body\b)",
    re.IGNORECASE | re.DOTALL,
)
# Declaration, comments, processing instructions, doctype: what precedes the root element.
_PROLOG = re.compile(r"\A\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<![^>]*>\s*)*", re.DOTALL)
_ROOT_ELEMENT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# feedparser resolves relative ids as well as links against the base URI it is given. An
# id must not depend on where the feed was fetched from: when a feed moves (http -> https,
# a redirect) its entries would all look new. So feedparser gets a placeholder base (not
# '': with an empty base it scopes xml:base wrongly), its output is turned back into
# references (:func:`_unplace`), ids keep the reference as written, and links are resolved
# against the real base here. The placeholder's directory is deep and oddly named so that
# "../x" and "/x" references come back exactly.
_PLACEHOLDER_ORIGIN = "https://base.invalid"
_PLACEHOLDER_DIR = "/~p1/~p2/~p3/~p4/~p5/~p6/~p7/~p8/"


def _tune_feedparser() -> None:
    """Two savings that leave feedparser's output as it was (tests/test_parse_tuning.py).

    - XML goes through :mod:`bot.ingest.saxdriver`, whose expat buffers text: feedparser
      gets an element's text in a few pieces, not a line at a time.
    - Its base-URI bookkeeping is memoised: on every element feedparser joins the current
      base with the element's ``xml:base`` (the base itself when there is none), so one
      document asks the same pure question tens of thousands of times.
    """
    feedparser.api.PREFERRED_XML_PARSERS = ["bot.ingest.saxdriver"]
    join = feedparser.urls.make_safe_absolute_uri
    feedparser.mixin.make_safe_absolute_uri = functools.lru_cache(maxsize=1024)(join)


_tune_feedparser()


def parse_xml_feed(
    text: str, header: Mapping[str, str], base: str, max_entries: int = 1000
) -> ParsedFeed:
    # Only what feedparser reads: the charset is ours now, the location is the placeholder.
    response_headers = {
        "content-type": "application/xml; charset=utf-8",
        "content-location": _PLACEHOLDER_ORIGIN + _PLACEHOLDER_DIR,
    }
    if "content-language" in header:
        response_headers["content-language"] = header["content-language"]
    parsed: Any = feedparser.parse(
        io.BytesIO(as_utf8_xml(text)),
        response_headers=response_headers,
        sanitize_html=False,  # bot.text removes markup; the sanitiser is the slow part
        resolve_relative_uris=False,  # only for URIs inside content, which we drop
    )
    entries: list[Any] = list(parsed.get("entries") or [])
    if not parsed.get("version") and not entries:
        raise NotAFeedError(_why_not_a_feed(text, parsed.get("bozo_exception")))
    feed: Mapping[str, Any] = parsed.get("feed") or {}
    kept = newest(entries, max_entries, _entry_date)
    return ParsedFeed(
        title=_detail_text(feed.get("title_detail"), feed.get("title"))[:MAX_TITLE_CHARS],
        link=absolute_link(_unplace(feed.get("link")), base),
        entries=dedupe(_xml_draft(entry, base) for entry in kept),
    )


def _entry_date(entry: Any) -> datetime | None:
    entry = as_mapping(entry)
    return _struct_time_to_utc(entry.get("published_parsed")) or _struct_time_to_utc(
        entry.get("updated_parsed")
    )


def _xml_draft(entry: Mapping[str, Any], base: str) -> Draft:
    guid = storable(_unplace(entry.get("id")))
    link = _unplace(entry.get("link"))
    if entry.get("guidislink") and link == guid and not is_web_url(guid or ""):
        # feedparser takes an RSS guid for the link when there is no <link> (isPermaLink
        # defaults to true), but "post-42" resolved against the feed URL is a broken link.
        link = None
    title = _detail_text(entry.get("title_detail"), entry.get("title"))
    return Draft(
        guid=guid,
        title=title,
        link=absolute_link(link, base),
        published=_struct_time_to_utc(entry.get("published_parsed"))
        or _struct_time_to_utc(entry.get("updated_parsed")),
        text=_xml_entry_text(entry, title),
        categories=topics_of(_tag_names(entry.get("tags"))),
    )


def _unplace(value: Any) -> str | None:
    """A URI feedparser resolved against the placeholder base -> the reference as written
    (up to dot-segments); any other string unchanged; None for a non-string."""
    if not isinstance(value, str):
        return None
    if not value.startswith(_PLACEHOLDER_ORIGIN + "/"):
        return value
    parts = urlsplit(value)
    path = parts.path
    if path.startswith(_PLACEHOLDER_DIR[:5]):  # a relative path: relative to the directory
        path = posixpath.relpath(path, _PLACEHOLDER_DIR) if path != _PLACEHOLDER_DIR else ""
        path += "/" if parts.path.endswith("/") and path else ""
    reference = path + (f"?{parts.query}" if parts.query else "")
    return reference + (f"#{parts.fragment}" if parts.fragment else "")


def _xml_entry_text(entry: Mapping[str, Any], title: str) -> str:
    """The fullest body: rich content[] first, then plain content[], then the summary."""
    contents = [as_mapping(c) for c in entry.get("content") or []]
    contents = [c for c in contents if str_or_none(c.get("value"), strip=True)]
    rich = [c for c in contents if c.get("type") != "text/plain"]
    pool = rich or contents
    if pool:
        return _detail_text(max(pool, key=lambda c: len(str(c.get("value")))), None, title)
    return _detail_text(entry.get("summary_detail"), entry.get("summary"), title)


def _detail_text(detail: Any, value: Any, hint: str = "") -> str:
    """A feedparser text construct -> plain text, honouring its declared type.

    An Atom ``type="text"`` construct (and an RSS title without markup) arrives as
    ``text/plain``: its ``<`` and ``&`` are literal characters, not markup, unless it
    parses as markup (see :func:`text_or_markup`: Hexo writes HTML so). The plain
    ``value`` wins over ``detail["value"]``: feedparser can leave a nested element's text
    (``<image><title>``) in the detail while the value is the entry's own.
    """
    detail = as_mapping(detail)
    raw = str_or_none(value) or str_or_none(detail.get("value")) or ""
    if not raw.strip():
        return ""
    kind = str(detail.get("type") or "text/html").lower()
    if "html" in kind or "xml" in kind:
        return html_to_text(raw, hint)
    if kind.startswith("text/"):
        return text_or_markup(raw, hint)
    return ""  # base64 or other media inside a text construct: nothing to show


def _tag_names(tags: Any) -> Iterator[str]:
    for tag in tags or []:
        tag = as_mapping(tag)
        name = str_or_none(tag.get("label"), strip=True) or str_or_none(tag.get("term"))
        if name:
            yield name


def _why_not_a_feed(text: str, problem: Any) -> str:
    head = text.lstrip("\ufeff")[:4096]
    if len(_CONTROL_CHARS.findall(head[:1024])) > 8:
        return "not a feed: binary data"
    if _HTML_START.match(head):
        return "not a feed: looks like an HTML page"
    if "<" not in head:
        return "not a feed: plain text, no RSS, Atom or JSON Feed markup"
    root = _first_element(head)
    if root is not None:
        return f"not a feed: unknown XML document <{root}>"
    if problem is not None:
        return one_line(f"not a feed: unreadable document ({problem})")
    return "not a feed: no RSS, Atom or JSON Feed content found"


def _first_element(head: str) -> str | None:
    prolog = _PROLOG.match(head)
    match = _ROOT_ELEMENT.match(head, prolog.end() if prolog else 0)
    return match.group(1) if match else None


def _struct_time_to_utc(value: Any) -> datetime | None:
    # feedparser's *_parsed fields are time.struct_time in UTC.
    try:
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
