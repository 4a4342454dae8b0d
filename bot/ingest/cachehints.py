"""HTTP caching headers: validators for conditional GETs, and the max-age / Retry-After hints.

Pure header reading, no HTTP client: ``headers`` is a case-insensitive mapping whose keys
are looked up in lower case (httpx's ``Headers`` is one). Hints are clamped to
``MAX_HINT_SECONDS`` so that a bogus value cannot overflow a date or park a feed forever
(the scheduler caps them further).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from bot.clock import utcnow
from bot.domain import CacheValidators

MAX_HINT_SECONDS = 10 * 365 * 86400  #: Retry-After / max-age beyond this are clamped


def conditional_headers(validators: CacheValidators) -> dict[str, str]:
    """The request headers that make a GET conditional on what we stored last time."""
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def validators(headers: Mapping[str, str]) -> CacheValidators:
    return CacheValidators(
        etag=headers.get("etag", "").strip() or None,
        last_modified=headers.get("last-modified", "").strip() or None,
    )


def merge_validators(old: CacheValidators, new: CacheValidators) -> CacheValidators:
    """A 304 may refresh either validator; what it leaves out stays as it was."""
    return CacheValidators(
        etag=new.etag or old.etag, last_modified=new.last_modified or old.last_modified
    )


def max_age(headers: Mapping[str, str]) -> timedelta | None:
    """Cache-Control max-age: how long the server says the document stays fresh."""
    for directive in headers.get("cache-control", "").split(","):
        name, _, value = directive.partition("=")
        if name.strip().lower() == "max-age":
            seconds = _delta_seconds(value.strip().strip('"'))
            return None if seconds is None else timedelta(seconds=seconds)
    return None


def retry_after(headers: Mapping[str, str]) -> timedelta | None:
    """Delta-seconds, or an HTTP-date measured against the server's own Date (clock skew)."""
    value = headers.get("retry-after", "").strip()
    seconds = _delta_seconds(value)
    if seconds is not None:
        return timedelta(seconds=seconds)
    when = _http_date(value)
    if when is None:
        return None
    now = _http_date(headers.get("date", "")) or utcnow()
    cap = timedelta(seconds=MAX_HINT_SECONDS)
    return min(max(when - now, timedelta(0)), cap)


def _delta_seconds(value: str) -> int | None:
    if not (value.isascii() and value.isdigit()):
        return None
    if len(value) > 12:  # int() of a huge digit string is slow, and no hint is that long
        return MAX_HINT_SECONDS
    return min(int(value), MAX_HINT_SECONDS)


def _http_date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
