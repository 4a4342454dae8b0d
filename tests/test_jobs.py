"""The recurring jobs of ``feedbot run``: shutdown lets a running job finish."""

from __future__ import annotations

import asyncio

from bot.jobs import Jobs


async def test_shutdown_lets_a_running_job_finish_within_the_grace() -> None:
    started, finished = asyncio.Event(), asyncio.Event()

    async def slow_poll() -> None:
        started.set()
        await asyncio.sleep(0.3)
        finished.set()

    jobs = Jobs()
    jobs.every(60, slow_poll, name="poll")
    jobs.start()
    await asyncio.wait_for(started.wait(), 5)
    await jobs.shutdown(grace=5)
    assert finished.is_set()


async def test_shutdown_cancels_a_job_that_outlives_the_grace() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def stuck() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    jobs = Jobs()
    jobs.every(60, stuck, name="stuck")
    jobs.start()
    await asyncio.wait_for(started.wait(), 5)
    await jobs.shutdown(grace=0.2)
    assert cancelled.is_set()


async def test_a_job_that_does_not_start_now_runs_one_interval_later() -> None:
    ran = asyncio.Event()

    async def prune() -> None:
        ran.set()

    jobs = Jobs()
    jobs.every(0.2, prune, name="prune", start_now=False)
    jobs.start()
    try:
        assert not ran.is_set()
        await asyncio.wait_for(ran.wait(), 5)  # a paused job would never run
    finally:
        await jobs.shutdown(grace=1)
