"""What only the leader replica does: Telegram long polling, the sender, and the command
menu and channel ids published once per takeover (bot.app.leadership decides when)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.delivery.sender import Sender
from bot.store import Store
from bot.tg.application import TelegramApp

log = logging.getLogger(__name__)


class TelegramDuties:
    def __init__(
        self,
        telegram: TelegramApp,
        store: Store,
        sender: Sender,
        admins: Callable[[], Awaitable[frozenset[int]]],
        process_id: str,
    ) -> None:
        self._telegram = telegram
        self._store = store
        self._sender = sender
        self._admins = admins
        self._process_id = process_id
        self._sender_task: asyncio.Task[None] | None = None

    async def take(self) -> None:
        # Only the leader sends: what others claimed belongs to a replica that is dead or
        # stopped sending when it lost the lock, so it goes out now, not when its lease ends.
        taken = await self._store.take_over_claims(self._process_id)
        if taken:
            log.info("took over %d deliveries claimed by a replica that led before", taken)
        await self._prepare_chat_side()
        await self._telegram.start_polling()
        self._sender.resume()
        self._sender_task = asyncio.create_task(self._sender.run(), name="sender")

    async def stop_updates(self) -> None:
        """No new updates (the first step of a shutdown)."""
        await self._telegram.stop_polling()

    async def drop(self, grace: float) -> None:
        await self.stop_updates()
        task, self._sender_task = self._sender_task, None
        if task is None:
            return
        await self._sender.stop(grace)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _prepare_chat_side(self) -> None:
        """Command menu and configured channels' ids; failures here are logged, not fatal."""
        telegram, store = self._telegram, self._store
        await telegram.publish_menu(await self._admins())
        for ref in await store.unresolved_channels():
            found = await telegram.find_channel(ref)
            if found is not None:
                tg_chat_id, title = found
                await store.resolve_channel(ref, tg_chat_id, title)
