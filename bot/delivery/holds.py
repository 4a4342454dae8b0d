"""When a chat's pushes may go: quiet hours and digests, in the chat's time zone. Pure.

A held delivery stays in the outbox with a later due time (``not_before``), so a restart
keeps it. What decides is when the delivery's oldest row was queued: a digest sends what
was queued before its slot (the next full hour, or the next HH:MM), and nothing goes out
inside quiet hours; at their end everything held goes as one transmission.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo

from bot.domain import ChatSettings
from bot.render.zones import zone

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def release_at(
    settings: ChatSettings, timezone: str, queued_at: datetime, now: datetime
) -> datetime | None:
    """When rows queued at ``queued_at`` may be sent (None: now). ``timezone``: the chat's,
    or the configured default when it chose none."""
    tz = zone(settings.timezone or timezone)
    due = max(_digest_slot(settings, tz, queued_at), now)
    quiet_end = _quiet_end(settings, tz, due)
    if quiet_end is not None:
        due = quiet_end
    return None if due <= now else due


def _digest_slot(settings: ChatSettings, tz: tzinfo, queued_at: datetime) -> datetime:
    """The first digest after ``queued_at`` (``queued_at`` itself for instant pushes)."""
    local = queued_at.astimezone(tz)
    if settings.mode == "hourly":
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC) + HOUR
    if settings.mode == "daily" and settings.digest_at:
        slot = _at(local, _clock(settings.digest_at), tz)
        return slot if slot > queued_at else _at(local + DAY, _clock(settings.digest_at), tz)
    return queued_at


def _quiet_end(settings: ChatSettings, tz: tzinfo, moment: datetime) -> datetime | None:
    """The end of the quiet hours ``moment`` falls in (None: not in quiet hours)."""
    if not settings.quiet_from or not settings.quiet_to:
        return None
    start, end = _clock(settings.quiet_from), _clock(settings.quiet_to)
    local = moment.astimezone(tz)
    now = local.time()
    if start < end:  # 13:00-15:00: within one day
        return _at(local, end, tz) if start <= now < end else None
    if now >= start:  # 23:00-07:30, after 23:00: ends tomorrow
        return _at(local + DAY, end, tz)
    if now < end:  # ... before 07:30: ends today
        return _at(local, end, tz)
    return None


def in_quiet_hours(settings: ChatSettings, timezone: str, moment: datetime) -> bool:
    return _quiet_end(settings, zone(settings.timezone or timezone), moment) is not None


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _at(local_day: datetime, clock: time, tz: tzinfo) -> datetime:
    """``clock`` on the local day of ``local_day``, in UTC."""
    return datetime.combine(local_day.date(), clock, tzinfo=tz).astimezone(UTC)
