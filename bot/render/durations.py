"""A span of time in a few characters ("45s", "1m 55s", "12m", "3h 5m", "4d"), before or
after now: one rule everywhere, so that "115s" never stands next to "2m"."""

from __future__ import annotations

from datetime import datetime

from bot.render.i18n import Locale
from bot.render.strings import times as time_strings


def short_span(seconds: int) -> str:
    """``seconds`` (not negative) in its largest unit, with the next one below ten."""
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return _two_units(seconds, (60, "m"), (1, "s"))
    if seconds < 172800:
        return _two_units(seconds, (3600, "h"), (60, "m"))
    return f"{seconds // 86400}d"


def _two_units(seconds: int, large: tuple[int, str], small: tuple[int, str]) -> str:
    whole, rest = divmod(seconds, large[0])
    part = rest // small[0]
    if whole < 10 and part:
        return f"{whole}{large[1]} {part}{small[1]}"
    return f"{whole}{large[1]}"


#: a moment this close to now reads as "just now" / "now" rather than "0s ago" / "in 0s"
_NOW = 1


def ago(moment: datetime, now: datetime, loc: Locale) -> str:
    """A past moment ("5m ago"); a moment at or just after now (clocks) is "just now"."""
    seconds = int((now - moment).total_seconds())
    return loc(
        time_strings.JUST_NOW if seconds < _NOW else time_strings.time_ago(short_span(seconds))
    )


def due_in(moment: datetime, now: datetime, loc: Locale) -> str:
    """A moment something is due ("in 5m"); one already past is "now" (it is overdue)."""
    seconds = int((moment - now).total_seconds())
    return loc(
        time_strings.DUE_NOW if seconds < _NOW else time_strings.in_time(short_span(seconds))
    )
