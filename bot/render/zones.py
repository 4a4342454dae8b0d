"""Time zones by IANA name (the standard zoneinfo database; ``tzdata`` where the OS has none)."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: longer names than this are refused before the database is asked
_NAME_LIMIT = 64


@cache
def zone(name: str | None) -> tzinfo:
    """The zone called ``name``; UTC for None or a name the database does not know."""
    if not name or not known_timezone(name):
        return UTC
    return ZoneInfo(name)


def known_timezone(name: str) -> bool:
    """Whether ``name`` is a zone of the database ("Asia/Shanghai", "UTC")."""
    if not name or len(name) > _NAME_LIMIT or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def local(moment: datetime, name: str | None) -> datetime:
    """``moment`` (aware) in the zone called ``name``."""
    return moment.astimezone(zone(name))
