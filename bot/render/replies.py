"""Replies to commands whose text is more than one sentence: /help, /stats and /feeds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.render import strings
from bot.render.durations import ago, due_in
from bot.render.message import MESSAGE_LIMIT, Rendered
from bot.render.plain import visible_length
from bot.text.measure import escape_html, truncate

#: graphemes of one feed's line in /feeds
_FEED_LINE = 300


class StoreFigures(Protocol):
    """The store's counts that /stats shows."""

    @property
    def feeds(self) -> int: ...
    @property
    def feeds_failing(self) -> int: ...
    @property
    def entries(self) -> int: ...
    @property
    def chats_active(self) -> int: ...
    @property
    def chats_inactive(self) -> int: ...
    @property
    def queue_pending(self) -> int: ...
    @property
    def queue_failed(self) -> int: ...
    @property
    def sent(self) -> int: ...


class FeedStatus(Protocol):
    """One feed as /feeds shows it."""

    @property
    def name(self) -> str: ...
    @property
    def entry_count(self) -> int: ...
    @property
    def last_success_at(self) -> datetime | None: ...
    @property
    def next_check_at(self) -> datetime: ...
    @property
    def error_count(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...


def help_text(commands: Sequence[tuple[str, str]]) -> Rendered:
    """/help: what the bot does, the ``commands`` this user may use, how pushes pause."""
    lines = [f"<b>{strings.HELP_HEADER}</b>", escape_html(strings.HELP_INTRO), ""]
    lines += [escape_html(strings.help_command(name, text)) for name, text in commands]
    lines += ["", escape_html(strings.HELP_GROUPS), escape_html(strings.HELP_PAUSES)]
    return Rendered(html="\n".join(lines))


def stats(s: StoreFigures, version: str, python: str) -> Rendered:
    lines = [
        f"<b>{strings.STATS_HEADER}</b>",
        escape_html(strings.stats_feeds(s.feeds, s.feeds_failing)),
        escape_html(strings.stats_entries(s.entries)),
        escape_html(strings.stats_chats(s.chats_active, s.chats_inactive)),
        escape_html(strings.stats_queue(s.queue_pending, s.queue_failed, s.sent)),
        escape_html(strings.stats_version(version, python)),
    ]
    return Rendered(html="\n".join(lines))


def feeds(states: Sequence[FeedStatus], now: datetime) -> Rendered:
    """/feeds: one line a feed, as many as fit in one message, then "… and N more"."""
    header = f"<b>{strings.FEEDS_HEADER}</b> ({len(states)})"
    lines: list[str] = []
    used = visible_length(header)
    for shown, state in enumerate(states):
        line = escape_html(truncate(_feed_line(state, now), _FEED_LINE))
        if used + visible_length(line) + 40 > MESSAGE_LIMIT:
            lines.append(escape_html(strings.and_more(len(states) - shown)))
            break
        lines.append(line)
        used += visible_length(line) + 1
    if not states:
        lines.append(strings.NO_FEEDS)
    return Rendered(html="\n".join([header, *lines]))


def _feed_line(state: FeedStatus, now: datetime) -> str:
    if state.error_count:
        retry = due_in(state.next_check_at, now)
        return strings.feed_failing(state.name, state.error_count, state.last_error, retry)
    checked = ago(state.last_success_at, now) if state.last_success_at else strings.NEVER
    next_check = due_in(state.next_check_at, now)
    return strings.feed_working(state.name, state.entry_count, checked, next_check)
