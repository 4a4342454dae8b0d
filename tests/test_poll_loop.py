"""The poll loop runs a cycle when the earliest feed is due, and at once when woken."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import datetime, timedelta

from bot.clock import utcnow
from bot.ingest.loop import PollLoop


class Cycles:
    """A cycle that records when it ran; ``reached(n)`` waits for the n-th."""

    def __init__(self, fail: bool = False) -> None:
        self.at: list[float] = []
        self.fail = fail
        self._ran = asyncio.Condition()

    async def __call__(self) -> None:
        self.at.append(time.monotonic())
        async with self._ran:
            self._ran.notify_all()
        if self.fail:
            raise RuntimeError("boom")

    async def reached(self, count: int, within: float = 5.0) -> None:
        async with self._ran:
            await asyncio.wait_for(self._ran.wait_for(lambda: len(self.at) >= count), within)


async def test_a_cycle_runs_when_the_next_feed_is_due_not_after_the_longest_sleep() -> None:
    async def next_due() -> datetime:
        return utcnow() + timedelta(milliseconds=100)

    cycles = Cycles()
    loop = PollLoop(next_due, max_sleep=30.0)
    loop.start(cycles)
    try:
        await cycles.reached(4, within=20.0)  # far below the 30 s the loop could sleep
    finally:
        await loop.stop(1.0)
    assert all(b > a for a, b in itertools.pairwise(cycles.at))


async def test_wake_starts_a_cycle_at_once_and_nothing_due_sleeps_the_longest() -> None:
    async def nothing_due() -> None:
        return None

    cycles = Cycles()
    loop = PollLoop(nothing_due, max_sleep=60.0)
    loop.start(cycles)
    try:
        await cycles.reached(1)
        loop.wake()
        await cycles.reached(2)
    finally:
        await loop.stop(1.0)


async def test_a_failing_cycle_or_store_does_not_end_the_loop() -> None:
    async def broken() -> datetime:
        raise OSError("database away")

    cycles = Cycles(fail=True)
    loop = PollLoop(broken, max_sleep=0.05)
    loop.start(cycles)
    try:
        await cycles.reached(3)
    finally:
        await loop.stop(1.0)
