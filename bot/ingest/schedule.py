"""When to check a feed next. Pure: ``now`` and the random draw are passed in.

- success (200 or 304): the feed's interval, never sooner than the server's Cache-Control
  max-age says the document stays fresh (capped at a day, so a bogus max-age cannot park a
  feed for a year); the error count resets;
- failure: exponential backoff, interval x 2^(errors-1), capped at ``max_backoff``; a
  Retry-After from the server is honoured when it asks for longer (capped at a day);
- every delay gets +/- ``jitter`` so that feeds added together do not stay in lockstep; the
  jittered delay is never below ``min_interval`` nor below the server's (capped) hint, and
  never beyond ``MAX_DELAY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain import FeedSchedule

HINT_CAP = timedelta(days=1)
#: No check is scheduled further out than this, whatever the policy (the config caps
#: intervals at a year; this keeps ``now + delay`` far from datetime's limits regardless).
MAX_DELAY = timedelta(days=2 * 365)


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
    hint = _capped(max_age)
    delay = max(policy.interval, hint)
    return FeedSchedule(next_check_at=now + _jittered(policy, delay, draw, hint), error_count=0)


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
    cap = max(policy.max_backoff, policy.interval).total_seconds()
    # In float seconds: a timedelta times 2**32 overflows for long intervals, a float does
    # not; min() on the exponent keeps it small for feeds failing for months.
    backoff = min(policy.interval.total_seconds() * 2.0 ** min(errors - 1, 64), cap)
    hint = _capped(retry_after)
    delay = max(timedelta(seconds=min(backoff, MAX_DELAY.total_seconds())), hint)
    return FeedSchedule(
        next_check_at=now + _jittered(policy, delay, draw, hint), error_count=errors
    )


def _capped(hint: timedelta | None) -> timedelta:
    """A server's hint (max-age, Retry-After) within [0, HINT_CAP]; 0 when there is none."""
    if hint is None:
        return timedelta(0)
    return min(max(hint, timedelta(0)), HINT_CAP)


def _jittered(policy: SchedulePolicy, delay: timedelta, draw: float, hint: timedelta) -> timedelta:
    """``delay`` +/- jitter, then no sooner than ``min_interval`` or the server's ``hint``
    (jitter spreads load; it must not bring a retry before the server said it may come)."""
    factor = 1.0 + policy.jitter * (2.0 * draw - 1.0)
    seconds = min(delay.total_seconds() * factor, MAX_DELAY.total_seconds())
    return min(max(timedelta(seconds=seconds), policy.min_interval, hint), MAX_DELAY)
