"""Backoff after transient failures: per chat while others get answers, one pause for
everyone (with a single probe) when nobody does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.delivery.backoff import Backoff, Permit

T0 = datetime(2026, 1, 1, tzinfo=UTC)
S = timedelta(seconds=1)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def fail(backoff: Backoff, chat: int, now: float) -> float:
    """A send to ``chat`` failed at ``now``: seconds until the chat may retry."""
    permit = backoff.permit(at(now))
    assert permit is not None
    return (backoff.failed(chat, at(now), permit, "NetworkError: Bad Gateway") - at(now)) / S


def test_the_delay_doubles_up_to_the_cap() -> None:
    backoff = Backoff(2 * S, 15 * 60 * S)
    assert [backoff.delay(n) / S for n in range(1, 12)] == [
        2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900
    ]  # fmt: skip
    assert backoff.delay(10_000) == 15 * 60 * S


def test_a_chat_that_fails_alone_backs_off_alone() -> None:
    backoff = Backoff(2 * S, 60 * S, trip_after=3)
    waits = []
    for round_ in range(8):
        waits.append(fail(backoff, 1, round_ * 100))
        backoff.answered(2)  # other chats keep getting answers in between
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]
    assert not backoff.tripped
    assert backoff.permit(at(1000)) is Permit.NORMAL  # nobody else waits
    backoff.answered(1)
    assert fail(backoff, 1, 2000) == 2  # an answer resets the chat's count


def test_failures_in_a_row_across_chats_pause_everyone_with_one_probe() -> None:
    backoff = Backoff(2 * S, 60 * S, trip_after=3)
    assert fail(backoff, 1, 0) == 2
    assert fail(backoff, 2, 0) == 2
    assert not backoff.tripped
    assert fail(backoff, 3, 0) == 2
    assert backoff.tripped
    assert backoff.permit(at(1)) is None  # open: nobody sends
    assert backoff.room(at(1)) == 0
    assert backoff.resumes_at(at(1)) == at(2)
    assert backoff.held_until(at(1)) == at(2)
    # half open: exactly one probe
    assert backoff.room(at(2)) == 1
    probe = backoff.permit(at(2))
    assert probe is Permit.PROBE
    assert backoff.permit(at(2)) is None
    assert backoff.room(at(2)) == 0
    # the probe fails: the pause doubles, and again, up to the cap
    pauses = []
    now = 2.0
    permit: Permit | None = probe
    for _ in range(7):
        assert permit is Permit.PROBE
        until = backoff.failed(4, at(now), permit, "TimedOut: Timed out")
        pauses.append((until - at(now)) / S)
        now = (until - T0) / S
        permit = backoff.permit(at(now))
    assert pauses == [4, 8, 16, 32, 60, 60, 60]
    assert backoff.last_error == "TimedOut: Timed out"
    # any answer closes it: everyone goes again
    assert permit is Permit.PROBE
    backoff.answered(4)
    assert not backoff.tripped
    assert backoff.permit(at(now)) is Permit.NORMAL
    assert backoff.room(at(now)) is None


def test_sends_under_way_when_the_circuit_opened_do_not_lengthen_the_pause() -> None:
    backoff = Backoff(2 * S, 60 * S, trip_after=2)
    early = [backoff.permit(at(0)) for _ in range(5)]  # five sends go out together
    assert early == [Permit.NORMAL] * 5
    for chat, permit in enumerate(early):
        assert permit is not None
        backoff.failed(chat, at(0.5), permit)
    assert backoff.resumes_at(at(0.5)) == at(2.5)  # tripped once, by the second failure


def test_an_abandoned_probe_frees_the_slot() -> None:
    backoff = Backoff(S, 10 * S, trip_after=1)
    fail(backoff, 1, 0)
    probe = backoff.permit(at(1))
    assert probe is Permit.PROBE
    backoff.abandoned(probe)
    assert backoff.permit(at(1)) is Permit.PROBE


def test_base_must_not_exceed_the_cap() -> None:
    with pytest.raises(ValueError, match="base <= cap"):
        Backoff(10 * S, S)
