"""When to check a feed next. Pure: ``now`` and the random draw are passed in.

- success (200 or 304): the feed's interval, never sooner than the server's Cache-Control
  max-age says the document stays fresh (capped at a day, so a bogus max-age cannot park a
  feed for a year); the error count resets;
- failure: exponential backoff, interval x 2^(errors-1), capped at ``max_backoff``; a
  Retry-After from the server is honoured when it asks for longer (capped at a day);
- every delay gets +/- ``jitter`` so that feeds added together do not stay in lockstep, and
  is never below ``min_interval``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain import FeedSchedule

HINT_CAP = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SchedulePolicy:
    interval: timedelta
    min_interval: timedelta = timedelta(minutes=1)
    max_backoff: timedelta = timedelta(hours=6)
    jitter: float = 0.1  #: fraction of the delay, drawn uniformly from [-jitter, +jitter]


def after_success(
    policy: SchedulePolicy,
    *,
    now: datetime,
    draw: float,
    max_age: timedelta | None = None,
) -> FeedSchedule:
    """Schedule after a 200 or 304. ``draw`` is uniform in [0, 1)."""
    delay = policy.interval
    if max_age is not None:
        delay = max(delay, min(max_age, HINT_CAP))
    return FeedSchedule(next_check_at=now + _jittered(policy, delay, draw), error_count=0)


def after_failure(
    policy: SchedulePolicy,
    *,
    now: datetime,
    draw: float,
    previous_errors: int,
    retry_after: timedelta | None = None,
) -> FeedSchedule:
    """Schedule after a failed fetch or parse; ``previous_errors`` consecutive ones before it."""
    errors = previous_errors + 1
    # min() before the power keeps the arithmetic small for feeds failing for months.
    exponent = min(errors - 1, 32)
    delay = min(policy.interval * (2**exponent), max(policy.max_backoff, policy.interval))
    if retry_after is not None:
        delay = max(delay, min(retry_after, HINT_CAP))
    return FeedSchedule(next_check_at=now + _jittered(policy, delay, draw), error_count=errors)


def _jittered(policy: SchedulePolicy, delay: timedelta, draw: float) -> timedelta:
    factor = 1.0 + policy.jitter * (2.0 * draw - 1.0)
    return max(delay * factor, policy.min_interval)
