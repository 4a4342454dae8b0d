"""Telegram's sending limits as the sender keeps them: overall, per chat, per group, 429s.

:class:`RateLimiter` is pure (``now`` passed in), so most of this runs on a made-up clock;
:class:`Pacer` is checked on the real one with small numbers.
"""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from bot.delivery.ratelimit import MARGIN, PUSH, REPLY, Limits, Pacer, RateLimiter, Window

TELEGRAM = Limits(per_second=30.0, per_chat_interval=1.0, group_per_minute=20)


def send(limiter: RateLimiter, chat: int, now: float, *, group: bool = False) -> float:
    """Send at the earliest slot at or after ``now``; return when it went."""
    at = limiter.next_slot(chat, group, now)
    limiter.record(chat, group, at)
    return at


def test_a_window_holds_at_most_limit_events_in_any_span_of_its_length() -> None:
    window = Window(3, 1.0)
    for at in (0.0, 0.1, 0.2):
        assert window.next_slot(at) == at
        window.record(at)
    assert window.next_slot(0.3) == pytest.approx(1.0 + MARGIN)
    assert window.next_slot(1.5) == 1.5  # the first event has left the window


def test_sends_to_many_chats_are_evenly_spaced_at_the_overall_rate() -> None:
    limiter = RateLimiter(TELEGRAM)
    times = [send(limiter, chat, 0.0) for chat in range(90)]  # all ready at once
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) == pytest.approx(1 / 30)
    assert max(gaps) == pytest.approx(1 / 30, abs=MARGIN + 1e-9)
    # never more than 30 in any one-second span, measured the way the server does
    assert all(sum(1 for t in times if start <= t < start + 1.0) <= 30 for start in times)
    assert times[-1] == pytest.approx(89 / 30, abs=0.1)  # and no slower than that


def test_a_late_send_does_not_push_every_later_one_back() -> None:
    limiter = RateLimiter(Limits(per_second=10.0))
    first = send(limiter, 1, 0.0)
    second = send(limiter, 2, 0.1 + 0.003)  # a timer tick late
    third = limiter.next_slot(3, False, second)
    assert (first, second) == (0.0, pytest.approx(0.103))
    assert third == pytest.approx(0.2)  # the cadence kept, not 0.203


def test_one_chat_gets_at_most_one_message_a_second() -> None:
    limiter = RateLimiter(TELEGRAM)
    times = [send(limiter, 7, 0.0) for _ in range(4)]
    assert times == pytest.approx([0.0, 1 + MARGIN, 2 + 2 * MARGIN, 3 + 3 * MARGIN])
    # ... while another chat goes at once (only the overall spacing applies)
    assert limiter.next_slot(8, False, times[-1]) == pytest.approx(times[-1] + 1 / 30)


def test_a_group_gets_at_most_twenty_messages_a_minute() -> None:
    limiter = RateLimiter(TELEGRAM)
    times = [send(limiter, -100, 0.0, group=True) for _ in range(21)]
    assert times[19] == pytest.approx(19 * (1 + MARGIN))  # one a second for the first 20
    assert times[20] == pytest.approx(60.0 + MARGIN)  # the 21st waits for the minute
    assert all(sum(1 for t in times if start <= t < start + 60.0) <= 20 for start in times)


def test_the_group_limit_is_the_callers_choice_per_send() -> None:
    """The limiter applies the 20/min window when told the chat is group-like; the sender
    says so for groups, supergroups and channels (tests/test_sender.py)."""
    limiter = RateLimiter(Limits(per_chat_interval=0.001, group_per_minute=2))
    assert [send(limiter, 1, 0.0) for _ in range(3)][-1] < 1.0
    grouped = [send(limiter, 2, 0.0, group=True) for _ in range(3)]
    assert grouped[-1] == pytest.approx(grouped[0] + 60.0 + MARGIN)


