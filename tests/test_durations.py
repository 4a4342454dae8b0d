"""Spans of time read one way everywhere: never "115s" beside "2m", never "in 0s"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.render.durations import ago, due_in, short_span
from bot.render.i18n import EN
from bot.render.strings import feeds as feed_strings

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (45, "45s"),
        (60, "1m"),
        (115, "1m 55s"),
        (120, "2m"),
        (605, "10m"),
        (3600, "1h"),
        (3900, "1h 5m"),
        (36000, "10h"),
        (200000, "2d"),
    ],
)
def test_short_span_uses_one_rule(seconds: int, text: str) -> None:
    assert short_span(seconds) == text


def test_a_check_that_just_happened_is_just_now_and_an_overdue_one_is_due_now() -> None:
    assert ago(NOW + timedelta(milliseconds=300), NOW, EN) == "just now"  # clocks a hair apart
    assert ago(NOW - timedelta(seconds=95), NOW, EN) == "1m 35s ago"
    assert due_in(NOW - timedelta(seconds=3), NOW, EN) == "due now"
    assert due_in(NOW + timedelta(seconds=115), NOW, EN) == "in 1m 55s"


def test_a_failing_feed_counts_its_errors_in_words_that_agree() -> None:
    assert "1 error in a row" in EN(
        feed_strings.feed_state_failing(1, "HTTP 500", "5m ago", "in 5s")
    )
    assert "3 errors in a row" in EN(
        feed_strings.feed_state_failing(3, "HTTP 500", "5m ago", "in 5s")
    )
