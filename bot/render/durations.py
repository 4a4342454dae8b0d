"""A span of time in a few characters ("90s", "12m", "3.5h", "4d"), before or after now."""

from __future__ import annotations

from datetime import datetime

from bot.render import strings
from bot.render.i18n import Locale


def short_span(seconds: int) -> str:
    """``seconds`` (not negative) in the largest unit that keeps a few digits."""
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds // 86400}d"


def ago_or_in(moment: datetime, now: datetime, loc: Locale) -> str:
    """A moment ahead of ``now`` as "in 5m", one behind it as "5m ago"."""
    seconds = int((moment - now).total_seconds())
    span = short_span(abs(seconds))
    return loc(strings.in_time(span) if seconds >= 0 else strings.time_ago(span))
