"""JSON Feed 1.0/1.1 documents (https://jsonfeed.org) -> :class:`ParsedFeed`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from bot.domain import NotAFeedError, ParsedFeed
from bot.ingest.fields import (
    absolute_link,
    newest,
    storable,
    str_or_none,
    text_or_markup,
    topics_of,
)
from bot.ingest.identity import MAX_TITLE_CHARS, Draft, dedupe
from bot.oneline import one_line
from bot.text.html import html_to_text


def looks_like_json(text: str, content_type: str) -> bool:
    start = text.lstrip("\ufeff \t\r\n")[:1]
    return start == "{" or ("json" in content_type.lower() and start != "<")


def parse_json_feed(text: str, base: str, max_entries: int = 1000) -> ParsedFeed:
    try:
        # strict=False: raw control characters inside strings are a common producer slip.
        document = json.loads(text, strict=False)
    except (ValueError, RecursionError) as exc:
        raise NotAFeedError(one_line(f"not a feed: invalid JSON ({exc})")) from None
    if not _is_json_feed(document):
        raise NotAFeedError("not a feed: JSON, but not a JSON Feed")
    items = [item for item in document.get("items") or [] if isinstance(item, dict)]
    items = newest(items, max_entries, _item_date)
    return ParsedFeed(
        title=text_or_markup(str_or_none(document.get("title")) or "")[:MAX_TITLE_CHARS],
        link=absolute_link(document.get("home_page_url"), base),
        entries=dedupe(_json_draft(item, base) for item in items),
    )


def _item_date(item: Mapping[str, Any]) -> datetime | None:
    return _rfc3339_to_utc(item.get("date_published")) or _rfc3339_to_utc(item.get("date_modified"))


def _is_json_feed(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    version = document.get("version")
    if isinstance(version, str) and "jsonfeed.org/version/" in version:
        return True
    # Some producers write a bare "1.1" or no version; a list of items is the tell.
    return isinstance(document.get("items"), list)


def _json_draft(item: Mapping[str, Any], base: str) -> Draft:
    raw_id = item.get("id")
    # Ids must be strings, but numbers are common in the wild and just as stable.
    guid = (
        storable(str(raw_id))
        if isinstance(raw_id, str | int) and not isinstance(raw_id, bool)
        else None
    )
    link = absolute_link(item.get("url"), base) or absolute_link(item.get("external_url"), base)
    tags = item.get("tags")
    tag_names = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    title = text_or_markup(str_or_none(item.get("title")) or "")
    return Draft(
        guid=guid,
        title=title,
        link=link,
        published=_rfc3339_to_utc(item.get("date_published"))
        or _rfc3339_to_utc(item.get("date_modified")),
        text=_json_item_text(item, title),
        categories=topics_of(tag_names),
    )


def _json_item_text(item: Mapping[str, Any], title: str) -> str:
    markup = str_or_none(item.get("content_html"), strip=True)
    if markup:
        return html_to_text(markup, title)
    plain = str_or_none(item.get("content_text"), strip=True) or str_or_none(
        item.get("summary"), strip=True
    )
    return text_or_markup(plain, title) if plain else ""


def _rfc3339_to_utc(value: Any) -> datetime | None:
    text = str_or_none(value, strip=True)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.upper())
    except ValueError:
        try:  # some JSON feeds carry RFC 822 dates, as RSS does
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None
