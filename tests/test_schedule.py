"""When a feed is checked next, as a table of situations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.ingest.schedule import HINT_CAP, MAX_DELAY, SchedulePolicy, after_failure, after_success

NOW = datetime(2026, 11, 22, tzinfo=UTC)
TEN_MIN = timedelta(minutes=10)
POLICY = SchedulePolicy(interval=TEN_MIN, max_backoff=timedelta(hours=6), jitter=0.0)
MIDDLE = 0.5  # a draw of 0.5 means no jitter


@pytest.mark.parametrize(
    ("max_age", "delay"),
    [
        pytest.param(None, TEN_MIN, id="plain-interval"),
        pytest.param(timedelta(minutes=1), TEN_MIN, id="short-max-age-does-not-speed-up"),
        pytest.param(timedelta(hours=2), timedelta(hours=2), id="long-max-age-respected"),
        pytest.param(timedelta(days=365), HINT_CAP, id="absurd-max-age-capped"),
    ],
)
def test_success(max_age, delay) -> None:  # type: ignore[no-untyped-def]
    result = after_success(POLICY, now=NOW, draw=MIDDLE, max_age=max_age)
    assert result.next_check_at == NOW + delay
    assert result.error_count == 0


@pytest.mark.parametrize(
    ("previous", "delay"),
    [
        (0, TEN_MIN),
        (1, 2 * TEN_MIN),
        (2, 4 * TEN_MIN),
        (4, 16 * TEN_MIN),
        (6, timedelta(hours=6)),  # 640 min capped at 6 h
        (10_000, timedelta(hours=6)),  # no overflow for feeds failing for months
    ],
)
def test_failure_backs_off_exponentially_with_a_cap(previous: int, delay: timedelta) -> None:
    result = after_failure(POLICY, now=NOW, draw=MIDDLE, previous_errors=previous)
    assert result.next_check_at == NOW + delay
    assert result.error_count == previous + 1


def test_retry_after_longer_than_backoff_wins() -> None:
    result = after_failure(
        POLICY, now=NOW, draw=MIDDLE, previous_errors=0, retry_after=timedelta(hours=1)
    )
    assert result.next_check_at == NOW + timedelta(hours=1)


def test_retry_after_shorter_than_backoff_does_not_speed_up() -> None:
    result = after_failure(
        POLICY, now=NOW, draw=MIDDLE, previous_errors=3, retry_after=timedelta(seconds=5)
    )
    assert result.next_check_at == NOW + 8 * TEN_MIN


@pytest.mark.parametrize(("draw", "factor"), [(0.0, 0.9), (0.5, 1.0), (0.999999, 1.1)])
def test_jitter_spreads_within_the_fraction(draw: float, factor: float) -> None:
    policy = SchedulePolicy(interval=TEN_MIN, jitter=0.1)
    delay = after_success(policy, now=NOW, draw=draw).next_check_at - NOW
    assert delay.total_seconds() == pytest.approx(600 * factor, abs=0.01)


def test_never_sooner_than_min_interval() -> None:
    policy = SchedulePolicy(
        interval=timedelta(seconds=30), min_interval=timedelta(minutes=1), jitter=0.0
    )
    assert after_success(policy, now=NOW, draw=MIDDLE).next_check_at == NOW + timedelta(minutes=1)


@pytest.mark.parametrize("draw", [0.0, 0.25, 0.5, 0.999999])
def test_jitter_never_brings_a_retry_before_retry_after(draw: float) -> None:
    policy = SchedulePolicy(interval=TEN_MIN, jitter=0.5)
    result = after_failure(
        policy, now=NOW, draw=draw, previous_errors=0, retry_after=timedelta(hours=2)
    )
    assert timedelta(hours=2) <= result.next_check_at - NOW <= timedelta(hours=3)


@pytest.mark.parametrize("draw", [0.0, 0.25, 0.5, 0.999999])
def test_jitter_never_brings_a_check_before_max_age(draw: float) -> None:
    policy = SchedulePolicy(interval=TEN_MIN, jitter=0.5)
    result = after_success(policy, now=NOW, draw=draw, max_age=timedelta(hours=2))
    assert timedelta(hours=2) <= result.next_check_at - NOW <= timedelta(hours=3)


def test_hints_beyond_the_cap_are_held_to_it() -> None:
    policy = SchedulePolicy(interval=TEN_MIN, jitter=0.5)
    result = after_failure(
        policy, now=NOW, draw=0.0, previous_errors=0, retry_after=timedelta(days=30)
    )
    assert result.next_check_at == NOW + HINT_CAP


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param(SchedulePolicy(interval=timedelta(days=365)), id="a-year"),
        pytest.param(
            SchedulePolicy(interval=timedelta(days=999_999_999), max_backoff=timedelta.max),
            id="timedelta-max",
        ),
    ],
)
@pytest.mark.parametrize("previous", [0, 40, 10_000])
def test_long_intervals_never_overflow(policy: SchedulePolicy, previous: int) -> None:
    failed = after_failure(policy, now=NOW, draw=0.999999, previous_errors=previous)
    succeeded = after_success(policy, now=NOW, draw=0.999999, max_age=timedelta.max)
    assert NOW < failed.next_check_at <= NOW + MAX_DELAY
    assert NOW < succeeded.next_check_at <= NOW + MAX_DELAY
