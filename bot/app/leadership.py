"""Which replica holds the Telegram duties, and the hand-over when that changes.

Every replica polls feeds; one at a time (the holder of the leader lock,
:mod:`bot.store.leader`) also long-polls Telegram and sends. A standby asks for the lock
every :data:`RETRY_EVERY` seconds and takes the duties the moment it gets it; the holder
confirms the lock every :data:`CONFIRM_EVERY` seconds and drops the duties as soon as it
cannot (its database session broke or does not answer): two replicas must never send at
once, so losing the lock wins over finishing work. On SQLite the only process always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.store.leader import CONFIRM_EVERY, LeaderLock

log = logging.getLogger(__name__)

#: seconds between a standby's tries for the lock
RETRY_EVERY = 2.5
#: seconds sends in flight get when the lock is lost (a shutdown gives more)
STEP_DOWN_GRACE = 2.0


class Duties(Protocol):
    async def take(self) -> None:
        """Start what only the leader does."""

    async def drop(self, grace: float) -> None:
        """Stop it (sends in flight get ``grace`` seconds)."""


class Leadership:
    """Runs ``duties`` while this process holds ``lock``."""

    def __init__(
        self,
        lock: LeaderLock,
        duties: Duties,
        *,
        on_change: Callable[[bool], None] = lambda _leading: None,
        rival: Callable[[], Awaitable[bool]] | None = None,
        retry_every: float = RETRY_EVERY,
        confirm_every: float = CONFIRM_EVERY,
    ) -> None:
        self._lock = lock
        self._duties = duties
        self._on_change = on_change
        self._rival = rival
        self._retry_every = retry_every
        self._confirm_every = confirm_every
        self._task: asyncio.Task[None] | None = None
        self.leading = False

    @property
    def role(self) -> str:
        return "leader" if self.leading else "standby"

    async def try_lead(self) -> bool:
        """One try for the lock; the duties start when it is ours (after the lock's settle
        time, if it still is: a previous holder may not know yet that it lost it)."""
        if self.leading or not await self._lock.acquire():
            return self.leading
        if self._lock.settle > 0 and await self._may_have_rival():
            log.info("got the leader lock: taking the Telegram duties in %.0fs", self._lock.settle)
            await asyncio.sleep(self._lock.settle)
            if not await self._lock.confirm():
                return False
        await self._lead()
        return self.leading

    async def _may_have_rival(self) -> bool:
        """Whether another live process may still think it leads (then the new holder
        waits); without a way to tell, or when asking fails, it may."""
        if self._rival is None:
            return True
        try:
            return await self._rival()
        except Exception:
            return True

    def start(self) -> None:
        """Keep trying (standby) or confirming (leader) from now on."""
        self._task = asyncio.create_task(self._watch(), name="leadership")

    async def _watch(self) -> None:
        while True:
            try:
                if self.leading:
                    await asyncio.sleep(self._confirm_every)
                    if not await self._lock.confirm():
                        log.warning(
                            "lost the leader lock (database session gone or silent): "
                            "stopping the Telegram duties; standing by"
                        )
                        await self._step_down(STEP_DOWN_GRACE)
                else:
                    await asyncio.sleep(self._retry_every)
                    await self.try_lead()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep watching: a failed hand-over is retried
                log.exception("leadership check failed")

    async def _lead(self) -> None:
        self.leading = True
        self._on_change(True)
        if self._lock.shared:  # a lone SQLite bot has nobody to lead
            log.info(
                "leader now: this replica sends, and long-polls Telegram unless a webhook"
                " brings the updates"
            )
        try:
            await self._duties.take()
        except Exception:
            log.exception("could not take the Telegram duties: giving the lock back")
            await self._step_down(STEP_DOWN_GRACE)
            await self._lock.release()

    async def _step_down(self, grace: float) -> None:
        self.leading = False
        self._on_change(False)
        await self._duties.drop(grace)

    async def stop(self, grace: float) -> None:
        """Shutdown: no more tries; the duties stop; the lock is given up."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            if self.leading:
                await self._step_down(grace)
        finally:
            await self._lock.close()
