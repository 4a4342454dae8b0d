"""Replies to commands whose text is more than one sentence: /help and /stats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.render import strings
from bot.render.message import Rendered
from bot.text.measure import escape_html


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
