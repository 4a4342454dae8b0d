"""APScheduler: the recurring jobs of ``feedbot run`` (heartbeat, pruning, health refresh).

Polling is not one of them: each feed's own timing lives in the database as
``next_check_at`` and the poll loop (:mod:`bot.ingest.loop`) wakes when the earliest is
due. Jobs never overlap themselves (``max_instances=1``), a late run happens once rather
than many times (``coalesce``), and a run delayed by a busy loop still happens (no 1 s
misfire grace).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import utcnow

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[Any]]


class Jobs:
    """Named recurring jobs on one AsyncIOScheduler; shut down with a grace period."""

    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )
        self._running: set[asyncio.Task[Any]] = set()

    def every(self, seconds: float, job: Job, *, name: str, start_now: bool = True) -> None:
        """Run ``job`` every ``seconds``; its exceptions are logged, never fatal."""

        async def guarded() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job %s failed", name)
            finally:
                if task is not None:
                    self._running.discard(task)

        # next_run_time=None would add the job *paused*; left out, the first run is one
        # interval from now.
        first: dict[str, Any] = {"next_run_time": utcnow()} if start_now else {}
        self._scheduler.add_job(guarded, "interval", seconds=seconds, id=name, name=name, **first)

    def start(self) -> None:
        self._scheduler.start()

    async def shutdown(self, grace: float) -> None:
        """No new runs; running jobs get ``grace`` seconds, then are cancelled."""
        if not self._scheduler.running:
            return
        # Pause first: the asyncio executor's shutdown cancels running jobs at once, so a
        # poll in progress would be cut off (and its feeds left claimed) with no grace.
        self._scheduler.pause()
        running = list(self._running)
        if running:
            _, pending = await asyncio.wait(running, timeout=grace)
            for task in pending:
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.gather(*pending, return_exceptions=True)
        self._scheduler.shutdown(wait=False)