def test_a_429_blocks_only_that_chat() -> None:
    limiter = RateLimiter(TELEGRAM)
    send(limiter, 1, 0.0)
    send(limiter, 2, 0.0)
    limiter.block(1, 30.0)
    assert limiter.next_slot(1, False, 5.0) == 30.0
    assert limiter.next_slot(2, False, 5.0) == 5.0
    assert limiter.next_slot(3, False, 5.0) == 5.0
    assert limiter.busy_chats(5.0) == {1}
    limiter.block(1, 10.0)  # a shorter wait never shortens a longer one
    assert limiter.next_slot(1, False, 5.0) == 30.0
    assert limiter.busy_chats(30.0) == set()


def test_busy_chats_are_those_inside_their_own_window() -> None:
    limiter = RateLimiter(TELEGRAM)
    send(limiter, 1, 0.0)
    send(limiter, -5, 0.0, group=True)
    assert limiter.busy_chats(0.5) == {1, -5}
    assert limiter.busy_chats(1.5) == set()


async def test_the_pacer_spaces_sends_evenly_in_real_time() -> None:
    pacer = Pacer(RateLimiter(Limits(per_second=50.0, per_chat_interval=0.2)))
    went: list[float] = []

    async def one(chat: int) -> None:
        await pacer.wait_turn(chat, False)
        went.append(time.monotonic())

    await asyncio.gather(*(one(chat) for chat in range(10)))
    gaps = [b - a for a, b in itertools.pairwise(went)]
    # one every 20 ms: a send a timer tick late is not made up by the next one going early
    # beyond the cadence, so no two go closer than a fraction of the spacing
    assert min(gaps) > 0.01, gaps
    assert went[-1] - went[0] == pytest.approx(9 * 0.02, abs=0.05)


async def test_the_pacer_holds_a_chat_without_holding_up_the_others() -> None:
    pacer = Pacer(RateLimiter(Limits(per_second=100.0, per_chat_interval=0.5)))
    start = time.monotonic()
    await pacer.wait_turn(1, False)
    pacer.limiter.block(2, time.monotonic() + 5.0)  # chat 2 got a 429
    order: list[tuple[int, float]] = []

    async def one(chat: int) -> None:
        await pacer.wait_turn(chat, False)
        order.append((chat, time.monotonic() - start))

    waiting_for_2 = asyncio.create_task(one(2))
    await asyncio.gather(one(1), one(3))
    assert [chat for chat, _ in order] == [3, 1]
    assert order[0][1] < 0.1  # chat 3 went at once
    assert order[1][1] == pytest.approx(0.5, abs=0.1)  # chat 1 after its second
    assert not waiting_for_2.done()  # chat 2 still waits out its retry_after
    waiting_for_2.cancel()


async def test_replies_go_ahead_of_pushes_already_waiting() -> None:
    pacer = Pacer(RateLimiter(Limits(per_second=20.0, per_chat_interval=0.01)))
    order: list[str] = []

    async def one(name: str, chat: int, priority: int) -> None:
        await pacer.wait_turn(chat, False, priority)
        order.append(name)

    pushes = [asyncio.create_task(one(f"push{n}", 100 + n, PUSH)) for n in range(6)]
    await asyncio.sleep(0.01)  # the pushes queue up behind the first
    await one("reply", 1, REPLY)
    await asyncio.gather(*pushes)
    assert order.index("reply") <= 2, order  # not behind the whole fan-out
    assert [name for name in order if name != "reply"] == [f"push{n}" for n in range(6)]


async def test_edits_count_toward_the_overall_rate_only() -> None:
    pacer = Pacer(RateLimiter(Limits(per_second=1000.0, per_chat_interval=5.0)))
    await pacer.wait_turn(7, False)
    start = time.monotonic()
    await pacer.wait_overall()  # chat 7's own second is not waited for
    assert time.monotonic() - start < 1.0
    assert pacer.limiter.chat_slot(7, False, time.monotonic()) > time.monotonic()


async def test_a_waiter_cancelled_in_line_does_not_block_the_next() -> None:
    pacer = Pacer(RateLimiter(Limits(per_second=10.0, per_chat_interval=0.01)))
    await pacer.wait_turn(1, False)
    cancelled = asyncio.create_task(pacer.wait_turn(2, False))
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.wait_for(pacer.wait_turn(3, False), 2.0)
