"""Per-host concurrency slots: at most ``per_host`` holders per host, the rest wait their turn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass


class HostSlots:
    """One semaphore per host, created on demand and dropped when nobody holds or awaits it."""

    @dataclass(slots=True)
    class _Slot:
        semaphore: asyncio.Semaphore
        users: int = 0  #: holders and waiters: the slot must outlive all who may acquire it

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, HostSlots._Slot] = {}

    def __len__(self) -> int:
        return len(self._slots)

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        """Wait for one of ``host``'s slots and keep it for the ``async with`` block."""
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = self._Slot(asyncio.Semaphore(self._per_host))
        slot.users += 1
        try:
            async with slot.semaphore:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self._slots[host]
