"""One entry as a message block: linked title, meta line (feed, date, hashtags), cut summary."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.domain import EntryView, topic_key
from bot.render.i18n import Locale
from bot.render.message import MESSAGE_LIMIT
from bot.render.strings import reading as reading_strings
from bot.text.measure import (
    ELLIPSIS,
    escape_html,
    split_lead,
    truncate,
    truncate_units,
    utf16_length,
)

TITLE_LIMIT = 200  #: graphemes of a title
UNTITLED_LEAD = 60  #: graphemes of an untitled entry's text that stand as its title
_TITLE_UNITS = 600  #: ... and UTF-16 units of it
_META_UNITS = 300


def entry_block(
    entry: EntryView,
    summary_length: int,
    loc: Locale,
    index: int | None = None,
    units: int = MESSAGE_LIMIT,
) -> str:
    """One entry: linked title, a meta line (feed, date, topics), the cut summary.

    The visible text stays within ``units`` UTF-16 units: the title gets at most a third,
    the meta line a quarter, the summary what is left (cut to ``summary_length`` graphemes
    first, shorter when the budget says so).
    """
    number = f"{index}. " if index is not None else ""
    text = entry.text
    if entry.title:
        title = entry.title
    elif text:  # untitled: the opening words stand as the title, the summary goes on
        title, text = split_lead(text, UNTITLED_LEAD)
    else:
        title = loc(reading_strings.UNTITLED)
    title = truncate(title, TITLE_LIMIT)
    title = truncate_units(title, min(_TITLE_UNITS, units // 3))
    title_html = escape_html(title)
    if entry.link:
        title_html = f'<a href="{escape_html(entry.link)}">{title_html}</a>'
    lines = [f"{number}<b>{title_html}</b>"]
    meta = truncate_units(meta_line(entry, loc), min(_META_UNITS, units // 4))
    if meta:
        lines.append(f"<i>{escape_html(meta)}</i>")
    room = units - utf16_length(number + title + meta) - 4  # two newlines, some slack
    summary = truncate(text, summary_length) if summary_length > 0 else ""
    summary = truncate_units(summary, room) if room > len(ELLIPSIS) else ""
    if summary:
        lines.append(escape_html(summary))
    return "\n".join(lines)


def own_topics_first(entry: EntryView, own: Sequence[str]) -> EntryView:
    """``entry`` with the topics the chat follows first in its meta line (any spelling)."""
    return replace(entry, own_topics=frozenset(map(topic_key, own)))


def meta_line(entry: EntryView, loc: Locale) -> str:
    parts = [entry.feed_name] if entry.feed_name else []
    if entry.published is not None:
        parts.append(loc.date(entry.published))
    # One order wherever the topics came from (the store, or a parse for `preview`), the
    # chat's own topics first.
    ordered = sorted(
        entry.topics,
        key=lambda topic: (topic_key(topic) not in entry.own_topics, topic.casefold(), topic),
    )
    tags = " ".join(hashtag(topic) for topic in ordered[:6])
    if tags.strip():
        parts.append(tags)
    if entry.also_in:
        parts.append(loc(reading_strings.also_in(", ".join(entry.also_in))))
    if entry.updated:
        parts.append(loc(reading_strings.UPDATED_MARK))
    return " · ".join(parts)


_NOT_TAG = re.compile(r"[^\w]+")


def hashtag(topic: str) -> str:
    """A topic as a Telegram hashtag (searchable in the chat): spaces and marks become _."""
    word = _NOT_TAG.sub("_", topic).strip("_")
    return f"#{word}" if word else ""


def fit_blocks(
    entries: Sequence[EntryView],
    summary_length: int,
    budget: int,
    loc: Locale,
    *,
    numbered: bool,
    first: int = 1,
) -> list[str]:
    """Blocks for ``entries`` whose visible text fits ``budget`` UTF-16 units together:
    each entry gets an equal share (the blank line between blocks included). Numbered,
    they count from ``first`` (page 2 of five a page starts at 6, as its link buttons)."""
    share = budget // max(len(entries), 1) - 2
    return [
        entry_block(entry, summary_length, loc, position if numbered else None, share)
        for position, entry in enumerate(entries, start=first)
    ]
