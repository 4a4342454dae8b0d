"""Small builders for domain values in tests."""

from __future__ import annotations

import hashlib
from datetime import datetime

from bot.domain import EntryView, ParsedEntry


def parsed(
    key: str,
    *,
    title: str | None = None,
    text: str = "body",
    published: datetime | None = None,
    categories: tuple[str, ...] = (),
    link: str | None = None,
) -> ParsedEntry:
    title = title if title is not None else f"Title {key}"
    digest = hashlib.sha256(f"{title}\0{link}\0{text}".encode()).hexdigest()
    return ParsedEntry(
        key=key,
        title=title,
        link=link if link is not None else f"https://example.org/{key}",
        published=published,
        text=text,
        categories=categories,
        content_hash=digest,
    )


def view(
    entry_id: int = 1,
    *,
    title: str = "A title",
    text: str = "Some text",
    link: str | None = "https://example.org/a",
    topics: tuple[str, ...] = (),
    published: datetime | None = None,
    feed_name: str = "Example",
) -> EntryView:
    return EntryView(
        entry_id=entry_id,
        title=title,
        link=link,
        published=published,
        text=text,
        topics=topics,
        feed_name=feed_name,
    )
