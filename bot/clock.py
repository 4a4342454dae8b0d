"""The one source of the current time for code that is not handed ``now``."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, UTC-aware (every datetime in the bot is)."""
    return datetime.now(UTC)
