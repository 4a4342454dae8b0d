"""The poll loop: a cycle as soon as the earliest feed is due, not on a fixed tick.

After each cycle it asks when the next feed is due (``next_check_at``, kept in the database)
and sleeps until then, at most ``max_sleep`` (so a feed made due by another process is seen
within it), and is woken at once by :meth:`PollLoop.wake` (a feed added or made due here).
A feed configured at ``interval: 3s`` is therefore fetched every 3 s (plus the fetch).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.clock import utcnow

log = logging.getLogger(__name__)

#: the shortest sleep between cycles, so that a feed due again at once cannot spin the loop
MIN_SLEEP = 0.05


class PollLoop:
    """Runs ``cycle`` whenever a feed is due; :meth:`stop` ends it after the running cycle."""

    def __init__(
        self,
        next_due: Callable[[], Awaitable[datetime | None]],
        max_sleep: float,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._next_due = next_due
        self._max_sleep = max_sleep
        self._clock = clock
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self, cycle: Callable[[], Awaitable[object]]) -> None:
        """Run ``cycle`` now and whenever a feed is due, in a task of its own."""
        self._task = asyncio.create_task(self.run(cycle), name="poll-loop")

    def wake(self) -> None:
        """A feed was added or made due: look now."""
        self._wake.set()

    async def run(self, cycle: Callable[[], Awaitable[object]]) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await cycle()
            except Exception:  # a bug must cost one cycle, not the loop
                log.exception("poll cycle failed")
            if self._stopping:
                return
            delay = await self._sleep_for()
            log.debug("next poll cycle in %.2fs", delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _sleep_for(self) -> float:
        try:
            due = await self._next_due()
        except Exception as error:  # the database blinked: look again after the longest sleep
            log.warning("could not read when the next feed is due: %s", error)
            return self._max_sleep
        if due is None:
            return self._max_sleep
        seconds = (due - self._clock()).total_seconds()
        return min(max(seconds, MIN_SLEEP), self._max_sleep)

    async def stop(self, grace: float) -> None:
        """No new cycle; the running one gets ``grace`` seconds, then is cancelled."""
        self._stopping = True
        self._wake.set()
        task = self._task
        if task is None:
            return
        done, _ = await asyncio.wait([task], timeout=grace)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
