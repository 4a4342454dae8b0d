"""Bytes + response headers -> :class:`ParsedFeed`: detect the format and hand off.

RSS 0.9x/1.0/2.0, RDF and Atom 0.3/1.0 go to :mod:`bot.ingest.rss_atom`, JSON Feed to
:mod:`bot.ingest.jsonfeed`, after a stray gzip is unpacked (:mod:`bot.ingest.decompress`)
and the bytes are decoded (:mod:`bot.ingest.charset`). Entry keys are settled in
:mod:`bot.ingest.identity`. Parsing is pure CPU and blocking: :mod:`bot.ingest.workers`
runs it in worker processes (or in one thread), never on the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urljoin

from bot.domain import DocumentLimits, NotAFeedError, ParsedFeed
from bot.ingest.charset import decode_body
from bot.ingest.decompress import gunzip_if_needed
from bot.ingest.jsonfeed import looks_like_json, parse_json_feed
from bot.ingest.rss_atom import parse_xml_feed

__all__ = ["parse_document"]

_DEFAULT_LIMITS = DocumentLimits()


def parse_document(
    body: bytes,
    headers: Mapping[str, str],
    url: str,
    limits: DocumentLimits = _DEFAULT_LIMITS,
) -> ParsedFeed:
    """Parse one fetched document. Raises :class:`NotAFeedError` with a one-line reason."""
    header = {name.lower(): value for name, value in headers.items()}
    body = gunzip_if_needed(body, limits.max_bytes)
    text = decode_body(body, header.get("content-type", ""))
    if not text.strip():
        raise NotAFeedError("not a feed: empty document")
    base = _base_uri(url, header.get("content-location"))
    if looks_like_json(text, header.get("content-type", "")):
        return parse_json_feed(text, base, limits.max_entries)
    return parse_xml_feed(text, header, base, limits.max_entries)


def _base_uri(url: str, content_location: str | None) -> str:
    """What relative links are resolved against: Content-Location, else the feed's URL."""
    if not content_location:
        return url
    try:
        return urljoin(url, content_location.strip())
    except ValueError:  # a malformed header must not fail the parse
        return url
