"""Small feed documents for the parser tests, and ``parse`` with the tests' defaults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from bot.domain import ParsedFeed
from bot.ingest.parse import parse_document

URL = "https://feeds.example/feed.xml"
HEX64 = re.compile(r"[0-9a-f]{64}")


def parse(
    body: bytes | str, headers: Mapping[str, str] | None = None, url: str = URL
) -> ParsedFeed:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return parse_document(data, headers or {}, url)


def rss(items: str, *, channel_title: str = "Channel", decl: str = "") -> str:
    return (
        f'{decl}<rss version="2.0"><channel><title>{channel_title}</title>'
        f"<link>https://site.example/</link>{items}</channel></rss>"
    )


def atom(entries: str) -> str:
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title>{entries}</feed>'


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def item(guid: str | None, title: str, link: str | None = None, text: str = "") -> str:
    parts = [f"<title>{title}</title>", f"<description>{text}</description>"]
    if guid is not None:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if link is not None:
        parts.append(f"<link>{link}</link>")
    return f"<item>{''.join(parts)}</item>"
